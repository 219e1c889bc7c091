"""PII scrubbing throughput per core: ``refinery.pii.scrub_pii`` on realistic documents.

    python bench/pii.py [--real [slice|site]] [--repeat 5] [--batch-size 1024] [--cpu 0]
                        [--datatrove-python .bench/venv-datatrove/bin/python]

Documents (the texts the clean job sees):

* ``sample``: the kept documents of the bundled sample (``sample/data``: WARC + JSONL, zh/en/code),
  read with the ingest job's own operator (``refinery.ingest.pipeline.make_file_ingester``: readers,
  HTML extraction, normalisation), no Spark. Few of them hold anything PII-shaped: this is the
  common case of a web crawl.
* ``sample+pii``: the same documents, each with one paragraph of the generated labelled corpus
  (``tests/pii/labelled.py``, seed 0: planted emails, phones, IDs, cards, IPs, credentials,
  secrets and look-alikes in Chinese and English prose) appended: every document has work.
* ``real`` (``--real``): the real corpus's texts (``corpus.load()``: Debian manuals as lxml extracted
  them, POD, Emacs tutorials, Python code; ``make corpus``), beside the two above.

Contenders, pinned to one CPU (``os.sched_setaffinity``), run alternately (ours, reference, ours,
...) so that drift in machine speed hits all; median of ``--repeat`` timed passes after a warm-up:

* ``scrub_pii``, all 7 types, over Arrow batches of ``--batch-size`` rows (as the clean job calls it);
* ``scrub_pii``, email + ip only: the like-for-like of datatrove's formatter;
* whole-text ``re``: every detector's exact Python regex over every whole text (``find_spans``), the
  same finds without the RE2 gates and candidate windows: what the vectorisation buys;
* datatrove ``PIIFormatter`` (emails and public IPv4 only, Python ``re.sub`` per document), run in
  datatrove's own virtualenv (this file re-runs itself there with ``--datatrove-worker``) on the
  same texts; skipped when that virtualenv is missing.

Figures: docs/s and MB/s of UTF-8 text in, per core.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DT_PYTHON = os.path.join(ROOT, ".bench", "venv-datatrove", "bin", "python")


def pin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})


def datatrove_worker(args) -> None:
    """Runs under datatrove's virtualenv: time PIIFormatter.format over the texts file
    (or, with ``--spans``, print the spans its email and IP regexes + validator replace)."""
    pin(args.cpu)
    from importlib.metadata import version

    from datatrove.pipeline.formatters import PIIFormatter

    with open(args.texts, encoding="utf-8") as f:
        texts = json.load(f)
    formatter = PIIFormatter()
    if args.spans:
        spans = []
        for t in texts:
            found = [[m.start(), m.end(), "email"] for m in formatter.emails_replacer.regex.finditer(t)]
            found += [[m.start(), m.end(), "ip"] for m in formatter.ip_replacer.regex.finditer(t)
                      if formatter.ip_replacer.validator(m.group(0))]
            spans.append(found)
        print(json.dumps(spans))
        return
    for t in texts[:50]:
        formatter.format(t)
    start = time.perf_counter()
    out = [formatter.format(t) for t in texts]
    wall = time.perf_counter() - start
    changed = sum(a != b for a, b in zip(texts, out))
    print(json.dumps({"wall": wall, "changed": changed, "version": version("datatrove")}))


def load_sample_texts() -> list[str]:
    import pyarrow as pa

    from refinery.ingest.config import IngestConfig
    from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester

    files = tuple(sorted(glob.glob(os.path.join(ROOT, "sample/data/warc/*.warc.gz"))
                         + glob.glob(os.path.join(ROOT, "sample/data/jsonl/*.jsonl*"))))
    ingest = make_file_ingester(IngestConfig(), files)
    texts = []
    for batch in ingest(pa.RecordBatch.from_pydict({FILE_INDEX_COLUMN: list(range(len(files)))})):
        reason, text = batch.column("reason").to_pylist(), batch.column("text").to_pylist()
        texts.extend(t for r, t in zip(reason, text) if r is None and t)
    return texts


def with_planted_pii(texts: list[str]) -> list[str]:
    sys.path.insert(0, ROOT)
    from tests.pii.labelled import make_corpus

    docs = make_corpus(seed=0, per_type=300, per_kind=150)
    return [t + "\n" + docs[i % len(docs)].text for i, t in enumerate(texts)]


def time_scrub(texts, cfg, batch_size: int) -> tuple[float, dict]:
    import numpy as np
    import pyarrow as pa

    from refinery.pii import scrub_pii

    batches = [pa.array(texts[i : i + batch_size], pa.string()) for i in range(0, len(texts), batch_size)]
    counts: dict[str, int] = {}
    start = time.perf_counter()
    for b in batches:
        for t, c in scrub_pii(b, cfg).counts.items():
            counts[t] = counts.get(t, 0) + int(np.sum(c))
    return time.perf_counter() - start, counts


def time_whole_text(texts, cfg) -> float:
    from refinery.pii import find_spans
    from refinery.pii.scrub import detectors_for, replace_spans

    detectors = detectors_for(cfg)
    start = time.perf_counter()
    for t in texts:
        replace_spans(t, find_spans(t, detectors), cfg.placeholders)
    return time.perf_counter() - start


def time_datatrove(python: str, texts_file: str, cpu: int) -> dict:
    out = subprocess.run([python, os.path.abspath(__file__), "--datatrove-worker", "--texts", texts_file,
                          "--cpu", str(cpu)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def quality(dt_python: str | None) -> None:
    """Per-type recall/precision and look-alike preservation on the labelled corpus of the tests
    (seed 0): refinery, and datatrove's email and IP regexes on the same documents."""
    from refinery.pii import PiiConfig, find_spans
    from refinery.pii.scrub import detectors_for
    from tests.pii.labelled import LOOKALIKE_KINDS, PLANTED_TYPES, make_corpus

    docs = make_corpus(seed=0, per_type=300, per_kind=150)
    detectors = detectors_for(PiiConfig())
    ours = [[(s.start, s.end, s.pii_type) for s in find_spans(d.text, detectors)] for d in docs]
    sides = {"refinery": (ours, PLANTED_TYPES)}
    if dt_python:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            json.dump([d.text for d in docs], f, ensure_ascii=False)
        try:
            out = subprocess.run([dt_python, os.path.abspath(__file__), "--datatrove-worker", "--spans",
                                  "--texts", f.name], capture_output=True, text=True, check=True)
        finally:
            os.unlink(f.name)
        theirs = [[tuple(s) for s in doc] for doc in json.loads(out.stdout.strip().splitlines()[-1])]
        sides["datatrove PIIFormatter"] = (theirs, ("email", "ip"))
    print(f"\nlabelled corpus (tests/pii/labelled.py, seed 0): {len(docs)} documents, "
          f"{sum(len(d.items) for d in docs)} planted items, {sum(len(d.lookalikes) for d in docs)} look-alikes")
    print("| side | type | recall | precision |")
    print("|---|---|---:|---:|")
    for side, (found, types) in sides.items():
        for t in types:
            planted = [(i, it) for i, d in enumerate(docs) for it in d.items if it[2] == t]
            got = [(i, s) for i, spans in enumerate(found) for s in spans if s[2] == t]
            hit = sum(1 for i, it in planted if it in found[i])
            right = sum(1 for i, s in got if s in docs[i].items)
            print(f"| {side} | {t} | {hit / len(planted):.4f} | {right / max(len(got), 1):.4f} |")
    print("| side | look-alikes left alone (all kinds) | worst kind |")
    print("|---|---:|---|")
    for side, (found, _) in sides.items():
        per_kind = {}
        for k in LOOKALIKE_KINDS:
            looks = [(i, a, b) for i, d in enumerate(docs) for a, b, kind in d.lookalikes if kind == k]
            kept = sum(1 for i, a, b in looks if not any(s[0] < b and a < s[1] for s in found[i]))
            per_kind[k] = (kept, len(looks))
        total = sum(k for k, _ in per_kind.values()) / sum(n for _, n in per_kind.values())
        worst = min(per_kind, key=lambda k: per_kind[k][0] / per_kind[k][1])
        print(f"| {side} | {total:.4f} | {worst} {per_kind[worst][0] / per_kind[worst][1]:.4f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--datatrove-python", default=DEFAULT_DT_PYTHON)
    ap.add_argument("--real", choices=("slice", "site"), nargs="?", const="slice",
                    help="also the real corpus's texts (make corpus)")
    ap.add_argument("--datatrove-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--texts", help=argparse.SUPPRESS)
    ap.add_argument("--spans", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.datatrove_worker:
        datatrove_worker(args)
        return

    sys.path.insert(0, ROOT)
    pin(args.cpu)
    from refinery.pii import PiiConfig

    sample = load_sample_texts()
    datasets = {"sample": sample, "sample+pii": with_planted_pii(sample)}
    if args.real:
        import corpus

        texts = corpus.load(slice=args.real == "slice", columns=["text"]).column("text").to_pylist()
        datasets[f"real corpus ({args.real})"] = [t for t in texts if t]
    all_types, email_ip = PiiConfig(), PiiConfig(types=["email", "ip"])
    have_dt = os.path.exists(args.datatrove_python)
    print(f"python {sys.version.split()[0]}, cpu {args.cpu} of {os.cpu_count()}, batch {args.batch_size}, "
          f"repeat {args.repeat}, datatrove: {'yes' if have_dt else 'missing (skipped)'}, "
          f"load average {os.getloadavg()[0]:.2f}")

    for name, texts in datasets.items():
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        runs: dict[str, list[float]] = {"all": [], "email_ip": [], "whole_text": [], "datatrove": []}
        counts = {}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            json.dump(texts, f, ensure_ascii=False)
            texts_file = f.name
        dt_info = {}
        try:
            time_scrub(texts[:200], all_types, args.batch_size)  # warm-up: imports, regex compiles
            for _ in range(args.repeat):
                wall, counts = time_scrub(texts, all_types, args.batch_size)
                runs["all"].append(wall)
                runs["email_ip"].append(time_scrub(texts, email_ip, args.batch_size)[0])
                if have_dt:
                    dt_info = time_datatrove(args.datatrove_python, texts_file, args.cpu)
                    runs["datatrove"].append(dt_info["wall"])
            runs["whole_text"].append(time_whole_text(texts, all_types))  # slow: once
        finally:
            os.unlink(texts_file)

        print(f"\n{name}: {len(texts)} documents, {mb:.2f} MB of text; items replaced (all types): "
              + ", ".join(f"{t} {n}" for t, n in counts.items()))
        print("| contender | types | docs/s | MB/s |")
        print("|---|---|---:|---:|")
        labels = {
            "all": ("refinery `scrub_pii`", "all 7"),
            "email_ip": ("refinery `scrub_pii`", "email, ip"),
            "whole_text": ("whole-text `re` (same detectors, no RE2 gates/windows)", "all 7"),
            "datatrove": (f"datatrove {dt_info.get('version', '')} `PIIFormatter`", "email, public IPv4"),
        }
        for key, walls in runs.items():
            if not walls:
                continue
            wall = statistics.median(walls)
            label, types = labels[key]
            print(f"| {label} | {types} | {len(texts) / wall:,.0f} | {mb / wall:.2f} |")
        if runs["datatrove"]:
            ratio = statistics.median(d / o for d, o in zip(runs["datatrove"], runs["email_ip"]))
            pairs = ", ".join(f"{d / o:.1f}" for d, o in zip(runs["datatrove"], runs["email_ip"]))
            print(f"email+ip: refinery / datatrove speed = {ratio:.1f}x (median of paired runs: {pairs})")
    quality(args.datatrove_python if have_dt else None)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
