"""What the score step keeps of REAL text with its defaults (shipped models, default thresholds),
and what it rejects of the generated negatives; figures for BENCHMARKS.md ("Score on real text").

    REFINERY_CORPUS=... python bench/score_real.py [--limit-per-source N] [--json out.json]

Documents: the whole real corpus (documentation packages, Python distributions, the literature
part) and the held-out half of the negative generators (refinery.scoring.negatives), scored
in-process by the score operator with ``ScoreConfig()`` — the config a run without options gets.
Kept rates per (label, language) and per source, split by whether the source was held out of
training (``real_training_set.HELD_OUT_SOURCES``); the negatives' rejection rate per family.
Accuracy only; no timings.

``--after-clean`` runs the clean operator first (``make_cleaner`` with ``CleanConfig()``, its
shipped domain model: what ``spark-submit jobs/clean.py`` does without options) and scores only
what it keeps, as the pipeline does: kept rates are then of the whole clean -> score chain, and a
negative counts as rejected when either step rejects it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402


def cap_sources(table: pa.Table, limit: int) -> pa.Table:
    if not limit:
        return table
    seen, keep = defaultdict(int), []
    for i, s in enumerate(table.column("source").to_pylist()):
        if seen[s] < limit:
            keep.append(i)
            seen[s] += 1
    return table.take(pa.array(keep, pa.int64()))


def clean_step(docs: pa.Table) -> tuple[np.ndarray, pa.Table]:
    """The clean operator with its default config over ``docs``: per document whether it is kept,
    and ``docs`` with the text clean hands on (boilerplate lines dropped, PII replaced). The
    language comes from the source, as bench/clean_real.py does; generated negatives carry theirs."""
    from refinery.config import load_config
    from refinery.filters.config import CleanConfig
    from refinery.filters.pipeline import make_cleaner
    from refinery.ingest.script_ratios import script_ratios

    clean = make_cleaner(load_config(None, CleanConfig))
    kept, cleaned = [], []
    for start in range(0, docs.num_rows, 512):
        part = docs.slice(start, 512)
        text = part.column("text").combine_chunks()
        batch = pa.RecordBatch.from_pydict({
            "doc_id": pa.array([f"d{start + i}" for i in range(part.num_rows)]), "text": text,
            "lang": part.column("lang").combine_chunks(), "lang_score": pa.array([1.0] * part.num_rows, pa.float32()),
            **script_ratios(text)})
        out = clean(batch)
        assert out.num_rows == part.num_rows  # filter mode keeps every row, with its reason
        kept.append(np.asarray([r is None for r in out.column("reason").to_pylist()]))
        cleaned.append(out.column("text"))
    cleaned = pa.chunked_array(cleaned, pa.string())
    return np.concatenate(kept), docs.set_column(docs.schema.get_field_index("text"), "text", cleaned)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--limit-per-source", type=int, default=0, help="at most this many documents per source (0: all)")
    p.add_argument("--negatives", type=int, default=1500)
    p.add_argument("--json", help="also write the figures here")
    p.add_argument("--after-clean", action="store_true", help="clean (default config) before scoring, as the pipeline does")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="score config overrides (default: none)")
    args = p.parse_args(argv)

    from refinery.config import load_config, parse_overrides
    from refinery.scoring.config import ScoreConfig
    from refinery.scoring.operator import QualityScorer, resolve_thresholds
    from refinery.scoring.real_training_set import negatives, real_documents, stratified_sample

    real = cap_sources(real_documents(), args.limit_per_source)

    spin = stratified_sample(real.filter(real.column("held_out")), 200, seed=1).column("text").to_pylist()
    neg = negatives(args.negatives, True, spin)
    docs = pa.concat_tables([real, neg])
    clean_kept = np.ones(docs.num_rows, dtype=bool)
    if args.after_clean:
        clean_kept, docs = clean_step(docs)
    cfg = load_config(None, ScoreConfig, parse_overrides(args.set))
    thresholds = resolve_thresholds(cfg)
    scorer = QualityScorer(cfg)
    category, quality = [], []
    for start in range(0, docs.num_rows, 512):
        s = scorer.score(docs.column("text").slice(start, 512))
        category += s["category"].to_pylist()
        quality.append(s["quality_score"].to_numpy(zero_copy_only=False))
    quality = np.concatenate(quality)
    kept = (quality >= thresholds.for_categories(pa.array(category, pa.string()))) & clean_kept

    groups: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    cols = {c: docs.column(c).to_pylist() for c in ("source", "label", "lang", "held_out", "genre")}
    for i in range(docs.num_rows):
        side = "held_out" if cols["held_out"][i] else "trained"
        if cols["label"][i] == "ads_spam":
            for key in (f"negatives/{cols['genre'][i]}", "negatives/all"):
                groups["negatives_rejected"][key][0] += 1
                groups["negatives_rejected"][key][1] += int(not kept[i])
            continue
        lang = cols["lang"][i] or "-"
        src = "python:*" if cols["source"][i].startswith("python:") else cols["source"][i]
        for table, key in (("by_label_lang", f"{cols['label'][i]}/{lang}"), (f"by_label_lang_{side}", f"{cols['label'][i]}/{lang}"),
                           ("by_source", f"{src} ({side})"), ("by_label", cols["label"][i]),
                           ("by_predicted_category", category[i])):
            groups[table][key][0] += 1
            groups[table][key][1] += int(kept[i])
    report = {name: {k: {"docs": n, "count": c, "rate": round(c / n, 4)} for k, (n, c) in sorted(g.items())}
              for name, g in groups.items()}
    report["thresholds"] = thresholds.per_category
    for name in ("by_label", "by_label_lang_held_out", "by_label_lang_trained", "by_source", "by_predicted_category",
                 "negatives_rejected"):
        what = "rejected" if name == "negatives_rejected" else "kept"
        print(f"\n{name} ({what})")
        for k, v in report.get(name, {}).items():
            print(f"  {k:<40}{v['count']:>7}/{v['docs']:<7}{v['rate']:.3f}")
    print(f"\nthresholds {thresholds.per_category}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
