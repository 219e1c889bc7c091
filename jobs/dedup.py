"""spark-submit jobs/dedup.py --input DIR [DIR ...] --output DIR [--config dedup.yaml] [--set key=value ...]

Removes exact and near duplicates (MinHash LSH, connected components) and, optionally,
documents that overlap evaluation sets; writes ``kept/``, ``duplicates/``, ``rejected/``,
``signatures/`` and ``_stats.json``.
"""
import sys

from refinery.dedup.config import DedupConfig
from refinery.spark.job import Job, job_main
from refinery.spark.stats import format_summary


def _run(spark, args, cfg):
    from refinery.spark.dedup import run

    return run(spark, args.input, args.output, cfg)


JOB = Job("dedup", __doc__, _run, format_summary, config_cls=DedupConfig)


def main(argv=None) -> int:
    return job_main(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
