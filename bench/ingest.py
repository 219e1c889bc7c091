"""Ingest throughput per core: the refinery's ingest vs datatrove's WarcReader + extractor, same WARC files.

    python bench/ingest.py [--warc sample/data/warc | --real [slice|site]] [--repeat K] [--runs 3] [--spark-runs 3]
                           [--datatrove-python .bench/venv-datatrove/bin/python]
    python bench/ingest.py --scale [100,300,1000] [--runs 3] [--tmp DIR]

``--real``: the real corpus's Common Crawl-layout archives (``make corpus``: corpus/warc.py, one gzip
member per record) instead of the bundled sample, plus the line recall of each side's text against
the corpus's lxml text (corpus/recall.py). ``--scale``: the whole jobs at each input size (MB of
WARC.gz): replicas of every real page (own URLs, record ids and a replica tag in every block), then
per run ``jobs/ingest.py`` on ``local[1]`` (one CPU) and ``local[2]`` (two CPUs) and datatrove with each
extractor (one CPU); min / median / max wall of ``--runs`` runs, docs/s and MB/s per core.

(``make bench`` builds the datatrove virtualenv and runs this with the defaults.)

Both sides read the same ``*.warc.gz`` files (``--repeat K``: each file is K copies of itself
concatenated, in a temp dir; gzip members concatenate) and are pinned to ONE CPU with
``os.sched_setaffinity`` (children inherit it: datatrove's extractor sandbox process, the JVM and
its Python workers), so wall time on that CPU is the per-core figure.

* refinery, operator path: ``refinery.ingest.pipeline.make_file_ingester`` over all files in
  this process, no Spark (FastWARC → HTTP status / content type → charset decode → resiliparse
  main text → normalisation → fastText lid.176.ftz → script ratios → doc_id), kept rows written
  to one zstd Parquet file. Timed in-process (model load included) after a warm-up pass.
* refinery, Spark job: ``jobs/ingest.py --master local[1]`` as a subprocess: wall time including
  JVM/Spark start-up, and the job's own ``run.seconds`` from ``_stats.json``.
* datatrove: ``WarcReader → extractor → LanguageFilter(label_only=True) → ParquetWriter`` run by
  ``LocalPipelineExecutor(tasks=1, workers=1)`` in datatrove's own virtualenv: this file re-runs
  itself there with ``--datatrove-worker``. Timed in-process around ``executor.run()`` after a
  20-document warm-up run. The language filter loads the same local lid.176.ftz as our side
  (no download) and only labels, so both sides run language id on every document and drop none
  for language. Extractors: ``Trafilatura()`` (datatrove's default settings) and, to separate
  the framework from the extractor, ``resiliparse`` — a BaseExtractor subclass (datatrove 0.10.1
  ships none) calling resiliparse with the refinery's settings.

The operator path and datatrove alternate run by run (ours, datatrove, ours, ...) so that drift
in machine speed hits both; ratios are taken pair by pair and their median reported.

Figures: docs/s = WARC response records in / wall seconds; MB/s of compressed input (file
bytes) and of uncompressed HTML (HTTP bodies of the response records); CPU s = user + system
of the process and its reaped children. Extraction quality uses ``bench/html_extract.py``'s
ground truth (main = <p>/<pre>/<li> inside <article>/<main>; boilerplate = <nav>/<footer>/
<aside>/<header>, cookie/banner/sidebar/menu) on every HTML response, each side's output text
looked up by WARC-Record-ID (a page a side did not keep counts as an empty output).
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DT_PYTHON = os.path.join(ROOT, ".bench", "venv-datatrove", "bin", "python")
DT_EXTRACTORS = ("trafilatura", "resiliparse")
WARMUP_DOCS = 20


# --------------------------------------------------------------------------- shared helpers
# (stdlib only above this line's callers: the datatrove worker runs in another virtualenv)


def pin(cpu: int) -> int:
    os.sched_setaffinity(0, {cpu})
    return cpu


def cpu_seconds() -> float:
    """User + system seconds of this process and of its children reaped so far."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


# --------------------------------------------------------------------------- datatrove worker


def datatrove_worker(args) -> None:
    """Runs under datatrove's virtualenv: one warm-up run, then ``--runs`` timed runs."""
    pin(args.cpu)
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.extractors.base import BaseExtractor
    from datatrove.pipeline.filters import LanguageFilter
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import ParquetWriter
    from datatrove.utils.lid import FT176LID
    # Imported here so that the extractor's sandbox process (a fork) starts with them loaded.
    import fasttext  # noqa: F401
    import trafilatura  # noqa: F401
    from resiliparse.extract.html2text import extract_plain_text

    class LocalFT176(FT176LID):
        """lid.176 from a local file (datatrove would download lid.176.bin)."""

        @property
        def model(self):
            if self._model is None:
                from fasttext.FastText import _FastText
                self._model = _FastText(args.lid_model)
            return self._model

    class Resiliparse(BaseExtractor):
        """The refinery's resiliparse settings (refinery/ingest/html_text.py) as a datatrove extractor."""

        name = "resiliparse"

        def __init__(self, timeout: float = 1):
            super().__init__(timeout)

        def extract(self, text: str) -> str:
            return extract_plain_text(text, preserve_formatting=True, main_content=True, list_bullets=True,
                                      alt_texts=False, links=False, form_fields=False, noscript=False,
                                      comments=False)

    def run_once(output: str, limit: int) -> dict:
        shutil.rmtree(output, ignore_errors=True)
        start_wall, start_cpu = time.perf_counter(), cpu_seconds()
        lid = LanguageFilter(label_only=True)
        lid.model = LocalFT176()
        extractor = Trafilatura() if args.extractor == "trafilatura" else Resiliparse()
        executor = LocalPipelineExecutor(
            pipeline=[
                WarcReader(args.input, glob_pattern="*.warc.gz", limit=limit),
                extractor,
                lid,
                ParquetWriter(os.path.join(output, "data"), output_filename="${rank}.parquet"),
            ],
            tasks=1, workers=1, logging_dir=os.path.join(output, "logs"), skip_completed=False,
        )
        stats = executor.run()
        wall, cpu = time.perf_counter() - start_wall, cpu_seconds() - start_cpu
        steps = {}
        for step in stats.stats:
            steps[step.name] = {k: (v.total if hasattr(v, "total") else v) for k, v in step.stats.items()}
        return {"wall": wall, "cpu": cpu, "steps": steps}

    run_once(os.path.join(args.output, "warmup"), WARMUP_DOCS)
    results = [run_once(args.output, -1) for _ in range(args.runs)]
    from importlib.metadata import version
    with open(args.result, "w") as f:
        json.dump({"runs": results, "version": version("datatrove"),
                   "parquet": os.path.join(args.output, "data")}, f)


# --------------------------------------------------------------------------- refinery side


def prepare_input(warc_dir: str, repeat: int, tmp: str) -> list[str]:
    files = sorted(glob.glob(os.path.join(warc_dir, "*.warc.gz")))
    if not files:
        sys.exit(f"no *.warc.gz under {warc_dir}")
    if repeat == 1:
        return [os.path.abspath(f) for f in files]
    folder = os.path.join(tmp, "input", os.path.basename(os.path.normpath(warc_dir)))
    os.makedirs(folder)
    out = []
    for path in files:
        with open(path, "rb") as src:
            data = src.read()
        target = os.path.join(folder, os.path.basename(path))
        with open(target, "wb") as dst:
            for _ in range(repeat):
                dst.write(data)
        out.append(target)
    return out


def input_volume(files: list[str]) -> dict:
    """Response records, compressed bytes and HTTP body bytes of the input."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    responses = body = 0
    for path in files:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
                responses += 1
                body += len(record.reader.read())
    return {"responses": responses, "compressed_bytes": sum(os.path.getsize(f) for f in files), "html_bytes": body}


def run_ours(files: list[str], output: str) -> dict:
    """The operator path, as one Spark task would run it, minus Spark: kept rows to Parquet."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from refinery.ingest.config import IngestConfig
    from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester
    from schemas import OUTCOME

    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    ingest = make_file_ingester(IngestConfig(), tuple(files))
    indices = pa.RecordBatch.from_pydict({FILE_INDEX_COLUMN: pa.array(range(len(files)), pa.int64())})
    rows = kept = 0
    with pq.ParquetWriter(output, OUTCOME, compression="zstd") as writer:
        for batch in ingest(indices):
            rows += batch.num_rows
            batch = batch.filter(pc.is_null(batch.column("reason")))
            kept += batch.num_rows
            writer.write_batch(batch)
    return {"wall": time.perf_counter() - start_wall, "cpu": cpu_seconds() - start_cpu, "rows": rows, "kept": kept}


def run_spark(files: list[str], output: str, cpu: int | set[int], master: str = "local[1]") -> dict:
    """``jobs/ingest.py`` as a subprocess pinned to ``cpu`` (a set for local[2]); files may be one directory."""
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    shutil.rmtree(output, ignore_errors=True)
    cmd = [sys.executable, os.path.join(ROOT, "jobs", "ingest.py"), "--input", *files, "--output", output,
           "--master", master]
    cpus = cpu if isinstance(cpu, set) else {cpu}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True,
                          preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"jobs/ingest.py failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with open(os.path.join(output, "_stats.json")) as f:
        stats = json.load(f)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu_s, "job": stats["run"]["seconds"], "kept": stats["rows_kept"],
            "rows": stats["rows_in"]}


def run_datatrove(python: str, extractor: str, files: list[str], tmp: str, cpu: int, runs: int,
                  lid_model: str) -> dict:
    work = os.path.join(tmp, f"dt-{extractor}")
    result = os.path.join(tmp, f"dt-{extractor}.json")
    cmd = [python, os.path.abspath(__file__), "--datatrove-worker", "--input", os.path.dirname(files[0]),
           "--output", work, "--extractor", extractor, "--runs", str(runs), "--cpu", str(cpu),
           "--lid-model", lid_model, "--result", result]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if proc.returncode != 0:
        sys.exit(f"datatrove worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with open(result) as f:
        return json.load(f)


# --------------------------------------------------------------------------- quality


def quality(pages: dict[str, str], outputs: dict[str, str]) -> dict:
    """html_extract's recall / leakage over every page, a page without output scoring as ""."""
    sys.path.insert(0, HERE)
    from html_extract import Score, ground_truth, score

    result = Score()
    pages_with_truth = 0
    for doc_id, html in pages.items():
        truth = ground_truth(html)
        if not truth.main_units:
            continue
        pages_with_truth += 1
        score(truth, outputs.get(doc_id, ""), result)
    return {"pages": pages_with_truth, "main_found": result.main_found, "main_total": result.main_total,
            "bp_found": result.boilerplate_found, "bp_total": result.boilerplate_total, "empty": result.empty}


def html_pages(files: list[str]) -> dict[str, str]:
    """doc_id → decoded HTML of every HTML response (first copy when --repeat duplicated them)."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from refinery.ingest.charset import decode_html
    from refinery.ingest.documents import make_doc_id
    from refinery.ingest.readers import source_name

    pages = {}
    for path in files:
        source = source_name(path)
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
                content_type = record.http_headers.get("Content-Type") or ""
                if "html" not in content_type.lower():
                    continue
                doc_id = make_doc_id(source, path, 0, record.headers.get("WARC-Record-ID"))
                if doc_id not in pages:
                    pages[doc_id] = decode_html(record.reader.read(), content_type)[0]
    return pages


def read_ours(path: str) -> tuple[dict[str, str], dict[str, str]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["doc_id", "text", "lang"]).to_pydict()
    return dict(zip(table["doc_id"], table["text"])), dict(zip(table["doc_id"], table["lang"]))


def read_datatrove(path: str, files: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    import pyarrow.parquet as pq

    from refinery.ingest.documents import make_doc_id
    from refinery.ingest.readers import source_name

    source = source_name(files[0])
    table = pq.read_table(sorted(glob.glob(os.path.join(path, "*.parquet")))).to_pylist()
    texts, langs = {}, {}
    for row in table:
        doc_id = make_doc_id(source, files[0], 0, row["id"])
        texts.setdefault(doc_id, row["text"])
        meta = row.get("metadata") or {}
        langs.setdefault(doc_id, meta.get("language"))
    return texts, langs


# --------------------------------------------------------------------------- real corpus


def real_archives(which: str) -> str:
    """``cc/`` of the real corpus's archives (``make corpus``): ``slice`` or ``site``."""
    sys.path.insert(0, ROOT)
    import corpus.warc

    return str(corpus.warc.archives(slice=which == "slice") / "cc")


def oracle_recall(files: list[str], outputs: dict[str, str], which: str) -> dict:
    """corpus/recall.py's line recall of each side's text against the corpus's lxml text, by URL."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    import corpus
    from corpus.recall import line_recall
    from refinery.ingest.documents import make_doc_id
    from refinery.ingest.readers import source_name

    table = corpus.load(slice=which == "slice", columns=["url", "text", "kind"])
    oracle = {u: t for u, t, k in zip(*(table.column(c).to_pylist() for c in ("url", "text", "kind"))) if k == "html"}
    found = total = pages = 0
    for path in files:
        source = source_name(path)
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=False):
                url = record.headers.get("WARC-Target-URI")
                if url not in oracle:
                    continue
                doc_id = make_doc_id(source, path, 0, record.headers.get("WARC-Record-ID"))
                f, t = line_recall(oracle[url], outputs.get(doc_id, ""))
                found, total, pages = found + f, total + t, pages + 1
    return {"pages": pages, "lines_found": found, "lines": total}


_REPLICA_TAGS = re.compile(rb"(<(?:p|li|pre|td|dd|h[1-6])(?:\s[^>]*)?>)", re.I)


def write_replicas(site: str, out_dir: str, target_bytes: int, file_bytes: int = 64 * 2**20) -> list[str]:
    """Common Crawl-layout WARC.gz (corpus/warc.py's writer) of replicas of every real page until
    ``target_bytes``: replica k has its own URLs and record ids (``?replica=k``) and ``r<k>`` put at
    the start of each block, so no two replicas share a paragraph (Trafilatura's dedup cache,
    doc ids) while the pages stay real."""
    sys.path.insert(0, ROOT)
    from corpus.warc import CCFile, http_response, site_pages

    os.makedirs(out_dir, exist_ok=True)
    pages = site_pages(pathlib.Path(site))
    bodies = [(rel, (pathlib.Path(site) / rel).read_bytes()) for rel in pages]
    files, written, current, k = [], 0, None, 0
    while written < target_bytes:
        for rel, body in bodies:
            if current is None:
                path = os.path.join(out_dir, f"replica-{len(files):05d}.warc.gz")
                current, files = CCFile(pathlib.Path(path)), files + [path]
            varied = _REPLICA_TAGS.sub(lambda m: m.group(1) + b"r%d " % k, body)
            page = http_response(rel, varied)
            current.add(dataclasses.replace(page, url=f"{page.url}?replica={k}"))
            if current.size() >= file_bytes:
                written += current.size()
                current.close()
                current = None
                if written >= target_bytes:
                    break
        k += 1
    if current is not None:
        written += current.size()
        current.close()
    return files


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def scale(args, cpu: int) -> None:
    """Whole ingest jobs at several input sizes: Spark local[1], local[2], datatrove per extractor."""
    from refinery.ingest.langid import default_model_path

    sizes = [float(x) for x in args.scale.split(",")]
    import corpus

    site = str(corpus.root() / "site")
    cpus = sorted(os.sched_getaffinity(0))
    two = set(cpus[:2])
    extractors = [e for e in args.extractors.split(",") if e]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-scale-", dir=args.tmp) as tmp:
        for size in sizes:
            folder = os.path.join(tmp, f"in-{size:g}MB")
            started = time.perf_counter()
            files = write_replicas(site, folder, int(size * 1e6), file_bytes=min(64 * 2**20, max(2**20, int(size * 1e6 / 8))))
            volume = input_volume(files)
            n, cmb, hmb = volume["responses"], volume["compressed_bytes"] / 1e6, volume["html_bytes"] / 1e6
            print(f"size {size:g} MB: {len(files)} files, {n} responses, {cmb:.1f} MB compressed, {hmb:.1f} MB HTML "
                  f"(written in {time.perf_counter() - started:.0f} s); load {os.getloadavg()[0]:.2f}", flush=True)
            measured = {f"Spark job local[1]": [], f"Spark job local[2]": []}
            measured.update({f"datatrove WarcReader + {e}": [] for e in extractors})
            kept = {}
            run_spark([folder], os.path.join(tmp, "spark"), cpu)  # warm-up
            for i in range(args.runs):
                for master, pinned in (("local[1]", {cpu}), ("local[2]", two)):
                    r = run_spark([folder], os.path.join(tmp, "spark"), pinned, master)
                    measured[f"Spark job {master}"].append(r["wall"])
                    measured.setdefault(f"Spark job {master}, `run.seconds`", []).append(r["job"])
                    kept[f"Spark job {master}"] = kept[f"Spark job {master}, `run.seconds`"] = r["kept"]
                for e in extractors:
                    res = run_datatrove(args.datatrove_python, e, files, tmp, cpu, 1, default_model_path())
                    measured[f"datatrove WarcReader + {e}"].append(res["runs"][0]["wall"])
                    steps = res["runs"][0]["steps"]
                    kept[f"datatrove WarcReader + {e}"] = next(
                        (v.get("total", 0) for k, v in steps.items() if "Parquet" in k), "?")
                print(f"  run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in measured.items()), flush=True)
            for name, walls in measured.items():
                cores = 2 if "local[2]" in name else 1
                rows.append((size, n, cmb, name, cores, walls, kept.get(name)))
            shutil.rmtree(folder)
    print()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f} at end; runs per cell: {args.runs}")
    print("Spark wall = the whole spark-submit process (JVM start-up included); `run.seconds` = the job's own "
          "figure; datatrove = executor.run() in its warm worker process (interpreter start-up excluded)")
    print()
    print("| input | pipeline | cores | wall s min / median / max | docs/s per core | MB/s per core (compressed) | docs kept |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for size, n, cmb, name, cores, walls, k in rows:
        med = statistics.median(walls)
        print(f"| {cmb:.0f} MB, {n} docs | {name} | {cores} | {spread(walls)} | {n / med / cores:.0f} "
              f"| {cmb / med / cores:.2f} | {k} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([dict(zip(("size", "docs", "mb", "pipeline", "cores", "walls", "kept"), r)) for r in rows], f, indent=1)


# --------------------------------------------------------------------------- report


def machine() -> str:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return f"nproc={os.cpu_count()}, CPU {model!r}, RAM {mem_kb / 2**20:.0f} GiB"


def pct(found: int, total: int) -> str:
    return f"{100 * found / total:.1f}%" if total else "n/a"


def summarize(runs: list[dict], key: str = "wall") -> tuple[float, float]:
    values = [r[key] for r in runs]
    return min(values), statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warc", default=os.path.join(ROOT, "sample", "data", "warc"), help="folder of *.warc.gz")
    parser.add_argument("--repeat", type=int, default=1, help="concatenate K copies of each file")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each in-process pipeline (median)")
    parser.add_argument("--spark-runs", type=int, default=3, help="runs of jobs/ingest.py (0: skip)")
    parser.add_argument("--datatrove-python", default=DEFAULT_DT_PYTHON)
    parser.add_argument("--extractors", default=",".join(DT_EXTRACTORS), help="datatrove extractors to run")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: lowest allowed)")
    parser.add_argument("--json", help="also write every measurement here")
    parser.add_argument("--real", choices=("slice", "site"), nargs="?", const="site",
                        help="read the real corpus's cc/ archives (make corpus) instead of --warc; "
                             "adds line recall against the corpus's lxml text")
    parser.add_argument("--scale", nargs="?", const="100,300,1000", metavar="MB,MB,...",
                        help="whole jobs at these input sizes of replicated real pages (default 100,300,1000)")
    parser.add_argument("--tmp", help="where --scale writes its inputs (default: the system temp dir)")
    # datatrove worker mode (runs under --datatrove-python)
    parser.add_argument("--datatrove-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--extractor", help=argparse.SUPPRESS)
    parser.add_argument("--lid-model", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    if args.datatrove_worker:
        args.cpu = cpu
        return datatrove_worker(args)

    sys.path.insert(0, ROOT)
    from refinery.ingest.langid import default_model_path

    extractors = [e for e in args.extractors.split(",") if e]
    args.datatrove_python = os.path.abspath(args.datatrove_python)  # the workers run in a temp dir
    if extractors and not os.access(args.datatrove_python, os.X_OK):
        sys.exit(f"no datatrove virtualenv at {args.datatrove_python}; run `make bench` (it creates one)")
    if args.scale:
        return scale(args, cpu)
    if args.real:
        args.warc = real_archives(args.real)
    pin(cpu)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        files = prepare_input(args.warc, args.repeat, tmp)
        volume = input_volume(files)
        print(f"input: {len(files)} files x{args.repeat}, {volume['responses']} responses, "
              f"{volume['compressed_bytes'] / 1e6:.2f} MB compressed, {volume['html_bytes'] / 1e6:.2f} MB HTML; "
              f"pinned to CPU {cpu}; load average {load_start[0]:.2f}", flush=True)
        ours_out = os.path.join(tmp, "ours.parquet")
        run_ours(files[:1], ours_out)  # warm-up: imports, model file, page cache
        ours, dt = [], {e: [] for e in extractors}
        dt_meta = {}
        # Alternate: ours, datatrove (each extractor), ours, ... one timed run of each per round.
        for i in range(args.runs):
            ours.append(run_ours(files, ours_out))
            print(f"  round {i + 1}: refinery {ours[-1]['wall']:.2f}s", end="", flush=True)
            for e in extractors:
                res = run_datatrove(args.datatrove_python, e, files, tmp, cpu, 1, default_model_path())
                dt[e].append(res["runs"][0])
                dt_meta[e] = res
                print(f", datatrove+{e} {dt[e][-1]['wall']:.2f}s", end="", flush=True)
            print(flush=True)
        spark = []
        if args.spark_runs:
            run_spark(files, os.path.join(tmp, "spark"), cpu)  # warm-up: JVM class data, jars in page cache
            for i in range(args.spark_runs):
                spark.append(run_spark(files, os.path.join(tmp, "spark"), cpu))
                print(f"  spark run {i + 1}: {spark[-1]['wall']:.1f}s wall, job {spark[-1]['job']:.1f}s", flush=True)

        pages = html_pages(files)
        our_texts, our_langs = read_ours(ours_out)
        qual = {"refinery (resiliparse)": quality(pages, our_texts)}
        lang_agree = {}
        for e in extractors:
            texts, langs = read_datatrove(dt_meta[e]["parquet"], files)
            qual[f"datatrove ({e})"] = quality(pages, texts)
            common = [d for d in langs if d in our_langs]
            lang_agree[e] = (sum(langs[d] == our_langs[d] for d in common), len(common))
        recall = {}
        if args.real:
            recall["refinery (resiliparse)"] = oracle_recall(files, our_texts, args.real)
            for e in extractors:
                recall[f"datatrove ({e})"] = oracle_recall(files, read_datatrove(dt_meta[e]["parquet"], files)[0], args.real)
        dt_version = next(iter(dt_meta.values()))["version"] if dt_meta else "n/a"
    load_end = os.getloadavg()

    n, cmb, hmb = volume["responses"], volume["compressed_bytes"] / 1e6, volume["html_bytes"] / 1e6

    def row(name: str, runs: list[dict], kept: int, key: str = "wall", with_cpu: bool = True) -> str:
        lo, med = summarize(runs, key)
        cpu_med = f"{statistics.median(r['cpu'] for r in runs):.2f}" if with_cpu else "n/a"
        return (f"| {name} | {med:.2f} ({lo:.2f}) | {cpu_med} | {n / med:.0f} | {cmb / med:.2f} "
                f"| {hmb / med:.2f} | {kept} |")

    print()
    print(f"{machine()}; datatrove {dt_version}; {len(files)} files x{args.repeat}: {n} responses, "
          f"{cmb:.2f} MB compressed, {hmb:.2f} MB HTML; one CPU; load average {load_start[0]:.2f} at start, "
          f"{load_end[0]:.2f} at end")
    print()
    print("| pipeline (1 CPU) | wall s, median (min) | CPU s | docs/s | MB/s compressed | MB/s HTML | docs kept |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(row("refinery operator path (no Spark)", ours, ours[-1]["kept"]))
    for e in extractors:
        steps = dt[e][-1]["steps"]
        kept = next((v.get("total", 0) for k, v in steps.items() if "Parquet" in k), "?")
        print(row(f"datatrove WarcReader + {e}", dt[e], kept))
    if spark:
        # The JVM is not reaped by the Python driver, so its CPU time never reaches our rusage.
        print(row("refinery Spark job, whole process (local[1])", spark, spark[-1]["kept"], with_cpu=False))
        print(row("refinery Spark job, `run.seconds`", spark, spark[-1]["kept"], key="job", with_cpu=False))
    print()
    for e in extractors:
        pairs = [d["wall"] / o["wall"] for o, d in zip(ours, dt[e])]
        cpu_pairs = [d["cpu"] / o["cpu"] for o, d in zip(ours, dt[e])]
        print(f"ratio refinery/datatrove+{e} (docs/s per core; median of {len(pairs)} paired runs): "
              f"{statistics.median(pairs):.2f}x (pairs {', '.join(f'{p:.2f}' for p in pairs)}); "
              f"by CPU seconds {statistics.median(cpu_pairs):.2f}x")
    for e in extractors:
        timeouts = {k: v.get("timeout", 0) for k, v in dt[e][-1]["steps"].items() if "timeout" in v}
        if any(timeouts.values()):
            print(f"datatrove+{e}: extraction timeouts in the last run: {timeouts}")
    print()
    print("| extraction (same pages) | pages with ground truth | main recall | boilerplate leakage | empty or not kept |")
    print("|---|---:|---:|---:|---:|")
    for name, q in qual.items():
        print(f"| {name} | {q['pages']} | {pct(q['main_found'], q['main_total'])} "
              f"| {pct(q['bp_found'], q['bp_total'])} | {q['empty']} |")
    if args.repeat > 1 and "trafilatura" in extractors:
        print("note: with --repeat > 1 datatrove's Trafilatura(deduplicate=True) drops paragraphs it has seen "
              "before in the task, so its kept count and quality here are not those of distinct pages")
    if recall:
        print()
        print("| extraction vs the corpus's lxml text | pages | oracle lines (>= 40 chars) recovered |")
        print("|---|---:|---:|")
        for name, r in recall.items():
            print(f"| {name} | {r['pages']} | {pct(r['lines_found'], r['lines'])} |")
    for e, (same, total) in lang_agree.items():
        print(f"language label agreement with datatrove+{e} on the {total} documents both kept: {pct(same, total)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"volume": volume, "ours": ours, "datatrove": dt, "spark": spark, "quality": qual,
                       "lang_agree": lang_agree, "datatrove_version": dt_version, "oracle_recall": recall,
                       "load": [load_start, load_end]}, f, indent=1)


if __name__ == "__main__":
    main()
