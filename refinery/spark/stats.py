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


def _length_bucket(df, column: str):
    from pyspark.sql import functions as F

    if column not in df.columns:
        return F.lit(0)
    return (
        F.when(F.col(column).isNull() | (F.col(column) <= 0), F.lit(0))
        .otherwise(F.ceil(F.log2(F.col(column) + 1)))
        .cast("int")
    )


def outcome_stats(df, stage: str, dims: tuple[str, ...] = ("source", "lang"), length_before: str | None = None,
                  duplicate_reasons: tuple[str, ...] = ()) -> dict:
    """Counts of an outcome DataFrame: rows with a null ``reason`` are kept, others rejected.

    Returns rows in/kept/rejected, counts per reason, per value of each ``dims`` column
    (the bias report: is one language or source rejected far more than another, and for
    which reasons?) and a log2 histogram of ``char_count`` before and after the stage.
    ``length_before`` names a column holding each row's length on the way in, for a stage
    that edits texts (the "after" histogram always reads ``char_count`` of kept rows).
    Rows whose reason is one of ``duplicate_reasons`` (dedup) count as ``rows_duplicate``, not as rejected.
    """
    from pyspark.sql import functions as F

    present = [d for d in dims if d in df.columns]
    extra = [_length_bucket(df, length_before).alias("len_bucket_before")] if length_before else []
    grouped = (
        df.select(*[F.coalesce(F.col(d).cast("string"), F.lit("unknown")).alias(d) for d in present],
                  F.coalesce(F.col("reason"), F.lit(KEPT)).alias("reason"),
                  _length_bucket(df, "char_count").alias("len_bucket"), *extra)
        .groupBy(*present, "reason", "len_bucket", *(["len_bucket_before"] if extra else []))
        .count()
        .collect()
    )
    return summarise(stage, [r.asDict() for r in grouped], present, duplicate_reasons)


def count_map_totals(df, column: str) -> dict:
    """Totals of a ``map<string, int>`` column (e.g. lines removed per kind): per key, the sum
    of the counts and the number of rows with a non-zero count. Aggregated on the executors."""
    from pyspark.sql import functions as F

    rows = (
        df.select(F.explode(F.col(column)).alias("key", "n"))
        .groupBy("key")
        .agg(F.sum("n").alias("total"), F.count(F.when(F.col("n") > 0, 1)).alias("rows"))
        .collect()
    )
    return {r["key"]: {"total": int(r["total"]), "rows": int(r["rows"])} for r in sorted(rows, key=lambda r: r["key"])}


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
        hist_in[_bucket_label(g.get("len_bucket_before", g["len_bucket"]))] += n
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
            if not kept and not duplicate:
                per_reason = entry.setdefault("rejected_by_reason", {})
                per_reason[g["reason"]] = per_reason.get(g["reason"], 0) + n
    order = lambda h: dict(sorted(h.items(), key=lambda kv: (kv[0] != "0", len(kv[0]), kv[0])))  # noqa: E731
    stats = {
        "stage": stage,
        "rows_in": rows_in,
        "rows_kept": rows_kept,
        "rows_rejected": rows_in - rows_kept - sum(by_duplicate.values()),
        "rejected_by_reason": dict(sorted(by_reason.items())),
        "rejected_rate_by_reason": {r: round(n / rows_in, 6) for r, n in sorted(by_reason.items())},
        "length_histogram": {"before": order(hist_in), "after": order(hist_kept)},
    }
    if duplicate_reasons:
        stats["rows_duplicate"] = sum(by_duplicate.values())
        stats["duplicates_by_reason"] = {r: by_duplicate.get(r, 0) for r in sorted(duplicate_reasons)}
    for d in dims:
        table = {}
        for key, e in sorted(by_dim[d].items()):
            e = dict(e)
            if "rejected_by_reason" in e:
                e["rejected_by_reason"] = dict(sorted(e["rejected_by_reason"].items()))
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
