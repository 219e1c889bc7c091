"""Apply a refinery operator (a pure function over ``pyarrow.RecordBatch``) to a DataFrame.

Rows stay in Arrow batches on the executors (``mapInArrow``); they never become Python
objects one by one on the Spark side.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

import pyarrow as pa

from refinery.spark import executor_cache

# An operator maps one batch to a batch, or to an iterator of batches (a reader yields many).
Operator = Callable[[pa.RecordBatch], "pa.RecordBatch | Iterable[pa.RecordBatch]"]


def spark_schema(schema: pa.Schema):
    """The Spark StructType of an Arrow schema (all fields nullable: Spark writes them so)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(pa.schema([f.with_nullable(True) for f in schema]))


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Select and cast the schema's columns in its order (what mapInArrow requires)."""
    n = batch.num_rows
    arrays = [
        batch.column(f.name).cast(f.type) if f.name in batch.schema.names else pa.nulls(n, f.type) for f in schema
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema([f.with_nullable(True) for f in schema]))


def run_operator(operator: Operator, batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The operator over a partition's batches, each output conformed to ``schema``."""
    for batch in batches:
        out = operator(batch)
        if isinstance(out, (pa.RecordBatch, pa.Table)):
            out = [out]
        for piece in out:
            if isinstance(piece, pa.Table):
                yield from (conform(b, schema) for b in piece.to_batches())
            elif piece.num_rows:
                yield conform(piece, schema)


def map_batches(df, make_operator: Callable[[], Operator], schema: pa.Schema, cache_key=None):
    """``df.mapInArrow`` with an operator built once per Python worker.

    ``make_operator`` is a picklable zero-argument factory (e.g. ``functools.partial``)
    that loads whatever the operator needs (a model, a tokenizer); ``cache_key`` names it
    in the per-worker cache so the load happens once per process, not per task.
    """

    def run_partition(batches):
        operator = executor_cache.get_or_load(cache_key, make_operator) if cache_key else make_operator()
        return run_operator(operator, batches, schema)

    return df.mapInArrow(run_partition, spark_schema(schema))
