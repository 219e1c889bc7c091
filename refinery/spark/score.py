"""spark-submit jobs/score.py --input DOCS [DOCS ...] --output DIR [--config score.yaml] [--set key=value ...]

Adds ``category``, ``category_score``, ``fasttext_quality`` and ``quality_score`` to every
document (domain classifier, fastText quality, BERT quality in a cascade), keeps those at or
above their category's threshold and writes ``kept/``, ``rejected/reason=score.quality_below_threshold/``
and ``_stats.json`` (with the per-category bias check, the kept rate per category and language,
and a warning line for each category that loses more than half its documents). ``--input`` is a stage output
directory (its ``kept/`` is read) or Parquet files/directories.
"""
from __future__ import annotations

import dataclasses
import functools

from refinery.report.kept_rates import format_kept_rates
from refinery.scoring.categories import FORMATTED, PROSE
from refinery.scoring.config import ScoreConfig, is_uri
from refinery.scoring.operator import check_models, make_score_operator, resolve_thresholds
from refinery.spark.bias import threshold_bias_report
from refinery.spark.inputs import read_documents as inputs_read_documents
from refinery.spark.job import Stage
from refinery.spark.model_files import check_found, localized, ship, with_local_files
from refinery.spark.stage import write_outcomes
from refinery.spark.worker_parquet import map_outcomes
from refinery.spark.stats import format_summary
from schemas import DOCUMENT, SCORED, SCORED_OUTCOME


def read_documents(spark, inputs: list[str]):
    """Documents by the one input rule (refinery.spark.inputs); only DOCUMENT columns travel."""
    from pyspark.sql import functions as F

    df = inputs_read_documents(spark, inputs)
    return df.select(*[F.col(c) if c in df.columns else F.lit(None).cast("string").alias(c) for c in DOCUMENT.names])


def check_local_models(args, cfg: ScoreConfig) -> None:
    """Before Spark: every local model exists and loads (URIs: once Spark runs, in ``run``)."""
    paths = cfg.model_paths()
    check_found(paths)
    check_models(localized(cfg, keep=is_uri), keys={k for k, p in paths.items() if not is_uri(p)})


def run(spark, inputs: list[str], output: str, cfg: ScoreConfig) -> dict:
    paths = cfg.model_paths()
    ship(spark, paths)
    here = localized(cfg)  # the driver's copies: the thresholds file, the load check of shipped models
    check_models(here, keys={k for k, p in paths.items() if is_uri(p)})
    thresholds = resolve_thresholds(here)
    docs = read_documents(spark, inputs)
    make_operator = with_local_files(make_score_operator, cfg, thresholds)  # models resolve on each executor
    outcomes = map_outcomes(docs, make_operator, SCORED_OUTCOME, output, cfg.kept_writer,
                            cache_key=("score", repr(cfg), repr(thresholds)))
    bias = functools.partial(threshold_bias_report, per_category=thresholds.per_category,
                             global_threshold=thresholds.global_threshold, prose=PROSE, formatted=FORMATTED)
    run_info = {"inputs": inputs, "config": dataclasses.asdict(cfg), "thresholds": thresholds.per_category}
    return write_outcomes(spark, outcomes, output, "score", run_info, dims=("source", "lang", "category"),
                          rejected_buckets=cfg.rejected_buckets, kept_columns=SCORED.names, extra_stats=bias)


def format_report(stats: dict) -> str:
    bias = stats["bias_check"]
    s = bias["summary"]
    lines = [format_summary(stats), "  keep rate per-category thresholds vs one global threshold "
             f"({bias['global_threshold']:.3f}): " +
             ", ".join(f"{k}={v['keep_rate']}/{v['global_threshold_keep_rate']}" for k, v in s.items() if v["rows"]),
             *format_kept_rates(bias)]
    return "\n".join(lines + bias["warnings"])


# a missing or corrupt local model stops the job before Spark starts
STAGE = Stage("score", __doc__, lambda spark, args, cfg: run(spark, args.input, args.output, cfg), format_report,
          config_cls=ScoreConfig, check=check_local_models)

