"""Kept rate of the clean stage's default config on the real corpus, per source family, language
and category, with the top rejection reasons: what each rule family rejects on good real text.

    REFINERY_CORPUS=/work/corpus python bench/clean_real.py [--slice] [--set key=value ...] [--json out.json]
                                                            [--category-from-source]

No Spark: ``refinery.filters.pipeline.make_cleaner`` (the clean job's operator, with its default
``category_model``) over Arrow batches of the corpus's ``text``. The corpus's language comes from
its source (``lang_score`` 1.0; code has none: ``default`` profile).

``--category-from-source`` gives every document the category its source says (code -> ``code``,
manuals, reference pages, tutorials and POD -> ``markdown_docs``, the documentation class) instead
of the shipped domain model's guess: what the clean rules do once the classifier routes real
documentation right, apart from how well it does.
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


def source_category(genre: str) -> str:
    return "code" if genre == "code" else "markdown_docs"


def run(table: pa.Table, cfg: CleanConfig, batch_size: int = 512, category_from_source: bool = False):
    clean = make_cleaner(cfg)
    rows = []
    for batch in table.to_batches(max_chunksize=batch_size):
        texts = batch.column("text")
        ratios = script_ratios(texts)
        n = len(texts)
        extra = {"category": pa.array([source_category(g) for g in batch.column("genre").to_pylist()])} \
            if category_from_source else {}
        docs = pa.RecordBatch.from_pydict({
            "doc_id": batch.column("doc_id"), "text": texts, "lang": batch.column("lang"),
            "lang_score": pa.array([1.0] * n, pa.float32()), **ratios, **extra})
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


def run_negatives(cfg: CleanConfig, n_per_kind: int) -> dict:
    """Rejection rate of the generated spam/boilerplate pages (tests/filters/negatives.py), per kind;
    their category comes from the domain model (no source to tell it)."""
    from tests.filters.negatives import negatives

    docs = negatives(n_per_kind)
    texts = pa.array([d["text"] for d in docs])
    batch = pa.RecordBatch.from_pydict({"doc_id": [f"neg{i}" for i in range(len(docs))], "text": texts,
                                        "lang": [d["lang"] for d in docs],
                                        "lang_score": pa.array([1.0] * len(docs), pa.float32()), **script_ratios(texts)})
    out = make_cleaner(cfg)(batch)
    per = collections.defaultdict(lambda: [0, 0, collections.Counter()])
    for d, reason in zip(docs, out.column("reason").to_pylist()):
        e = per[d["kind"]]
        e[0] += 1
        if reason is not None:
            e[1] += 1
            e[2][reason] += 1
    total = sum(e[0] for e in per.values())
    rejected = sum(e[1] for e in per.values())
    return {"docs": total, "rejected": rejected / total,
            "by_kind": {k: {"docs": e[0], "rejected": e[1] / e[0], "top": e[2].most_common(3)} for k, e in per.items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--slice", action="store_true")
    ap.add_argument("--set", nargs="*", default=[])
    ap.add_argument("--json")
    ap.add_argument("--category-from-source", action="store_true",
                    help="category from the source (code / markdown_docs), not the domain model")
    ap.add_argument("--negatives", type=int, default=30, help="generated negatives per kind (0: none)")
    args = ap.parse_args()
    cfg = load_config(None, CleanConfig, {**parse_overrides(args.set), "steps": ["lines", "rules"]})
    table = corpus.load(slice=args.slice, columns=["doc_id", "source", "genre", "lang", "text"])
    rows = run(table, cfg, category_from_source=args.category_from_source)
    kept = sum(r[3] is None for r in rows)
    print(f"{len(rows)} docs, kept {kept / len(rows):.1%}")
    report = {}
    for name, key in (("family", lambda r: r[0]), ("family_lang", lambda r: f"{r[0]} / {r[1] if r[1] in ('en', 'zh', '-') else 'other'}"),
                      ("category", lambda r: r[2])):
        report[name] = summarise(rows, key)
        print(f"\nby {name}: docs | kept | top reasons")
        for k, e in report[name].items():
            print(f"| {k} | {e['docs']} | {e['kept']:.1%} | " + ", ".join(f"{r} {n}" for r, n in e["top"]) + " |")
    if args.negatives:
        report["negatives"] = neg = run_negatives(cfg, args.negatives)
        print(f"\nnegatives (generated spam/boilerplate): {neg['docs']} docs, rejected by clean {neg['rejected']:.1%}")
        for k, e in neg["by_kind"].items():
            print(f"| {k} | {e['docs']} | {e['rejected']:.1%} | " + ", ".join(f"{r} {n}" for r, n in e["top"]) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
