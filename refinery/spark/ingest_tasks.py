"""Input files packed into ingest tasks the way Spark packs the splits of a file scan.

A task has a fixed cost (scheduling, a Python runner, a kept file, a commit): ~50 ms, which
was 10% of the 1 GB ingest when its 4 MB replica files took one task each. Spark's file
sources pack small files into one partition up to ``spark.sql.files.maxPartitionBytes``,
counting ``spark.sql.files.openCostInBytes`` per file, and use smaller partitions when that
would leave cores idle; ingest does the same with the same settings, so a user tunes both
with the keys they know. A file is never split (a gzip member stream is read from its start):
a 1 GB Common Crawl WARC file is one task, as before.
"""
from __future__ import annotations

from refinery.ingest.readers.files import file_sizes

MAX_PARTITION_BYTES = "spark.sql.files.maxPartitionBytes"
OPEN_COST_BYTES = "spark.sql.files.openCostInBytes"
MIN_PARTITIONS = "spark.sql.files.minPartitionNum"


def split_bytes(sizes: list[int | None], max_partition_bytes: int, open_cost: int, min_partitions: int) -> int:
    """Spark's ``maxSplitBytes``: the cap, or less when the input would not fill every core."""
    total = sum((s or 0) + open_cost for s in sizes)
    return min(max_partition_bytes, max(open_cost, total // max(1, min_partitions)))


def pack_files(sizes: list[int | None], max_bytes: int, open_cost: int) -> list[int]:
    """Task boundaries over files in their given order: task ``t`` reads files
    ``bounds[t]:bounds[t + 1]``. Next fit, as Spark's ``FilePartition.getFilePartitions``
    (a file of unknown size, which its reader will report, costs the open cost only)."""
    bounds, current = [0], 0
    for i, size in enumerate(sizes):
        size = size or 0
        if i > bounds[-1] and current + size > max_bytes:
            bounds.append(i)
            current = 0
        current += size + open_cost
    bounds.append(len(sizes))  # no files: one empty task
    return bounds


def plan_tasks(spark, files: list[str], files_per_task: int | None) -> list[int]:
    """Task boundaries: ``files_per_task`` files each when given, else packed by size (the
    files' sizes are listed only then)."""
    n = len(files)
    if files_per_task is not None:
        return list(range(0, n, files_per_task)) + [n] if n else [0, 0]
    sizes = file_sizes(files)
    conf = spark.conf
    max_bytes = _bytes(conf.get(MAX_PARTITION_BYTES, "128m"))
    open_cost = _bytes(conf.get(OPEN_COST_BYTES, "4m"))
    min_partitions = int(conf.get(MIN_PARTITIONS, None) or spark.sparkContext.defaultParallelism)
    return pack_files(sizes, split_bytes(sizes, max_bytes, open_cost, min_partitions), open_cost)


def _bytes(value: str) -> int:
    """A Spark byte-size setting ("134217728", "128m", "4MB") in bytes."""
    text = str(value).strip().lower().removesuffix("b")
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)
