"""spark-submit jobs/ingest.py --input PATH [PATH ...] --output DIR [--config ingest.yaml] [--set key=value ...]

Reads WARC/WET/JSONL/Parquet (a directory, a glob, a file, or @list.txt), extracts and
normalises text, identifies language, and writes ``kept/``, ``rejected/`` and ``_stats.json``.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import sys

from refinery.config import ConfigError, load_config, parse_overrides
from refinery.ingest.config import IngestConfig
from refinery.ingest.pipeline import FILE_INDEX_COLUMN, FILE_REPORT_REASON, make_file_ingester
from refinery.ingest.readers import list_input_files
from refinery.spark.arrow_apply import map_batches
from refinery.spark.ingest_files import file_report_stats
from refinery.spark.session import build_session, ui_address
from refinery.spark.stage import write_outcomes
from refinery.spark.stats import format_summary
from schemas import OUTCOME


def parse_args(argv):
    p = argparse.ArgumentParser(prog="jobs/ingest.py", description=__doc__.splitlines()[0])
    p.add_argument("--input", nargs="+", required=True, help="directory, glob, file or @list.txt (several allowed)")
    p.add_argument("--output", required=True, help="output directory (local, file:// or hdfs://)")
    p.add_argument("--config", help="ingest.yaml")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override a config key, e.g. extract.nfkc=true")
    p.add_argument("--master", help="Spark master when not run through spark-submit (default local[*])")
    return p.parse_args(argv)


def run(spark, files: list[str], output: str, cfg: IngestConfig) -> dict:
    """One task per ``files_per_task`` files; each streams its files through the ingester."""
    n_tasks = max(1, -(-len(files) // cfg.files_per_task))
    # File indices come from the JVM (no Python stage to build the task list); each task
    # looks its paths up in the list shipped with the operator.
    indices = spark.range(0, len(files), 1, numPartitions=n_tasks).withColumnRenamed("id", FILE_INDEX_COLUMN)
    make_ingester = functools.partial(make_file_ingester, cfg, tuple(files), file_reports=True)
    outcomes = map_batches(indices, make_ingester, OUTCOME, cache_key=("ingest", repr(cfg), hash(tuple(files))))
    run_info = {"inputs": len(files), "config": dataclasses.asdict(cfg)}
    return write_outcomes(spark, outcomes, output, "ingest", run_info, rejected_buckets=cfg.rejected_buckets,
                          extra_stats=file_report_stats, internal_reason=FILE_REPORT_REASON)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cfg = load_config(args.config, IngestConfig, parse_overrides(args.set))
    except ConfigError as e:
        print(f"ingest: config error: {e}", file=sys.stderr)
        return 2
    files = list_input_files(args.input)
    if not files:
        print(f"ingest: no input files matched {args.input}", file=sys.stderr)
        return 2
    spark = build_session("refinery-ingest", conf=cfg.spark, master=args.master)
    print(f"ingest: {len(files)} files -> {args.output}  (Spark UI: {ui_address(spark)})", flush=True)
    stats = run(spark, files, args.output, cfg)
    print(format_summary(stats), flush=True)
    if stats["files_failed"] == len(files):
        print(f"ingest: every input file failed ({len(files)}); see rejected/ and _stats.json", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
