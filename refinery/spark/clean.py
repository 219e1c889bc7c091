"""spark-submit jobs/clean.py --input INGESTED --output DIR [--config clean.yaml] [--mode filter|annotate]
                              [--steps lines,rules,pii] [--set key=value ...]

Drops boilerplate lines, judges every document with the heuristic rules of its language and
category (refinery/filters), scrubs PII from what stays (refinery/pii), and writes ``kept/``,
``rejected/reason=…/`` and ``_stats.json`` with the bias report (kept rate per language, source,
category and reason; length histogram before and after; line edits and PII counts).
"""
from __future__ import annotations

import dataclasses
import functools

from refinery.filters.config import CleanConfig
from refinery.filters.pipeline import make_cleaner, outcome_schema
from refinery.report.kept_rates import format_kept_rates, kept_rates, loss_warnings
from refinery.spark.inputs import read_documents
from refinery.spark.job import Stage
from refinery.spark.model_files import ship, with_local_files
from refinery.spark.stage import write_outcomes
from refinery.spark.worker_parquet import map_outcomes
from refinery.spark.stats import count_map_totals, format_summary, outcome_stats
from schemas import DOCUMENT

DIMS = ("source", "lang", "category")


def clean_overrides(args) -> dict:
    """--mode and --steps set config keys."""
    out = {}
    if args.mode:
        out["mode"] = args.mode
    if args.steps:
        out["steps"] = [s.strip() for s in args.steps.split(",") if s.strip()]
    return out


def clean_arguments(p) -> None:
    p.add_argument("--mode", choices=["filter", "annotate"], help="annotate: keep every document with every rule's value")
    p.add_argument("--steps", help="comma list of lines,rules,pii (default: all three)")


def kept_rate_stats(outcomes, stage: str = "clean", kept=None) -> dict:
    """Kept rate per (category, language), counted on the executors, with the warning lines for
    categories that lost more than half their documents (``refinery.report.kept_rates``).
    ``kept``: the column expression of a kept row (default: a null ``reason``)."""
    from pyspark.sql import functions as F

    kept = F.col("reason").isNull() if kept is None else kept
    cols = [(F.col(c).cast("string") if c in outcomes.columns else F.lit(None).cast("string")).alias(c)
            for c in ("category", "lang")]
    rows = (outcomes.groupBy(*cols).agg(F.count(F.lit(1)).alias("rows_in"),
                                       F.count(F.when(kept, 1)).alias("rows_kept")).collect())
    table = kept_rates(r.asDict() for r in rows)
    table["warnings"] = loss_warnings(table, stage)
    return table


def extra_stats(outcomes, cfg: CleanConfig) -> dict:
    from pyspark.sql import functions as F

    out = {"mode": cfg.mode, "steps": list(cfg.steps)}
    # annotate mode keeps every row: the rate that matters is what filter mode would keep
    kept = F.col("would_reject").isNull() if cfg.mode == "annotate" else None
    out["kept_rates"] = kept_rate_stats(outcomes, "clean", kept)
    if "lines" in cfg.steps:
        agg = outcomes.agg(F.count(F.when(F.col("line_chars_removed") > 0, 1)).alias("docs"),
                           F.coalesce(F.sum("line_chars_removed"), F.lit(0)).alias("chars")).collect()[0]
        kinds = count_map_totals(outcomes, "line_edits")
        out["line_edits"] = {"docs_edited": int(agg["docs"]), "chars_removed": int(agg["chars"]),
                             "lines_removed": sum(k["total"] for k in kinds.values()), "by_kind": kinds}
    if "pii" in cfg.steps:
        types = count_map_totals(outcomes, "pii_counts")
        out["pii"] = {"items_replaced": sum(t["total"] for t in types.values()), "by_type": types}
    if cfg.mode == "annotate":
        would = outcomes.withColumn("reason", F.col("would_reject"))
        out["would_reject"] = outcome_stats(would, "clean", tuple(d for d in DIMS if d in outcomes.columns), "char_count_in")
    return out


def run(spark, input_path: str | list[str], output: str, cfg: CleanConfig) -> dict:
    docs = read_documents(spark, input_path)
    has_category = "category" in docs.columns or cfg.category_model is not None
    schema = outcome_schema(cfg.mode)
    ship(spark, cfg.model_paths())  # the domain model and word lists resolve on each executor
    outcomes = map_outcomes(docs, with_local_files(make_cleaner, cfg), schema, output, cfg.kept_writer,
                            cache_key=("clean", repr(cfg)))
    if cfg.mode == "annotate":
        kept_columns = DOCUMENT.names + ["category", "char_count_in", "line_edits", "pii_counts",
                                         "rule_values", "rule_thresholds", "failed_rules", "would_reject"]
    else:
        kept_columns = DOCUMENT.names + (["category"] if has_category else [])
    run_info = {"input": input_path, "config": dataclasses.asdict(cfg)}
    return write_outcomes(spark, outcomes, output, "clean", run_info, dims=DIMS, rejected_buckets=cfg.rejected_buckets,
                          kept_columns=kept_columns, length_before="char_count_in",
                          extra_stats=functools.partial(extra_stats, cfg=cfg))


def format_report(stats: dict) -> str:
    """The bias report printed at the end (the same figures are in _stats.json)."""
    lines = [format_summary(stats)]
    for dim in ("lang", "category", "source"):
        table = stats.get(f"by_{dim}", {})
        for key, e in sorted(table.items(), key=lambda kv: -kv[1]["rows_in"])[:10]:
            top = sorted(e.get("rejected_by_reason", {}).items(), key=lambda kv: -kv[1])[:3]
            lines.append(f"    {dim}={key:<14} in {e['rows_in']:>8,}  kept {e['kept_rate']:.1%}  "
                         + ", ".join(f"{r} {n:,}" for r, n in top))
    if "kept_rates" in stats:
        lines.extend(format_kept_rates(stats["kept_rates"]))
        lines.extend(stats["kept_rates"]["warnings"])
    hist = stats["length_histogram"]
    lines.append("  length (non-space chars) before: " + " ".join(f"{k}:{v}" for k, v in hist["before"].items()))
    lines.append("  length (non-space chars) after:  " + " ".join(f"{k}:{v}" for k, v in hist["after"].items()))
    if "line_edits" in stats:
        le = stats["line_edits"]
        lines.append(f"  line edits: {le['lines_removed']:,} lines in {le['docs_edited']:,} docs ("
                     + ", ".join(f"{k} {v['total']:,}" for k, v in le["by_kind"].items()) + ")")
    if "pii" in stats:
        lines.append(f"  pii replaced: {stats['pii']['items_replaced']:,} ("
                     + ", ".join(f"{k} {v['total']:,}" for k, v in stats["pii"]["by_type"].items()) + ")")
    if "would_reject" in stats:
        w = stats["would_reject"]
        lines.append(f"  annotate: would reject {w['rows_rejected']:,} of {w['rows_in']:,}: "
                     + ", ".join(f"{r} {n:,}" for r, n in sorted(w["rejected_by_reason"].items(), key=lambda kv: -kv[1])[:8]))
    return "\n".join(lines)


STAGE = Stage("clean", __doc__, lambda spark, args, cfg: run(spark, args.input, args.output, cfg), format_report,
          config_cls=CleanConfig, arguments=clean_arguments, overrides=clean_overrides,
          arrow_batch_size=lambda cfg: cfg.batch_size)

