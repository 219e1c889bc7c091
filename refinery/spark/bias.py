"""The score stage's bias check, aggregated on the executors: keep rate per category (and per
category and language) under the per-category thresholds next to what one global threshold
would have removed, and a warning for each category the step empties by more than half.

Practitioner warning (seeds/000): every quality scorer rates code, markdown and LaTeX low
(FineWeb lost nearly all its code); this report shows whether ours would have.
"""
from __future__ import annotations


from refinery.report.kept_rates import kept_rates, loss_warnings


def threshold_bias_report(df, per_category: dict, global_threshold: float, prose: tuple, formatted: tuple,
                          category_col: str = "category", score_col: str = "quality_score", lang_col: str = "lang") -> dict:
    from pyspark.sql import functions as F

    rows = (
        df.groupBy(F.coalesce(F.col(category_col), F.lit("unknown")).alias("category"),
                   F.col(lang_col).alias("lang"))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.col("reason").isNull().cast("long")).alias("kept"),
            F.sum((F.col(score_col) < F.lit(global_threshold)).cast("long")).alias("below_global"),
            F.sum((F.col("reason").isNull() & (F.col(score_col) < F.lit(global_threshold))).cast("long")).alias("only_global"),
            F.sum(score_col).alias("sum_score"),
            F.count(score_col).alias("scored"),
        )
        .collect()
    )
    # the same kept-rate table and warnings as the clean job's (refinery.report.kept_rates)
    kept_table = kept_rates({"category": r["category"], "lang": r["lang"], "rows_in": r["rows"], "rows_kept": r["kept"]}
                            for r in rows)
    totals = {}
    for r in sorted(rows, key=lambda r: (r["category"], r["lang"] or "")):
        t = totals.setdefault(r["category"], {k: 0 for k in ("rows", "kept", "below_global", "only_global", "sum_score", "scored")})
        for k in t:
            t[k] += r[k] or 0
    by_category = {}
    for cat, t in totals.items():
        n = t["rows"]
        by_category[cat] = {
            "rows": n,
            "threshold": per_category.get(cat),
            "kept": t["kept"],
            "keep_rate": round(t["kept"] / n, 4),
            "mean_quality_score": round(t["sum_score"] / t["scored"], 4) if t["scored"] else None,
            "global_threshold_removed": t["below_global"],
            "global_threshold_keep_rate": round(1 - t["below_global"] / n, 4),
            "removed_only_by_global_threshold": t["only_global"],
        }
    warnings = loss_warnings(kept_table, "score")

    def group(names):
        sel = [by_category[c] for c in names if c in by_category]
        n = sum(e["rows"] for e in sel)
        return {
            "categories": [c for c in names if c in by_category], "rows": n,
            "keep_rate": round(sum(e["kept"] for e in sel) / n, 4) if n else None,
            "global_threshold_keep_rate": round(1 - sum(e["global_threshold_removed"] for e in sel) / n, 4) if n else None,
        }

    summary = {"prose": group(prose)}
    summary.update({c: group((c,)) for c in formatted})
    return {
        "bias_check": {
            "per_category_thresholds": per_category,
            "global_threshold": global_threshold,
            "summary": summary,
            "by_category": by_category,
            "by_category_lang": kept_table["by_category_lang"],
            "warnings": warnings,
            "note": "keep_rate: with the per-category thresholds (what the job did); global_threshold_*: "
                    "what one threshold for every category would have done",
        }
    }
