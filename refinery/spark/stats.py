"""Row accounting of a stage, aggregated on the executors, written as ``_stats.json``.

Only the aggregate (a few hundred groups) reaches the driver, never rows. Counting is a
group-by on the stage's outcome DataFrame rather than accumulators, which would count a
retried task twice.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict

from refinery.spark.paths import HadoopFS, qualify

KEPT = "kept"


def _bucket_label(b: int) -> str:
    return f"<{2 ** b}" if b > 0 else "0"


def outcome_stats(df, stage: str, dims: tuple[str, ...] = ("source", "lang"), duplicate_reasons: tuple[str, ...] = ()) -> dict:
    """Counts of an outcome DataFrame: rows with a null ``reason`` are kept, others rejected.

    Returns rows in/kept/rejected, counts per reason, per value of each ``dims`` column
    (the bias report: is one language or source rejected far more than another?) and a
    log2 histogram of ``char_count`` before and after the stage. Rows whose reason is one
    of ``duplicate_reasons`` (dedup) count as ``rows_duplicate``, not as rejected.
    """
    from pyspark.sql import functions as F

    present = [d for d in dims if d in df.columns]
    bucket = (
        F.when(F.col("char_count").isNull() | (F.col("char_count") <= 0), F.lit(0))
        .otherwise(F.ceil(F.log2(F.col("char_count") + 1)))
        .cast("int")
        if "char_count" in df.columns
        else F.lit(0)
    )
    grouped = (
        df.select(*[F.coalesce(F.col(d).cast("string"), F.lit("unknown")).alias(d) for d in present],
                  F.coalesce(F.col("reason"), F.lit(KEPT)).alias("reason"), bucket.alias("len_bucket"))
        .groupBy(*present, "reason", "len_bucket")
        .count()
        .collect()
    )
    return summarise(stage, [r.asDict() for r in grouped], present, duplicate_reasons)


def summarise(stage: str, groups: list[dict], dims: list[str], duplicate_reasons: tuple[str, ...] = ()) -> dict:
    """Fold group counts (dims…, reason, len_bucket, count) into the ``_stats.json`` dict."""
    by_reason: dict = defaultdict(int)
    by_duplicate: dict = defaultdict(int)
    empty = {"rows_in": 0, "rows_kept": 0, "rows_rejected": 0}
    if duplicate_reasons:
        empty["rows_duplicate"] = 0
    by_dim: dict = {d: defaultdict(lambda: dict(empty)) for d in dims}
    hist_in: dict = defaultdict(int)
    hist_kept: dict = defaultdict(int)
    rows_in = rows_kept = 0
    for g in groups:
        n, kept = g["count"], g["reason"] == KEPT
        duplicate = g["reason"] in duplicate_reasons
        rows_in += n
        label = _bucket_label(g["len_bucket"])
        hist_in[label] += n
        if kept:
            rows_kept += n
            hist_kept[label] += n
        elif duplicate:
            by_duplicate[g["reason"]] += n
        else:
            by_reason[g["reason"]] += n
        for d in dims:
            entry = by_dim[d][g[d]]
            entry["rows_in"] += n
            entry["rows_kept" if kept else "rows_duplicate" if duplicate else "rows_rejected"] += n
    order = lambda h: dict(sorted(h.items(), key=lambda kv: (kv[0] != "0", len(kv[0]), kv[0])))  # noqa: E731
    stats = {
        "stage": stage,
        "rows_in": rows_in,
        "rows_kept": rows_kept,
        "rows_rejected": rows_in - rows_kept - sum(by_duplicate.values()),
        "rejected_by_reason": dict(sorted(by_reason.items())),
        "length_histogram": {"before": order(hist_in), "after": order(hist_kept)},
    }
    if duplicate_reasons:
        stats["rows_duplicate"] = sum(by_duplicate.values())
        stats["duplicates_by_reason"] = {r: by_duplicate.get(r, 0) for r in sorted(duplicate_reasons)}
    for d in dims:
        table = {}
        for key, e in sorted(by_dim[d].items()):
            e = dict(e)
            e["kept_rate"] = round(e["rows_kept"] / e["rows_in"], 4) if e["rows_in"] else math.nan
            table[key] = e
        stats[f"by_{d}"] = table
    return stats


def write_stats(spark, out_uri: str, stats: dict) -> str:
    """Write ``_stats.json`` into an output directory (local, file:// or hdfs://)."""
    target = qualify(out_uri) + "/_stats.json"
    HadoopFS(spark, out_uri).write_text(target, json.dumps(stats, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return target


def format_summary(stats: dict) -> str:
    """The few lines a user reads at the end of a job."""
    lines = [
        f"[{stats['stage']}] rows in {stats['rows_in']:,}  kept {stats['rows_kept']:,}  "
        f"rejected {stats['rows_rejected']:,}" + (f"  duplicate {stats['rows_duplicate']:,}" if "rows_duplicate" in stats else "")
    ]
    for reason, n in sorted(stats["rejected_by_reason"].items(), key=lambda kv: -kv[1]):
        lines.append(f"    {reason:<36} {n:>10,}")
    for key in sorted(k for k in stats if k.startswith("by_")):
        worst = sorted(stats[key].items(), key=lambda kv: kv[1]["kept_rate"])[:8]
        lines.append(f"  kept rate {key}: " + ", ".join(f"{k}={v['kept_rate']:.2f}" for k, v in worst))
    return "\n".join(lines)
