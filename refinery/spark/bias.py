"""The score stage's bias check, aggregated on the executors: keep rate per category under
the per-category thresholds next to what one global threshold would have removed.

Practitioner warning (seeds/000): every quality scorer rates code, markdown and LaTeX low
(FineWeb lost nearly all its code); this report shows whether ours would have.
"""
from __future__ import annotations


def threshold_bias_report(df, per_category: dict, global_threshold: float, prose: tuple, formatted: tuple,
                          category_col: str = "category", score_col: str = "quality_score") -> dict:
    from pyspark.sql import functions as F

    rows = (
        df.groupBy(F.coalesce(F.col(category_col), F.lit("unknown")).alias("category"))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.col("reason").isNull().cast("long")).alias("kept"),
            F.sum((F.col(score_col) < F.lit(global_threshold)).cast("long")).alias("below_global"),
            F.sum((F.col("reason").isNull() & (F.col(score_col) < F.lit(global_threshold))).cast("long")).alias("only_global"),
            F.avg(score_col).alias("mean_score"),
        )
        .collect()
    )
    by_category = {}
    for r in sorted(rows, key=lambda r: r["category"]):
        n = r["rows"]
        by_category[r["category"]] = {
            "rows": n,
            "threshold": per_category.get(r["category"]),
            "kept": r["kept"],
            "keep_rate": round(r["kept"] / n, 4),
            "mean_quality_score": round(r["mean_score"], 4) if r["mean_score"] is not None else None,
            "global_threshold_removed": r["below_global"],
            "global_threshold_keep_rate": round(1 - r["below_global"] / n, 4),
            "removed_only_by_global_threshold": r["only_global"],
        }

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
            "note": "keep_rate: with the per-category thresholds (what the job did); global_threshold_*: "
                    "what one threshold for every category would have done",
        }
    }
