"""Kept documents written to Parquet by the Python workers (pyarrow), not by Spark.

Why: a stage that keeps most of its input (ingest keeps nearly every page) spends much of
Spark's share of the job moving each kept text from the worker's Arrow batch into JVM rows,
into the cache and out again as Parquet. The worker that made the batch writes it itself
through ``pyarrow.fs`` (local, ``file://``, ``hdfs://``: the filesystems the ingest readers
already open), into the stage's staging directory. Spark then carries only the rejected rows
and, for each kept row, its accounting columns with ``text`` and ``metadata`` dropped.

Idempotent per input partition: a partition's file is named by the partition's id, written
under a hidden temporary name and renamed when the partition ends, so a retried or
speculative attempt replaces the same file with the same rows, and a killed attempt leaves
only a hidden file that the driver deletes. The partition id names the input split only in
the action that computes the operator with one task per input partition, so the stage runs
the operator in exactly one action (``refinery.spark.stage.write_outcomes`` writes the slim
outcome rows once and reads them back; nothing recomputes the operator inside another task).
"""
from __future__ import annotations

import functools
import sys
import uuid
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from refinery.fs import split_uri
from refinery.spark import executor_cache
from refinery.spark.arrow_apply import Operator, conform, map_batches, run_operator, spark_schema
from refinery.spark.paths import HadoopFS, local_path
from schemas import DOCUMENT

# Rows are buffered up to this many bytes and written as one row group (Spark writes 128 MB).
ROW_GROUP_BYTES = 64 << 20
TEMP_PREFIX = "_attempt-"
# The columns a kept row loses on its way to the driver's accounting (they are in the file).
DROPPED_COLUMNS = ("text", "metadata")
# What Spark's own writer produces: every column optional (mapInArrow's schema is all nullable).
KEPT_FILE_SCHEMA = pa.schema([f.with_nullable(True) for f in DOCUMENT])


class KeptFile:
    """One input partition's kept rows, streamed into one Parquet file under ``kept_uri``."""

    def __init__(self, kept_uri: str, name: str, schema: pa.Schema = KEPT_FILE_SCHEMA):
        self.fs, base, _ = split_uri(kept_uri)
        self.base = base.rstrip("/")
        self.final = f"{self.base}/{name}.parquet"
        self.temp = f"{self.base}/{TEMP_PREFIX}{name}-{uuid.uuid4().hex[:12]}.parquet"
        self.schema = schema
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.RecordBatch] = []
        self._pending_bytes = 0

    def divert(self, batch: pa.RecordBatch) -> list[pa.RecordBatch]:
        """Buffer the batch's kept rows (null ``reason``) for the file; return the rejected rows
        as they are and the kept rows without ``DROPPED_COLUMNS``."""
        is_kept = pc.is_null(batch.column("reason"))
        n_kept = pc.sum(is_kept.cast(pa.int64())).as_py() or 0
        if n_kept == 0:
            return [batch]
        kept = batch if n_kept == batch.num_rows else batch.filter(is_kept)
        self._pending.append(conform(kept, self.schema))
        self._pending_bytes += self._pending[-1].nbytes
        if self._pending_bytes >= ROW_GROUP_BYTES:
            self._flush()
        out = [_without(kept, DROPPED_COLUMNS)]
        if n_kept < batch.num_rows:
            out.append(batch.filter(pc.invert(is_kept)))
        return out

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._writer is None:
            self.fs.create_dir(self.base, recursive=True)
            self._writer = pq.ParquetWriter(self.temp, self.schema, filesystem=self.fs, compression="snappy")
        self._writer.write_table(pa.Table.from_batches(self._pending), row_group_size=1 << 30)
        self._pending, self._pending_bytes = [], 0

    def commit(self) -> None:
        """Write what is buffered and rename the file into place (nothing when no row was kept)."""
        self._flush()
        if self._writer is None:
            return
        self._writer.close()
        try:
            self.fs.move(self.temp, self.final)
        except OSError:
            # HDFS does not rename onto an existing file: another attempt of this partition
            # (same rows) got there first.
            if self.fs.get_file_info(self.final).type != pafs.FileType.File:
                raise
            self.fs.delete_file(self.temp)

    def abort(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            self.fs.delete_file(self.temp)
        except OSError:
            pass  # the driver deletes what is left under TEMP_PREFIX


def map_outcomes(df, make_operator: Callable[[], Operator], schema: pa.Schema, out_uri: str, kept_writer: str,
                 cache_key=None):
    """A stage's outcomes for ``write_outcomes``: with ``kept_writer`` "workers" (when the output
    allows it) the function of the ``kept/`` URI that has the workers write it, else the
    DataFrame Spark writes ``kept/`` from."""
    if kept_writer_for(kept_writer, out_uri) == "workers":
        return functools.partial(map_batches_writing_kept, df, make_operator, schema, cache_key=cache_key)
    return map_batches(df, make_operator, schema, cache_key=cache_key)


def kept_writer_for(requested: str, out_uri: str) -> str:
    """``requested`` ("workers" or "spark"), or "spark" when pyarrow cannot open the output's
    filesystem here (a scheme only Hadoop knows, such as ``s3a://``, or no libhdfs): the job
    then runs, slower, and says why, instead of failing in every task."""
    if requested != "workers" or local_path(out_uri) is not None:
        return requested
    try:
        split_uri(out_uri)
    except Exception as e:  # noqa: BLE001 — pyarrow raises ArrowInvalid, OSError, ...
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        print(f"kept_writer=workers: pyarrow cannot open {out_uri} here ({first_line}); Spark writes kept/",
              file=sys.stderr)
        return "spark"
    return requested


def _without(batch: pa.RecordBatch, names: tuple[str, ...]) -> pa.RecordBatch:
    """The batch with ``names`` replaced by nulls (same schema, no text bytes)."""
    arrays = [pa.nulls(batch.num_rows, f.type) if f.name in names else batch.column(i)
              for i, f in enumerate(batch.schema)]
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def map_batches_writing_kept(df, make_operator: Callable[[], Operator], schema: pa.Schema, kept_uri: str,
                             kept_columns: list[str] | None = None, cache_key=None):
    """Like ``arrow_apply.map_batches``, but kept rows go to Parquet files under ``kept_uri``
    (``part-<partition id>.parquet``, the ``kept_columns`` of ``schema``, default the document
    columns) and come out of Spark without ``DROPPED_COLUMNS``."""
    file_schema = pa.schema([schema.field(n).with_nullable(True) for n in (kept_columns or DOCUMENT.names)])

    def run_partition(batches: Iterator[pa.RecordBatch]):
        from pyspark import TaskContext

        operator = executor_cache.get_or_load(cache_key, make_operator) if cache_key else make_operator()
        sink = KeptFile(kept_uri, "part-%05d" % TaskContext.get().partitionId(), file_schema)
        try:
            for out in run_operator(operator, batches, schema):
                yield from sink.divert(out)
            sink.commit()
        except BaseException:
            sink.abort()
            raise

    return df.mapInArrow(run_partition, spark_schema(schema))


def finish_kept_dir(spark, kept_uri: str, empty_like) -> int:
    """After the action that ran every partition: delete killed attempts' files, and make the
    directory a readable dataset even when nothing was kept (``empty_like``: a DataFrame with
    the kept columns), marked ``_SUCCESS`` as Spark marks its own. Returns the Parquet files."""
    fs = HadoopFS(spark, kept_uri)
    names = fs.list_names(kept_uri)
    for name in names:
        if name.startswith(TEMP_PREFIX):
            fs.delete(f"{kept_uri}/{name}")
    files = [n for n in names if n.endswith(".parquet") and not n.startswith(("_", "."))]
    if not files:
        empty_like.limit(0).write.mode("overwrite").parquet(kept_uri)
        return 0
    fs.write_text(f"{kept_uri}/_SUCCESS", "")
    return len(files)
