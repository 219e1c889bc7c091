"""Ingest throughput per core: the refinery's ingest vs datatrove's WarcReader + extractor, same WARC files.

    python bench/ingest.py [--warc sample/data/warc | --real [slice|site]] [--repeat K] [--runs 3] [--spark-runs 3]
                           [--datatrove-python .bench/venv-datatrove/bin/python]
    python bench/ingest.py --scale [100,300,1000] [--runs 3,3,1] [--pipelines-at MB=spark1,...] [--tmp DIR]
    python bench/ingest.py --startup [--runs 3] [--tmp DIR]

``--real``: the real corpus's Common Crawl-layout archives (``make corpus``: corpus/warc.py, one gzip
member per record) instead of the bundled sample, plus the line recall of each side's text against
the corpus's lxml text (corpus/recall.py). ``--scale``: the whole jobs at each input size (MB of
WARC.gz; bench/scale_common.py: replicas of every real page, own URLs, record ids and a replica tag in
every block), then per round ``jobs/ingest.py`` on ``local[1]`` (one CPU) and ``local[2]`` (two CPUs)
and the whole datatrove worker process with each extractor (one CPU), each a ``taskset``-pinned
process tree timed launch → exit: min / median / max of wall and of CPU seconds of every process in
the tree, docs and MB per core. ``--startup``: the job on a one-page input, and its parts
(bench/ingest_startup.py).

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
import glob
import json
import os
import pathlib
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

    if not args.no_warmup:
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


PIPELINES = ("spark1", "spark2", "dt-resiliparse", "dt-trafilatura")
PIPELINE_NAMES = {"spark1": "Spark job local[1]", "spark2": "Spark job local[2]",
                  "dt-resiliparse": "datatrove WarcReader + resiliparse", "dt-trafilatura": "datatrove WarcReader + trafilatura"}


def scale_run(name: str, sf: dict, out: str, cpus: list[int], args, lid_model: str) -> dict:
    """One whole run of pipeline ``name`` on size folder ``sf``: a pinned process tree, launch to exit."""
    from scale_common import run_tree, spark_env

    if name.startswith("spark"):
        master, pinned = ("local[1]", {cpus[0]}) if name == "spark1" else ("local[2]", set(cpus[:2]))
        shutil.rmtree(out, ignore_errors=True)
        r = run_tree([sys.executable, os.path.join(ROOT, "jobs", "ingest.py"), "--input", sf["folder"],
                      "--output", out, "--master", master], pinned, env=spark_env(), cwd=ROOT)
        if r["rc"] != 0:
            sys.exit(f"jobs/ingest.py failed ({r['rc']}):\n{r['stderr'][-3000:]}")
        with open(os.path.join(out, "_stats.json")) as f:
            stats = json.load(f)
        return {**r, "cores": len(pinned), "rows_in": stats["rows_in"], "kept": stats["rows_kept"],
                "job_seconds": stats["run"]["seconds"], "stdout": None, "stderr": None}
    extractor = name.split("-", 1)[1]
    result = out + ".json"
    work = out + "-work"
    r = run_tree([args.datatrove_python, os.path.abspath(__file__), "--datatrove-worker", "--no-warmup",
                  "--input", sf["folder"], "--output", work, "--extractor", extractor, "--runs", "1",
                  "--cpu", str(cpus[0]), "--lid-model", lid_model, "--result", result], {cpus[0]}, cwd=args.tmp)
    if r["rc"] != 0:
        sys.exit(f"datatrove worker failed ({r['rc']}):\n{r['stderr'][-3000:]}")
    with open(result) as f:
        res = json.load(f)
    shutil.rmtree(work, ignore_errors=True)
    steps = res["runs"][0]["steps"]
    read = next((v.get("documents", 0) for k, v in steps.items() if "WARC" in k.upper()), None)
    kept = next((v.get("total", 0) for k, v in steps.items() if "Parquet" in k), None)
    timeouts = sum(v.get("timeout", 0) for v in steps.values())
    return {**r, "cores": 1, "rows_in": read, "kept": kept, "job_seconds": res["runs"][0]["wall"],
            "timeouts": timeouts, "steps": steps, "stdout": None, "stderr": None}


def scale(args, cpu: int) -> None:
    """Whole ingest jobs at several input sizes, side by side: Spark local[1], local[2], datatrove per extractor."""
    sys.path.insert(0, HERE)
    from refinery.ingest.langid import default_model_path
    from scale_common import (become_subreaper, ensure_replicas, machine, paired_ratio_line, runs_by_pipeline,
                              size_folder, spread)

    import corpus

    become_subreaper()
    sizes = [float(x) for x in args.scale.split(",")]
    runs = [int(x) for x in str(args.runs).split(",")]
    runs = runs + [runs[-1]] * (len(sizes) - len(runs))
    only = dict(item.split("=", 1) for item in args.pipelines_at)  # size -> pipelines
    cpus = sorted(os.sched_getaffinity(0))
    cpus = [cpu] + [c for c in cpus if c != cpu]
    if len(cpus) < 2:
        sys.exit("--scale needs two CPUs (local[2])")
    args.tmp = os.path.abspath(args.tmp or os.path.join(tempfile.gettempdir(), "bench-ingest-scale"))
    site = str(corpus.root() / "site")
    replicas = os.path.join(args.tmp, "replicas")
    lid = os.path.join(ROOT, default_model_path())  # the datatrove worker runs in --tmp
    results = []
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    for size, n_runs in zip(sizes, runs):
        manifest = ensure_replicas(site, replicas, int(size * 1e6), log=log)
        sf = size_folder(replicas, manifest, int(size * 1e6), os.path.join(args.tmp, f"in-{size:g}MB"))
        names = only.get(f"{size:g}", ",".join(PIPELINES)).split(",")
        log(f"size {size:g} MB: {len(sf['files'])} files, {sf['responses']} responses, {sf['bytes'] / 1e6:.1f} MB "
            f"compressed, {sf['html_bytes'] / 1e6:.1f} MB of HTTP bodies; {n_runs} runs of {', '.join(names)}; "
            f"load {os.getloadavg()[0]:.1f}")
        out_dir = os.path.join(args.tmp, f"out-{size:g}MB")
        os.makedirs(out_dir, exist_ok=True)
        for i in range(n_runs):
            for name in names:  # one run of each pipeline per round: drift in machine load hits all
                r = scale_run(name, sf, os.path.join(out_dir, name), cpus, args, lid)
                r.update(size=size, run=i, pipeline=name, docs=sf["responses"], bytes=sf["bytes"],
                         html_bytes=sf["html_bytes"])
                results.append(r)
                log(f"  run {i + 1} {name}: wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s, own {r['job_seconds']:.1f} s, "
                    f"rows_in {r['rows_in']}, kept {r['kept']}, load {r['load']:.1f}")
                if args.json:
                    with open(args.json, "w") as f:
                        json.dump(results, f, indent=1)
    print()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f} at end")
    print("wall = launch to exit of the whole pinned process tree; CPU = user + system of every process in it; "
          "own = the job's `run.seconds` (Spark) / `executor.run()` (datatrove)")
    print()
    print("| input | pipeline | cores | runs | wall s min / median / max | CPU s min / median / max | own s median "
          "| docs/s per core (wall) | docs per CPU s | MB/s per core (wall) | MB per CPU s | rows in | kept | load |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, name, rs in runs_by_pipeline(results, sizes, PIPELINES):
        n, mb, cores = rs[0]["docs"], rs[0]["bytes"] / 1e6, rs[0]["cores"]
        wall = statistics.median(r["wall"] for r in rs)
        cpu_s = statistics.median(r["cpu"] for r in rs)
        own = statistics.median(r["job_seconds"] for r in rs)
        loads = [r["load"] for r in rs]
        print(f"| {mb:.0f} MB, {n} docs | {PIPELINE_NAMES[name]} | {cores} | {len(rs)} | "
              f"{spread([r['wall'] for r in rs])} | {spread([r['cpu'] for r in rs])} | {own:.1f} | "
              f"{n / wall / cores:.1f} | {n / cpu_s:.1f} | {mb / wall / cores:.3f} | {mb / cpu_s:.3f} | "
              f"{rs[-1]['rows_in']} | {rs[-1]['kept']} | {min(loads):.0f}-{max(loads):.0f} |")
    print()
    for size in sizes:
        for ours in ("spark1", "spark2"):
            for dt in ("dt-trafilatura", "dt-resiliparse"):
                line = paired_ratio_line(results, size, ours, dt,
                                         f"{size:g} MB: {PIPELINE_NAMES[ours]} vs {PIPELINE_NAMES[dt]}")
                if line:
                    print(line)


def startup(args, cpu: int) -> None:
    """The ingest job's fixed cost: the whole job on a one-page input, and where its time goes."""
    sys.path.insert(0, HERE)
    from scale_common import become_subreaper, ensure_replicas, machine, run_tree, spark_env, spread

    import corpus

    become_subreaper()
    args.tmp = os.path.abspath(args.tmp or os.path.join(tempfile.gettempdir(), "bench-ingest-scale"))
    folder = os.path.join(args.tmp, "one-page")
    if not os.path.exists(os.path.join(folder, "one.warc.gz")):
        from corpus.warc import CCFile, http_response, site_pages

        os.makedirs(folder, exist_ok=True)
        site = corpus.root() / "site"
        rel = next(p for p in site_pages(site) if p.endswith(".html") and (site / p).stat().st_size > 20000)
        f = CCFile(pathlib.Path(folder) / "one.warc.gz")
        f.add(http_response(rel, (site / rel).read_bytes()))
        f.close()
    runs = int(str(args.runs).split(",")[0])
    env = spark_env()
    whole, parts = [], []
    for _ in range(runs):
        out = os.path.join(args.tmp, "one-page-out")
        shutil.rmtree(out, ignore_errors=True)
        r = run_tree([sys.executable, os.path.join(ROOT, "jobs", "ingest.py"), "--input", folder, "--output", out,
                      "--master", "local[1]"], {cpu}, env=env, cwd=ROOT)
        if r["rc"] != 0:
            sys.exit(f"jobs/ingest.py failed: {r['stderr'][-2000:]}")
        whole.append(r)
        env2 = dict(env, BENCH_LAUNCH=repr(time.time()))
        p = run_tree([sys.executable, os.path.join(HERE, "ingest_startup.py"), folder, out], {cpu}, env=env2, cwd=ROOT)
        if p["rc"] != 0:
            sys.exit(f"bench/ingest_startup.py failed: {p['stderr'][-2000:]}")
        parts.append({**json.loads(p["stdout"].strip().splitlines()[-1]), "wall": p["wall"], "cpu": p["cpu"]})
        print(f"  whole {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU; parts {parts[-1]}", flush=True)
    print()
    loads = ", ".join(f"{r['load']:.1f}" for r in whole)
    print(f"{machine()}; one CPU; {runs} runs; load {loads}")
    print()
    print("| ingest job on a one-page WARC.gz, local[1] | wall s min / median / max | CPU s min / median / max |")
    print("|---|---:|---:|")
    print(f"| whole `jobs/ingest.py` process (launch to exit) | {spread([r['wall'] for r in whole])} "
          f"| {spread([r['cpu'] for r in whole])} |")
    for key, label in (("interpreter", "interpreter start to first line (launch → `import`)"),
                       ("imports", "driver imports (`refinery.spark.ingest`, `refinery.spark.session`)"),
                       ("session", "JVM + SparkSession (`build_session`)"),
                       ("python_worker", "first Python task (an identity `mapInArrow`: worker start, Arrow)"),
                       ("first_job", "ingest `run()`: operator load in the worker (imports, lid.176), read, write, commit"),
                       ("second_job", "the same `run()` again, worker warm: the per-job cost left"),
                       ("stop", "`spark.stop()`"),
                       ("operator_load", "(in a fresh Python: `make_file_ingester` imports + model load)"),
                       ("first_record", "(in a fresh Python: then the first page through the operator)")):
        print(f"| {label} | {spread([p[key] for p in parts], '{:.2f}')} | |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"whole": [{k: v for k, v in r.items() if k not in ("stdout", "stderr")} for r in whole],
                       "parts": parts}, f, indent=1)


# --------------------------------------------------------------------------- report


def pct(found: int, total: int) -> str:
    return f"{100 * found / total:.1f}%" if total else "n/a"


def summarize(runs: list[dict], key: str = "wall") -> tuple[float, float]:
    values = [r[key] for r in runs]
    return min(values), statistics.median(values)


def main() -> None:
    from scale_common import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warc", default=os.path.join(ROOT, "sample", "data", "warc"), help="folder of *.warc.gz")
    parser.add_argument("--repeat", type=int, default=1, help="concatenate K copies of each file")
    parser.add_argument("--runs", default="3", help="timed runs of each pipeline (median); with --scale one "
                        "figure per size is allowed: 3,3,1")
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
    parser.add_argument("--pipelines-at", action="append", default=[], metavar="MB=P,P",
                        help=f"--scale: run only these pipelines at that size (of {','.join(PIPELINES)})")
    parser.add_argument("--startup", action="store_true",
                        help="the ingest job's fixed cost: the whole job on one page, and its parts")
    parser.add_argument("--tmp", help="where --scale keeps its inputs and outputs (default: $TMPDIR/bench-ingest-scale; "
                        "the 1000 MB size needs ~2.5 GB); bench/clean.py --scale reads the outputs there")
    # datatrove worker mode (runs under --datatrove-python)
    parser.add_argument("--datatrove-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--extractor", help=argparse.SUPPRESS)
    parser.add_argument("--lid-model", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--no-warmup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    if args.datatrove_worker:
        args.cpu, args.runs = cpu, int(args.runs)
        return datatrove_worker(args)

    sys.path.insert(0, ROOT)
    from refinery.ingest.langid import default_model_path

    if args.startup:
        return startup(args, cpu)
    extractors = [e for e in args.extractors.split(",") if e]
    args.datatrove_python = os.path.abspath(args.datatrove_python)  # the workers run in a temp dir
    if extractors and not os.access(args.datatrove_python, os.X_OK):
        sys.exit(f"no datatrove virtualenv at {args.datatrove_python}; run `make bench` (it creates one)")
    if args.scale:
        return scale(args, cpu)
    args.runs = int(args.runs)
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
                res = run_datatrove(args.datatrove_python, e, files, tmp, cpu, 1, os.path.join(ROOT, default_model_path()))  # the worker runs in tmp
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
