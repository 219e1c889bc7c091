"""Write a filtering stage's outcome: ``kept/``, ``rejected/`` (partitioned by reason) and
``_stats.json``, committed atomically as one output directory."""
from __future__ import annotations

import time

from refinery.spark.commit import atomic_output
from refinery.spark.paths import HadoopFS
from refinery.spark.stats import outcome_stats, write_stats
from refinery.spark.worker_parquet import finish_kept_dir
from schemas import DOCUMENT, REJECTED

# Staging sub-directory of the slim outcome rows (kept rows without text, rejected rows) when
# the workers write kept/; deleted before the output is published.
SLIM_OUTCOMES = "_outcomes"


def write_outcomes(
    spark,
    outcomes,
    out_uri: str,
    stage: str,
    run_info: dict | None = None,
    dims: tuple[str, ...] = ("source", "lang"),
    rejected_buckets: int = 4,
    kept_columns: list[str] | None = None,
    length_before: str | None = None,
    extra_stats=None,
    internal_reason: str | None = None,
) -> dict:
    """Persist the outcome DataFrame once, then write its two halves and the accounting.

    ``outcomes`` is a DataFrame, or ``outcomes(kept_uri, kept_columns) -> DataFrame`` for a stage
    whose Python workers write ``kept/`` themselves (``refinery.spark.worker_parquet``): its
    kept rows arrive without text, and only the rejected rows and the accounting go through Spark.

    ``rejected_buckets`` files per reason keep one huge reason from landing on a single
    task while ``inspect`` can still read one reason's directory alone. ``length_before``: see
    ``outcome_stats``; ``extra_stats(outcomes) -> dict`` adds a stage's own totals (computed on
    the persisted outcomes, before the commit) to ``_stats.json``. Rows whose reason is
    ``internal_reason`` are the stage's own bookkeeping (ingest's per-file reports): only
    ``extra_stats`` sees them; they are not written and not counted.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = time.time()
    workers_write_kept = callable(outcomes)
    # Spark writing kept/: the kept write computes the outcomes, one task per input partition,
    # and fills the cache. The stats after it only read the cache: one task per core, not one per
    # input partition (a task's own cost was most of their time: 239 partitions of the 1 GB
    # ingest, 10 s). The rejected write keeps one map task per partition: Spark drops a coalesce
    # under a repartition.

    def counted(df):  # a stage's bookkeeping rows are neither written nor counted
        return df if internal_reason is None else df.filter(F.col("reason").isNull() | (F.col("reason") != internal_reason))

    columns = kept_columns or DOCUMENT.names
    cached = None
    try:
        with atomic_output(spark, out_uri) as staging:
            if workers_write_kept:
                # One action runs the operator, one task per input partition (the workers name
                # their kept files by partition id); every later action reads the slim rows back.
                slim_uri = f"{staging}/{SLIM_OUTCOMES}"
                outcomes(f"{staging}/kept", kept_columns).write.parquet(slim_uri)
                reread = spark.read.parquet(slim_uri)
                finish_kept_dir(spark, f"{staging}/kept", reread.select(*columns))
            else:
                cached = outcomes.persist(StorageLevel.MEMORY_AND_DISK)
                kept = cached.filter(F.col("reason").isNull()).select(*columns)
                kept.write.parquet(f"{staging}/kept")
                reread = cached.coalesce(max(1, spark.sparkContext.defaultParallelism))
            rejected = counted(reread).filter(F.col("reason").isNotNull()).select(*REJECTED.names)
            (
                rejected.repartition(F.col("reason"), F.pmod(F.xxhash64("doc_id"), F.lit(rejected_buckets)))
                .write.partitionBy("reason")
                .parquet(f"{staging}/rejected")
            )
            stats = outcome_stats(counted(reread), stage, dims, length_before)
            if extra_stats is not None:
                stats.update(extra_stats(reread))
            stats["run"] = dict(run_info or {}, seconds=round(time.time() - started, 3))
            write_stats(spark, staging, stats)
            if workers_write_kept:
                HadoopFS(spark, slim_uri).delete(slim_uri)
    finally:
        if cached is not None:
            cached.unpersist()
    return stats
