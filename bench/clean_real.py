"""Kept rate of the clean stage's default config on the real corpus, per source family, language
and category, with the top rejection reasons: what each rule family rejects on good real text.

    REFINERY_CORPUS=/work/corpus python bench/clean_real.py [--slice] [--set key=value ...] [--json out.json]

No Spark: ``refinery.filters.pipeline.make_cleaner`` (the clean job's operator, with its default
``category_model``) over Arrow batches of the corpus's ``text``. The corpus's language comes from
its source (``lang_score`` 1.0; code has none: ``default`` profile).
"""
from __future__ import annotations

import argparse
import collections
import json

import pyarrow as pa

import corpus
from refinery.config import load_config, parse_overrides
from refinery.filters.config import CleanConfig
from refinery.filters.pipeline import make_cleaner
from refinery.ingest.script_ratios import script_ratios


def family(source: str, genre: str) -> str:
    if source.startswith("python:"):
        return "python code"
    return {"perl-doc": "perl pod", "emacs-common": "emacs tutorials"}.get(source, source)


def run(table: pa.Table, cfg: CleanConfig, batch_size: int = 512):
    clean = make_cleaner(cfg)
    rows = []
    for batch in table.to_batches(max_chunksize=batch_size):
        texts = batch.column("text")
        ratios = script_ratios(texts)
        n = len(texts)
        docs = pa.RecordBatch.from_pydict({
            "doc_id": batch.column("doc_id"), "text": texts, "lang": batch.column("lang"),
            "lang_score": pa.array([1.0] * n, pa.float32()), **ratios})
        out = clean(docs)
        for src, genre, lang, cat, reason in zip(batch.column("source").to_pylist(), batch.column("genre").to_pylist(),
                                                 batch.column("lang").to_pylist(), out.column("category").to_pylist(),
                                                 out.column("reason").to_pylist()):
            rows.append((family(src, genre), lang or "-", cat or "-", reason))
    return rows


def summarise(rows, key) -> dict:
    agg = collections.defaultdict(lambda: [0, 0, collections.Counter()])
    for r in rows:
        e = agg[key(r)]
        e[0] += 1
        if r[3] is None:
            e[1] += 1
        else:
            e[2][r[3]] += 1
    return {k: {"docs": e[0], "kept": e[1] / e[0], "top": e[2].most_common(3)} for k, e in sorted(agg.items())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--slice", action="store_true")
    ap.add_argument("--set", nargs="*", default=[])
    ap.add_argument("--json")
    args = ap.parse_args()
    cfg = load_config(None, CleanConfig, {**parse_overrides(args.set), "steps": ["lines", "rules"]})
    table = corpus.load(slice=args.slice, columns=["doc_id", "source", "genre", "lang", "text"])
    rows = run(table, cfg)
    kept = sum(r[3] is None for r in rows)
    print(f"{len(rows)} docs, kept {kept / len(rows):.1%}")
    report = {}
    for name, key in (("family", lambda r: r[0]), ("family_lang", lambda r: f"{r[0]} / {r[1] if r[1] in ('en', 'zh', '-') else 'other'}"),
                      ("category", lambda r: r[2])):
        report[name] = summarise(rows, key)
        print(f"\nby {name}: docs | kept | top reasons")
        for k, e in report[name].items():
            print(f"| {k} | {e['docs']} | {e['kept']:.1%} | " + ", ".join(f"{r} {n}" for r, n in e["top"]) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
