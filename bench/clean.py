"""Clean-stage rules vs datatrove: per-rule decision agreement and docs/s per core, same documents.

    python bench/clean.py [--docs PARQUET | --real [slice|site]] [--variants 2] [--runs 3] [--repeat 1]
                          [--datatrove-python .bench/venv-datatrove/bin/python] [--json out.json]

Documents (English only; the rules compared are English rules):

* the English documents of the bundled sample (``sample/data``, ingested here with the ingest
  operator, no Spark), or any documents dataset given with ``--docs`` (a stage's ``kept/``), or
  with ``--real`` the real corpus's English non-code documents (``corpus.load()``, their text);
* ``--variants K`` seeded perturbations of each of them, built to land near the thresholds:
  cut to a few sentences, bullet/hashtag/ellipsis lines appended, lines or paragraphs repeated,
  a code block or "lorem ipsum" or a cookie line inserted, lines broken short;
* the long descriptions (README text) of the installed Python packages (``*.dist-info/METADATA``
  of the running interpreter), real English prose and markdown written by people.

Agreement: datatrove 0.10.1's ``GopherRepetitionFilter``, ``GopherQualityFilter``,
``C4QualityFilter`` and ``FineWebQualityFilter`` (default arguments, its spaCy English
tokenizer) run each document separately in datatrove's virtualenv (this file re-runs itself
there with ``--datatrove-worker``); ours evaluates the same families with the ``en`` profile.
A filter agrees on a document when both keep it or both drop it; per rule, when both name that
rule as the reason or neither does.

Speed: every process pinned to ONE CPU (``sched_setaffinity``), so docs/s is per core.
datatrove: the four filters chained through their ``run()`` generators (stats and timing as in
a pipeline; a dropped document does not reach the next filter), one timed run per worker process
after a 50-document warm-up that loads spaCy (documents are deep-copied before the clock starts:
C4 rewrites texts). Ours: ``refinery.filters.pipeline.clean_batch`` with steps ``lines,rules`` over Arrow
batches of 1,024 (filter mode: a family only measures the documents still alive) and in
annotate mode (every rule measured on every document); the PII pass (``refinery.pii.scrub_pii``)
timed on its own. Runs alternate (ours, datatrove, ours, datatrove, ...), so load from other work
on the machine hits both sides, and the median of ``--runs`` is reported.
"""
from __future__ import annotations

import argparse
import copy
import glob
import json
import os
import random
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DT_PYTHON = os.path.join(ROOT, ".bench", "venv-datatrove", "bin", "python")
FILTERS = ("gopher_repetition", "gopher_quality", "c4", "fineweb")

# datatrove's reason strings -> our rule ids
DT_REASONS = {
    "gopher_short_doc": "gopher.min_words", "gopher_long_doc": "gopher.max_words",
    "gopher_below_avg_threshold": "gopher.min_mean_word_length",
    "gopher_above_avg_threshold": "gopher.max_mean_word_length",
    "gopher_too_many_hashes": "gopher.hash_ratio", "gopher_too_many_ellipsis": "gopher.ellipsis_ratio",
    "gopher_too_many_bullets": "gopher.bullet_lines", "gopher_too_many_end_ellipsis": "gopher.ellipsis_lines",
    "gopher_below_alpha_threshold": "gopher.alpha_words", "gopher_enough_stop_words": "gopher.stop_words",
    "dup_para_frac": "gopher.dup_para_frac", "dup_para_char_frac": "gopher.dup_para_char_frac",
    "dup_line_frac": "gopher.dup_line_frac", "dup_line_char_frac": "gopher.dup_line_char_frac",
    **{f"top_{n}_gram": f"gopher.top_{n}gram_char_frac" for n in (2, 3, 4)},
    **{f"duplicated_{n}_n_grams": f"gopher.dup_{n}gram_char_frac" for n in range(5, 11)},
    "lorem_ipsum": "c4.lorem_ipsum", "curly_bracket": "c4.curly_bracket", "too_few_sentences": "c4.min_sentences",
    "line_punct_ratio": "fineweb.line_punct_ratio", "short_line_ratio": "fineweb.short_line_ratio",
    "char_dup_ratio": "fineweb.char_dup_ratio", "list_ratio": "fineweb.list_ratio",
    "empty": "empty",
}


def pin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})


# --------------------------------------------------------------------------- datatrove worker


def datatrove_worker(args) -> None:
    """Runs under datatrove's virtualenv: per-filter decisions, then timed chained runs."""
    pin(args.cpu)
    import pyarrow.parquet as pq
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)

    table = pq.read_table(args.input)
    docs = [Document(text=t, id=i) for t, i in zip(table.column("text").to_pylist(), table.column("id").to_pylist())]
    make = {"gopher_repetition": GopherRepetitionFilter, "gopher_quality": GopherQualityFilter,
            "c4": C4QualityFilter, "fineweb": FineWebQualityFilter}
    decisions = {}
    if not args.timed:
        for name in FILTERS:
            f = make[name]()
            out = []
            for d in docs:
                try:
                    r = f.filter(copy.deepcopy(d))
                except ZeroDivisionError:  # datatrove divides by the token count; an empty doc raises
                    r = (False, "empty")
                out.append(True if r is True else r[1])
            decisions[name] = out

    def chained(batch):
        filters = [make[n]() for n in FILTERS]
        stream = iter(batch)
        for f in filters:
            stream = f.run(stream, rank=0, world_size=1)
        return sum(1 for _ in stream)

    runs = []
    if args.timed:
        chained(copy.deepcopy(docs[:50]))  # warm-up: spaCy and the filters' lazy state
        batch = copy.deepcopy(docs)  # C4 rewrites texts: a fresh copy, made before the clock starts
        start = time.perf_counter()
        kept = chained(batch)
        runs.append({"wall": time.perf_counter() - start, "kept": kept})
    from importlib.metadata import version
    with open(args.result, "w") as f:
        json.dump({"decisions": decisions, "runs": runs, "version": version("datatrove"),
                   "spacy": version("spacy")}, f)


def datatrove_pipeline_worker(args) -> None:
    """``--scale``, under datatrove's virtualenv: ParquetReader → the four filters → ParquetWriter, one run."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)
    from datatrove.pipeline.readers import ParquetReader
    from datatrove.pipeline.writers import ParquetWriter

    start = time.perf_counter()
    executor = LocalPipelineExecutor(
        pipeline=[ParquetReader(args.input, glob_pattern="*.parquet", id_key="doc_id"),
                  GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter(),
                  ParquetWriter(os.path.join(args.output, "data"), output_filename="${rank}.parquet")],
        tasks=1, workers=1, logging_dir=os.path.join(args.output, "logs"), skip_completed=False)
    stats = executor.run()
    wall = time.perf_counter() - start
    steps = {}
    for step in stats.stats:
        steps[step.name] = {k: (v.total if hasattr(v, "total") else v) for k, v in step.stats.items()}
    with open(args.result, "w") as f:
        json.dump({"wall": wall, "steps": steps}, f)


# --------------------------------------------------------------------------- whole jobs at scale


def scale(args) -> int:
    """The whole clean job (local[1], local[2]) vs datatrove's four filters as a pipeline, on bench/ingest.py
    --scale's ingest outputs (``<tmp>/out-<size>MB/spark2``: its last local[2] run), launch to exit."""
    sys.path.insert(0, HERE)
    import shutil

    from scale_common import become_subreaper, machine, paired_ratio_line, run_tree, runs_by_pipeline, spark_env, spread

    become_subreaper()
    tmp = os.path.abspath(args.tmp or os.path.join(tempfile.gettempdir(), "bench-ingest-scale"))
    sizes = args.scale.split(",")
    runs = [int(x) for x in str(args.runs_at).split(",")]
    runs = runs + [runs[-1]] * (len(sizes) - len(runs))
    cpus = sorted(os.sched_getaffinity(0))
    cpus = [args.cpu] + [c for c in cpus if c != args.cpu]
    results = []
    for size, n_runs in zip(sizes, runs):
        ingested = os.path.join(tmp, f"out-{float(size):g}MB", "spark2")
        if not os.path.exists(os.path.join(ingested, "_stats.json")):
            sys.exit(f"no ingest output at {ingested}: run bench/ingest.py --scale {size} --tmp {tmp} first")
        with open(os.path.join(ingested, "_stats.json")) as f:
            docs = json.load(f)["rows_kept"]
        kept_dir = os.path.join(ingested, "kept")
        mb = sum(os.path.getsize(os.path.join(kept_dir, n)) for n in os.listdir(kept_dir) if n.endswith(".parquet")) / 1e6
        print(f"size {size} MB of WARC.gz: {docs} ingested documents, {mb:.1f} MB of Parquet; load "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        for i in range(n_runs):
            for name in args.pipelines.split(","):
                out = os.path.join(tmp, f"clean-{float(size):g}MB", name)
                shutil.rmtree(out, ignore_errors=True)
                if name == "datatrove":
                    result = out + ".json"
                    r = run_tree([args.datatrove_python, os.path.abspath(__file__), "--datatrove-pipeline-worker",
                                  "--input", kept_dir, "--output", out, "--result", result], {cpus[0]}, cwd=tmp)
                    if r["rc"] != 0:
                        sys.exit(f"datatrove worker failed:\n{r['stderr'][-3000:]}")
                    with open(result) as f:
                        res = json.load(f)
                    kept = list(res["steps"].values())[-1].get("total")  # the writer, last step
                    r.update(cores=1, own=res["wall"], kept=kept, steps=res["steps"])
                    shutil.rmtree(out, ignore_errors=True)
                else:
                    master, pinned = ("local[1]", {cpus[0]}) if name == "clean1" else ("local[2]", set(cpus[:2]))
                    r = run_tree([sys.executable, os.path.join(ROOT, "jobs", "clean.py"), "--input", ingested,
                                  "--output", out, "--master", master], pinned, env=spark_env(), cwd=ROOT)
                    if r["rc"] != 0:
                        sys.exit(f"jobs/clean.py failed ({r['rc']}):\n{r['stderr'][-3000:]}")
                    with open(os.path.join(out, "_stats.json")) as f:
                        stats = json.load(f)
                    r.update(cores=len(pinned), own=stats["run"]["seconds"], kept=stats["rows_kept"])
                r.update(size=size, run=i, pipeline=name, docs=docs, mb=mb, stdout=None, stderr=None)
                results.append(r)
                print(f"  run {i + 1} {name}: wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s, own {r['own']:.1f} s, "
                      f"kept {r['kept']}, load {r['load']:.1f}", flush=True)
                if args.json:
                    with open(args.json, "w") as f:
                        json.dump(results, f, indent=1)
    names = {"clean1": "clean job local[1]", "clean2": "clean job local[2]",
             "datatrove": "datatrove ParquetReader + Gopher rep. + Gopher quality + C4 + FineWeb"}
    print()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f} at end")
    print()
    print("| input | pipeline | cores | runs | wall s min / median / max | CPU s min / median / max | own s median "
          "| docs/s per core (wall) | docs per CPU s | kept | load |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, name, rs in runs_by_pipeline(results, sizes, names):
        n, cores = rs[0]["docs"], rs[0]["cores"]
        wall, cpu_s = statistics.median(r["wall"] for r in rs), statistics.median(r["cpu"] for r in rs)
        loads = [r["load"] for r in rs]
        print(f"| {size} MB WARC.gz, {n} docs | {names[name]} | {cores} | {len(rs)} | {spread([r['wall'] for r in rs])} "
              f"| {spread([r['cpu'] for r in rs])} | {statistics.median(r['own'] for r in rs):.1f} "
              f"| {n / wall / cores:.1f} | {n / cpu_s:.1f} | {rs[-1]['kept']} | {min(loads):.0f}-{max(loads):.0f} |")
    print()
    for size in sizes:
        for ours in ("clean1", "clean2"):
            line = paired_ratio_line(results, size, ours, "datatrove", f"{size} MB: {names[ours]} vs datatrove")
            if line:
                print(line)
    return 0


# --------------------------------------------------------------------------- documents


def sample_english_docs() -> list[str]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from refinery.ingest.config import IngestConfig
    from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester
    from refinery.ingest.readers import list_input_files

    files = tuple(list_input_files([os.path.join(ROOT, "sample", "data", "warc"), os.path.join(ROOT, "sample", "data", "jsonl")]))
    ingest = make_file_ingester(IngestConfig(), files)
    texts = []
    for batch in ingest(pa.RecordBatch.from_pydict({FILE_INDEX_COLUMN: pa.array(range(len(files)), pa.int64())})):
        keep = pc.and_(pc.is_null(batch.column("reason")), pc.equal(batch.column("lang"), "en"))
        texts += batch.filter(pc.fill_null(keep, False)).column("text").to_pylist()
    return texts


def package_readmes(limit: int = 400) -> list[str]:
    """Long descriptions of installed packages: real English prose and markdown."""
    out = []
    for path in sorted(glob.glob(os.path.join(sysconfig.get_paths()["purelib"], "*.dist-info", "METADATA"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            body = f.read().split("\n\n", 1)
        if len(body) == 2 and len(body[1].split()) >= 30:
            out.append(body[1].strip())
    return out[:limit]


def variants(text: str, rng: random.Random) -> str:
    """One perturbation meant to push a rule near its threshold."""
    lines = [l for l in text.split("\n") if l.strip()]
    words = text.split()
    kind = rng.randrange(9)
    if kind == 0:  # short: a few sentences
        return " ".join(words[: rng.randrange(20, 90)]) + "."
    if kind == 1:  # bullets
        return "\n".join(lines[:2] + [f"- {' '.join(rng.sample(words, min(len(words), rng.randrange(3, 9))))}" for _ in range(rng.randrange(3, 25))])
    if kind == 2:  # repeated lines / paragraphs
        rep = lines[: rng.randrange(1, 4)] * rng.randrange(2, 6)
        return "\n".join(lines + rep) if rng.random() < 0.5 else "\n\n".join(lines + rep)
    if kind == 3:  # hashtags and ellipses
        extra = " ".join(rng.choice(["#news", "#tbt", "...", "…", "#x"]) for _ in range(rng.randrange(1, 30)))
        return text + "\n" + extra
    if kind == 4:  # code block
        return text + "\n\ndef f(x) {\n  return x + 1;\n}\n"
    if kind == 5:  # lorem / cookie / javascript lines
        return text + "\n" + rng.choice(["Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                                         "This site uses cookies to improve your experience.",
                                         "Please enable JavaScript to view the comments."])
    if kind == 6:  # short lines
        return "\n".join(w for w in words[: rng.randrange(30, 200)])
    if kind == 7:  # ellipsis line endings
        return "\n".join(l + ("..." if rng.random() < 0.5 else "") for l in lines)
    return "\n".join(lines[i] for i in sorted(rng.sample(range(len(lines)), max(1, len(lines) // 2)))) if lines else text


def build_corpus(args) -> list[str]:
    if args.docs:
        import pyarrow.dataset as ds

        table = ds.dataset(args.docs, format="parquet", partitioning="hive").to_table(columns=["text", "lang"])
        base = [t for t, l in zip(table.column("text").to_pylist(), table.column("lang").to_pylist()) if l == "en"]
    elif args.real:
        # The real corpus's English documents (HTML manuals, POD, tutorials) as its lxml/plain text.
        sys.path.insert(0, ROOT)
        import corpus

        table = corpus.load(slice=args.real == "slice", columns=["text", "lang", "kind"])
        base = [t for t, l, k in zip(*(table.column(c).to_pylist() for c in ("text", "lang", "kind")))
                if l == "en" and k != "code"]
    else:
        base = sample_english_docs()
    rng = random.Random(args.seed)
    out = list(base)
    for _ in range(args.variants):
        out += [variants(t, rng) for t in base]
    if args.readmes:
        out += package_readmes()
    return out * args.repeat


# --------------------------------------------------------------------------- our side


def our_decisions(texts: list[str]) -> dict:
    """First failing rule per family (None: kept), en profile, every family on every document."""
    import numpy as np
    import pyarrow as pa

    from refinery.filters.config import CleanConfig
    from refinery.filters.evaluate import FAMILY_OF, RULES_BY_NAME, evaluate

    cfg = CleanConfig()
    families = {name: name for name in FILTERS}
    batch = pa.table({"text": texts, "lang": ["en"] * len(texts)})
    d = evaluate(batch, cfg, measure_all=True)
    out = {}
    for fname, fam in families.items():
        rules = [r for r in d.values if FAMILY_OF[r].name == fam]
        order = [r.name for r in FAMILY_OF[rules[0]].rules if r.name in rules]
        reasons = np.full(len(texts), None, dtype=object)
        for r in order:
            fails = RULES_BY_NAME[r].fails(d.values[r], d.thresholds[r])
            reasons[(reasons == None) & fails] = r  # noqa: E711
        out[fname] = list(reasons)
    return out, d


def time_ours(texts: list[str], annotate: bool, pii_only: bool = False) -> float:
    import pyarrow as pa

    from refinery.filters.config import CleanConfig
    from refinery.filters.pipeline import clean_batch
    from refinery.ingest.script_ratios import script_ratios

    cfg = CleanConfig(mode="annotate" if annotate else "filter", steps=["pii"] if pii_only else ["lines", "rules"])
    arr = pa.array(texts, pa.string())
    cols = script_ratios(arr)
    table = pa.table({"doc_id": [str(i) for i in range(len(texts))], "source": ["bench"] * len(texts),
                      "source_file": ["bench"] * len(texts), "offset": list(range(len(texts))), "text": arr,
                      "lang": ["en"] * len(texts), "lang_score": [0.9] * len(texts), **cols})
    batches = table.to_batches(max_chunksize=1024)
    start = time.perf_counter()
    for b in batches:
        clean_batch(b, cfg)
    return time.perf_counter() - start


# --------------------------------------------------------------------------- report


def agreement(dt: dict, ours: dict) -> dict:
    report = {}
    for name in FILTERS:
        d = [None if x is True else DT_REASONS.get(x, x) for x in dt[name]]
        o = ours[name]
        n = len(d)
        same_decision = sum((a is None) == (b is None) for a, b in zip(d, o))
        rules = sorted({r for r in d + o if r})
        per_rule = {r: round(sum((a == r) == (b == r) for a, b in zip(d, o)) / n, 5) for r in rules}
        dropped = {"datatrove": sum(a is not None for a in d), "ours": sum(b is not None for b in o)}
        disagreements = [(i, a, b) for i, (a, b) in enumerate(zip(d, o)) if (a is None) != (b is None)]
        report[name] = {"docs": n, "decision_agreement": round(same_decision / n, 5),
                        "same_reason": round(sum(a == b for a, b in zip(d, o)) / n, 5), "dropped": dropped,
                        "per_rule": per_rule, "disagreements": disagreements[:20]}
    return report


def print_agreement(report: dict, texts: list[str], show: int) -> None:
    n = report["docs"]
    dt = {"version": report["datatrove"], "spacy": report["spacy"]}
    args_show = show
    print(f"\nAgreement with datatrove {dt['version']} (spaCy {dt['spacy']}) on {n} documents:")
    print(f"{'filter':<18} {'decision':>9} {'same reason':>12} {'dropped dt':>11} {'dropped ours':>13}")
    for name, r in report["agreement"].items():
        print(f"{name:<18} {r['decision_agreement']:>9.2%} {r['same_reason']:>12.2%} {r['dropped']['datatrove']:>11} "
              f"{r['dropped']['ours']:>13}")
    print("\nPer rule (share of documents where both or neither name the rule):")
    for name, r in report["agreement"].items():
        print("  " + ", ".join(f"{k} {v:.2%}" for k, v in r["per_rule"].items()))
    for name, r in report["agreement"].items():
        for i, a, b in r["disagreements"][: args_show]:
            print(f"\n-- {name} doc {i}: datatrove={a} ours={b}\n{texts[i][:300]!r}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--datatrove-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--cache", help=argparse.SUPPRESS)  # reuse datatrove decisions (development)
    p.add_argument("--timed", action="store_true", help=argparse.SUPPRESS)  # worker: one timed chained run
    p.add_argument("--datatrove-pipeline-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--output", help=argparse.SUPPRESS)
    p.add_argument("--scale", metavar="MB,MB,...", help="whole clean jobs vs a datatrove pipeline on bench/ingest.py "
                   "--scale's ingest outputs of these sizes (same --tmp)")
    p.add_argument("--pipelines", default="clean1,clean2,datatrove",
                   help="--scale: which to run (clean1 = local[1], clean2 = local[2] on two cores, datatrove)")
    p.add_argument("--runs-at", default="3", help="--scale: runs per size (3,3,1)")
    p.add_argument("--tmp", help="--scale: bench/ingest.py --scale's --tmp (default $TMPDIR/bench-ingest-scale)")
    p.add_argument("--input", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--docs", help="a documents dataset (e.g. runs/ingest/kept); default: the bundled sample")
    p.add_argument("--real", choices=("slice", "site"), nargs="?", const="site",
                   help="the real corpus's English documents (make corpus) instead of the bundled sample")
    p.add_argument("--variants", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1, help="speed only: repeat the corpus K times")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--cpu", type=int, default=0)
    p.add_argument("--datatrove-python", default=DEFAULT_DT_PYTHON)
    p.add_argument("--json", help="write the full report here")
    p.add_argument("--agreement-only", action="store_true", help="skip the timed runs")
    p.add_argument("--no-readmes", dest="readmes", action="store_false",
                   help="leave out the installed packages' READMEs (they change with the virtualenv)")
    p.add_argument("--fixture", help="with --agreement-only: write the texts and datatrove's decisions here "
                   "(gzipped JSON; tests/filters/test_datatrove_agreement.py reads it)")
    p.add_argument("--show", type=int, default=3, help="disagreeing documents to print per filter")
    args = p.parse_args(argv)
    if args.datatrove_worker:
        datatrove_worker(args)
        return 0
    if args.datatrove_pipeline_worker:
        datatrove_pipeline_worker(args)
        return 0
    args.datatrove_python = os.path.abspath(args.datatrove_python)
    if args.scale:
        return scale(args)

    sys.path.insert(0, ROOT)
    pin(args.cpu)
    texts = build_corpus(args)
    print(f"{len(texts)} English documents ({sum(map(len, texts)) / 1e6:.1f} M chars)", flush=True)
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "docs.parquet")
        pq.write_table(pa.table({"text": texts, "id": [str(i) for i in range(len(texts))]}), path)
        ours_dec, _ = our_decisions(texts)
        time_ours(texts[:200], annotate=False)  # warm-up (imports, regex compilation)
        ours_filter, ours_annotate, ours_pii = [], [], []
        result = os.path.join(tmp, "dt.json")
        cmd = [args.datatrove_python, os.path.abspath(__file__), "--datatrove-worker", "--input", path,
               "--result", result, "--runs", str(args.runs), "--cpu", str(args.cpu)]
        def worker(timed: bool) -> dict:
            out = os.path.join(tmp, "dt-timed.json" if timed else "dt.json")
            proc = subprocess.run(cmd[:6] + [out] + cmd[7:] + (["--timed"] if timed else []), capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"datatrove worker failed:\n{proc.stderr[-3000:]}")
            with open(out) as f:
                return json.load(f)

        if args.cache and os.path.exists(args.cache):
            with open(args.cache) as f:
                dt = json.load(f)
        else:
            dt = worker(timed=False)
            if args.cache:
                with open(args.cache, "w") as f:
                    json.dump(dt, f)
        dt["runs"] = []
        for _ in range(0 if args.agreement_only else args.runs):  # alternate: ours, datatrove, ours, ...
            ours_filter.append(time_ours(texts, annotate=False))
            ours_annotate.append(time_ours(texts, annotate=True))
            ours_pii.append(time_ours(texts, annotate=False, pii_only=True))
            dt["runs"] += worker(timed=True)["runs"]

    report = {"docs": len(texts), "agreement": agreement(dt["decisions"], ours_dec), "datatrove": dt["version"],
              "spacy": dt["spacy"]}
    n = len(texts)
    print_agreement(report, texts, args.show)
    if args.fixture:
        import gzip

        with gzip.open(args.fixture, "wt", encoding="utf-8") as f:
            json.dump({"datatrove": dt["version"], "spacy": dt["spacy"], "command": " ".join(["python"] + sys.argv),
                       "texts": texts, "decisions": dt["decisions"]}, f)
    if args.agreement_only:
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=1)
        return 0
    dt_wall = statistics.median(r["wall"] for r in dt["runs"])
    speed = {
        "datatrove_chain": {"wall": dt_wall, "docs_per_s": n / dt_wall},
        "ours_filter": {"wall": statistics.median(ours_filter), "docs_per_s": n / statistics.median(ours_filter)},
        "ours_annotate": {"wall": statistics.median(ours_annotate), "docs_per_s": n / statistics.median(ours_annotate)},
        "ours_pii_only": {"wall": statistics.median(ours_pii), "docs_per_s": n / statistics.median(ours_pii)},
    }
    report["speed"] = speed
    print(f"\nSpeed, one CPU, {n} documents (median of {args.runs}):")
    for k, v in speed.items():
        print(f"  {k:<16} {v['wall']:8.2f} s  {v['docs_per_s']:10.0f} docs/s")
    print(f"  ratio ours_filter / datatrove   = {speed['ours_filter']['docs_per_s'] / speed['datatrove_chain']['docs_per_s']:.1f}x")
    print(f"  ratio ours_annotate / datatrove = {speed['ours_annotate']['docs_per_s'] / speed['datatrove_chain']['docs_per_s']:.1f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
