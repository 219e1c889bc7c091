"""Exclusive running sums over a global order, computed without a single-partition window.

``Window.orderBy`` without ``partitionBy`` moves every row to one task. Instead: range-partition
by the order, sort inside partitions, add up each partition (one small row per partition and
group reaches the driver), then every task adds its partition's offset to a local running sum.
The mix uses it per channel (tokens taken so far, to cut at a token budget) and the tokenize
job globally (token offset of each document, hence its chunk).
"""
from __future__ import annotations

import functools
from collections import defaultdict

import numpy as np
import pyarrow as pa


PID = "_partition"


def _running_sums(value_col: str, out_col: str, group_col: str | None, offsets: dict, schema: pa.Schema):
    """Operator factory (one per partition: it keeps the running sum between batches)."""
    running: dict = defaultdict(int)

    def add_offsets(batch: pa.RecordBatch) -> pa.RecordBatch:
        if batch.num_rows == 0:
            return batch
        values = np.asarray(batch.column(value_col).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        pid = batch.column(PID)[0].as_py()
        groups = batch.column(group_col).to_pylist() if group_col else None
        out = np.empty(len(values), dtype=np.int64)
        if groups is None:
            start = offsets.get((pid, None), 0) + running[None]
            out[:] = start + np.cumsum(values) - values
            running[None] += int(values.sum())
        else:
            keys = np.asarray(groups, dtype=object)
            for g in set(groups):
                idx = np.nonzero(keys == g)[0]
                v = values[idx]
                out[idx] = offsets.get((pid, g), 0) + running[g] + np.cumsum(v) - v
                running[g] += int(v.sum())
        return batch.append_column(out_col, pa.array(out, pa.int64()))

    return add_offsets


def range_sorted(df, order_cols: list[str], num_partitions: int | None = None):
    """``df`` range-partitioned and sorted by ``order_cols``: partition i holds an interval of the order."""
    n = num_partitions or max(1, df.rdd.getNumPartitions())
    return df.repartitionByRange(n, *order_cols).sortWithinPartitions(*order_cols)


def exclusive_prefix_sum(ranged, value_col: str, out_col: str, group_col: str | None = None):
    """``ranged`` (from ``range_sorted``, possibly through narrow steps such as ``mapInArrow``, which
    keep partitions and row order) plus ``out_col`` = sum of ``value_col`` over the rows before this
    one (within ``group_col`` when given), and ``_partition``.

    Returns (result DataFrame, the persisted input to ``unpersist()`` when done).
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from refinery.spark.arrow_apply import map_batches

    ranged = ranged.withColumn(PID, F.spark_partition_id()).persist(StorageLevel.MEMORY_AND_DISK)
    keys = [PID] + ([group_col] if group_col else [])
    totals = ranged.groupBy(*keys).agg(F.sum(value_col).alias("t")).collect()
    per_group: dict = defaultdict(list)
    for row in totals:
        per_group[row[group_col] if group_col else None].append((row[PID], int(row["t"] or 0)))
    offsets = {}
    for g, items in per_group.items():
        acc = 0
        for pid, total in sorted(items):
            offsets[(pid, g)] = acc
            acc += total
    arrow_schema = _arrow_schema(ranged).append(pa.field(out_col, pa.int64()))
    make = functools.partial(_running_sums, value_col, out_col, group_col, offsets, arrow_schema)
    return map_batches(ranged, make, arrow_schema), ranged


def _arrow_schema(df) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)


