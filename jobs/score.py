"""spark-submit jobs/score.py --input DOCS [DOCS ...] --output DIR [--config score.yaml] [--set key=value ...]

Adds ``category``, ``category_score``, ``fasttext_quality`` and ``quality_score`` to every
document (domain classifier, fastText quality, BERT quality in a cascade), keeps those at or
above their category's threshold and writes ``kept/``, ``rejected/reason=score.quality_below_threshold/``
and ``_stats.json`` (with the per-category bias check). ``--input`` is a stage output
directory (its ``kept/`` is read) or Parquet files/directories.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import sys

from refinery.config import ConfigError, load_config, parse_overrides
from refinery.scoring.categories import FORMATTED, PROSE
from refinery.scoring.config import ScoreConfig
from refinery.scoring.fasttext_model import ModelLoadError
from refinery.scoring.operator import check_models, make_score_operator, resolve_thresholds
from refinery.spark.arrow_apply import map_batches
from refinery.spark.bias import threshold_bias_report
from refinery.spark.paths import HadoopFS, qualify
from refinery.spark.session import build_session, ui_address
from refinery.spark.stage import write_outcomes
from refinery.spark.stats import format_summary
from schemas import DOCUMENT, SCORED, SCORED_OUTCOME


def parse_args(argv):
    p = argparse.ArgumentParser(prog="jobs/score.py", description=__doc__.splitlines()[0])
    p.add_argument("--input", nargs="+", required=True, help="stage output directory or Parquet path (several allowed)")
    p.add_argument("--output", required=True, help="output directory (local, file:// or hdfs://)")
    p.add_argument("--config", help="score.yaml")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override a config key, e.g. cascade.mode=bert")
    p.add_argument("--master", help="Spark master when not run through spark-submit (default local[*])")
    return p.parse_args(argv)


def read_documents(spark, inputs: list[str]):
    """Documents from stage outputs (``kept/``) or plain Parquet; only DOCUMENT columns travel."""
    paths = []
    for path in inputs:
        uri = qualify(path)
        paths.append(uri + "/kept" if HadoopFS(spark, uri).exists(uri + "/kept") else uri)
    df = spark.read.parquet(*paths)
    missing = [c for c in ("doc_id", "text") if c not in df.columns]
    if missing:
        raise ValueError(f"input {inputs} has no column(s) {missing}: expected documents (schemas.DOCUMENT)")
    from pyspark.sql import functions as F

    return df.select(*[F.col(c) if c in df.columns else F.lit(None).cast("string").alias(c) for c in DOCUMENT.names])


def run(spark, inputs: list[str], output: str, cfg: ScoreConfig) -> dict:
    thresholds = resolve_thresholds(cfg)
    docs = read_documents(spark, inputs)
    make_operator = functools.partial(make_score_operator, cfg, thresholds)
    outcomes = map_batches(docs, make_operator, SCORED_OUTCOME, cache_key=("score", repr(cfg), repr(thresholds)))
    bias = functools.partial(threshold_bias_report, per_category=thresholds.per_category,
                             global_threshold=thresholds.global_threshold, prose=PROSE, formatted=FORMATTED)
    run_info = {"inputs": inputs, "config": dataclasses.asdict(cfg), "thresholds": thresholds.per_category}
    return write_outcomes(spark, outcomes, output, "score", run_info, dims=("source", "lang", "category"),
                          rejected_buckets=cfg.rejected_buckets, kept_columns=SCORED.names, extra_stats=bias)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cfg = load_config(args.config, ScoreConfig, parse_overrides(args.set))
        check_models(cfg)  # a missing or corrupt model stops the job here, before Spark starts
    except (ConfigError, ModelLoadError) as e:
        print(f"score: {'config' if isinstance(e, ConfigError) else 'model'} error: {e}", file=sys.stderr)
        return 2
    spark = build_session("refinery-score", conf=cfg.spark, master=args.master)
    print(f"score: {args.input} -> {args.output}  (Spark UI: {ui_address(spark)})", flush=True)
    from pyspark.errors import AnalysisException

    try:
        stats = run(spark, args.input, args.output, cfg)
    except (ValueError, AnalysisException) as e:  # no such input, or not documents
        print(f"score: input error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 2
    print(format_summary(stats), flush=True)
    s = stats["bias_check"]["summary"]
    print("  keep rate per-category thresholds vs one global threshold "
          f"({stats['bias_check']['global_threshold']:.3f}): " +
          ", ".join(f"{k}={v['keep_rate']}/{v['global_threshold_keep_rate']}" for k, v in s.items() if v["rows"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
