"""spark-submit jobs/ingest.py --input PATH [PATH ...] --output DIR [--config ingest.yaml] [--set key=value ...]

Reads WARC/WET/JSONL/Parquet (a directory, a glob, a file, or @list.txt), extracts and
normalises text, identifies language, and writes ``kept/``, ``rejected/`` and ``_stats.json``.
"""
from __future__ import annotations

import dataclasses
import sys

from refinery.ingest.config import IngestConfig
from refinery.ingest.pipeline import FILE_INDEX_COLUMN, FILE_REPORT_REASON, make_file_ingester
from refinery.spark.ingest_files import file_report_stats, unreadable_filesystem
from refinery.spark.ingest_tasks import plan_tasks
from refinery.spark.inputs import InputError
from refinery.spark.job import Stage
from refinery.spark.model_files import ship, with_local_files
from refinery.spark.stage import write_outcomes
from refinery.spark.stats import format_summary
from refinery.spark.worker_parquet import map_outcomes
from schemas import OUTCOME


def run(spark, files: list[str], output: str, cfg: IngestConfig) -> dict:
    """Files packed into tasks (``refinery.spark.ingest_tasks``); each task streams its files
    through the ingester."""
    bounds = plan_tasks(spark, files, cfg.files_per_task)
    n_tasks = len(bounds) - 1  # at least one: no files is one empty task
    # Task numbers come from the JVM (no Python stage to build the task list); each task
    # looks its files up in the list shipped with the operator.
    indices = spark.range(0, n_tasks, 1, numPartitions=n_tasks).withColumnRenamed("id", FILE_INDEX_COLUMN)
    ship(spark, cfg.model_paths())
    make_ingester = with_local_files(make_file_ingester, cfg, tuple(files), file_reports=True,
                                     task_bounds=tuple(bounds))
    outcomes = map_outcomes(indices, make_ingester, OUTCOME, output, cfg.kept_writer,
                            cache_key=("ingest", repr(cfg), hash(tuple(files))))
    run_info = {"inputs": len(files), "tasks": n_tasks, "config": dataclasses.asdict(cfg)}
    return write_outcomes(spark, outcomes, output, "ingest", run_info, rejected_buckets=cfg.rejected_buckets,
                          extra_stats=readable_file_stats, internal_reason=FILE_REPORT_REASON)


def readable_file_stats(outcomes) -> dict:
    """The per-file stats; an input filesystem the executors could not read at all fails the
    job (nothing is committed) instead of writing one ``ingest.read_error`` row per file."""
    stats = file_report_stats(outcomes)
    problem = unreadable_filesystem(stats["files"])
    if problem is not None:
        raise InputError(problem)
    return stats


def exit_code(stats: dict, args) -> int:
    """1 when every input file failed (the job wrote only rejected rows)."""
    if stats["files_failed"] == len(args.files):
        print(f"ingest: every input file failed ({len(args.files)}); see rejected/ and _stats.json", file=sys.stderr)
        return 1
    return 0


STAGE = Stage("ingest", __doc__, lambda spark, args, cfg: run(spark, args.files, args.output, cfg), format_summary,
          config_cls=IngestConfig, inputs="files", input_help="directory, glob, file or @list.txt (several allowed)",
          exit_code=exit_code)

