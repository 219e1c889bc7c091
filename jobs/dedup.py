"""spark-submit jobs/dedup.py --input DIR [DIR ...] --output DIR [--config dedup.yaml] [--set key=value ...]

Removes exact and near duplicates (MinHash LSH, connected components) and, optionally,
documents that overlap evaluation sets; writes ``kept/``, ``duplicates/``, ``rejected/``,
``signatures/`` and ``_stats.json``.
"""
from __future__ import annotations

import argparse
import sys

from refinery.config import ConfigError, load_config, parse_overrides
from refinery.dedup.config import DedupConfig
from refinery.spark.session import build_session, ui_address
from refinery.spark.stats import format_summary


def parse_args(argv):
    p = argparse.ArgumentParser(prog="jobs/dedup.py", description=__doc__.splitlines()[0])
    p.add_argument("--input", nargs="+", required=True, help="Parquet document datasets (e.g. an ingest/clean/score kept/)")
    p.add_argument("--output", required=True, help="output directory (local, file:// or hdfs://)")
    p.add_argument("--config", help="dedup.yaml")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override a config key, e.g. lsh.threshold=0.85")
    p.add_argument("--master", help="Spark master when not run through spark-submit (default local[*])")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cfg = load_config(args.config, DedupConfig, parse_overrides(args.set))
    except ConfigError as e:
        print(f"dedup: config error: {e}", file=sys.stderr)
        return 2
    from refinery.spark.dedup import InputError, run

    spark = build_session("refinery-dedup", conf=cfg.spark, master=args.master)
    print(f"dedup: {args.input} -> {args.output}  (Spark UI: {ui_address(spark)})", flush=True)
    try:
        stats = run(spark, args.input, args.output, cfg)
    except InputError as e:
        print(f"dedup: input error: {e}", file=sys.stderr)
        return 2
    print(format_summary(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
