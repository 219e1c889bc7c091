"""Parquet reader: streamed batch by batch; ``offset`` is the row index in the file.

Fields are mapped column-wise (no Python object per row) except ``metadata``, which is
one JSON object per row built from the columns that are not text/id/url/time.
"""
from __future__ import annotations

import json
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from refinery.ingest.readers.files import open_random_access, source_name
from refinery.ingest.readers.jsonl import as_str
from refinery.ingest.readers.options import PREFIX_BYTES, FileReport, ReaderOptions, batched, rejected_row
from schemas.datasets import RAW_RECORD

_TEXTUAL = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary, pa.types.is_large_binary)


def _string_column(batch: pa.RecordBatch, name: str | None) -> pa.Array:
    n = batch.num_rows
    if not name or name not in batch.schema.names:
        return pa.nulls(n, pa.string())
    column = batch.column(name)
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([as_str(v) for v in column.to_pylist()], pa.string())


def _metadata(batch: pa.RecordBatch, options: ReaderOptions) -> pa.Array:
    names = batch.schema.names
    if options.metadata_fields:
        keep = [f for f in options.metadata_fields if f in names]
    else:
        mapped = {options.text_field, options.id_field, options.url_field, options.time_field}
        keep = [f for f in names if f not in mapped]
    if not keep:
        return pa.nulls(batch.num_rows, pa.string())
    rows = batch.select(keep).to_pylist()
    return pa.array([json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) for r in rows], pa.string())


def _to_raw(batch: pa.RecordBatch, first_row: int, source: str, path: str, options: ReaderOptions) -> pa.RecordBatch:
    n = batch.num_rows
    field = options.text_field
    if field in batch.schema.names and any(t(batch.schema.field(field).type) for t in _TEXTUAL):
        payload = batch.column(field).cast(pa.binary())
        missing_detail = "field %r is null" % field
    else:
        payload = pa.nulls(n, pa.binary())
        missing_detail = ("no column %r" % field if field not in batch.schema.names
                          else "column %r has type %s" % (field, batch.schema.field(field).type))
    missing = payload.is_null()
    limit = options.max_payload_bytes
    too_large = pc.fill_null(pc.greater(pc.binary_length(payload), limit), False)
    null_str = pa.scalar(None, pa.string())
    reason = pc.if_else(missing, "ingest.missing_text", pc.if_else(too_large, "ingest.payload_too_large", null_str))
    detail = pc.if_else(missing, missing_detail,
                        pc.if_else(too_large, "text larger than max_payload_bytes=%d" % limit, null_str))
    payload = pc.if_else(too_large, pc.binary_slice(payload, 0, PREFIX_BYTES), payload)
    columns = {
        "source": pa.array([source] * n, pa.string()),
        "source_file": pa.array([path] * n, pa.string()),
        "offset": pa.array(range(first_row, first_row + n), pa.int64()),
        "record_id": _string_column(batch, options.id_field),
        "url": _string_column(batch, options.url_field),
        "fetch_time": _string_column(batch, options.time_field),
        "http_status": pa.nulls(n, pa.int32()),
        "content_type": pa.nulls(n, pa.string()),
        "payload_kind": pa.array(["text"] * n, pa.string()),
        "payload": payload,
        "metadata": _metadata(batch, options),
        "error_reason": reason,
        "error_detail": detail,
        "error_value": pa.nulls(n, pa.float64()),
    }
    return pa.RecordBatch.from_arrays([columns[f.name] for f in RAW_RECORD], schema=RAW_RECORD)


def read_parquet(path: str, options: ReaderOptions | None = None, batch_size: int = 2048,
                 report: FileReport | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a Parquet file as RAW_RECORD batches (text/id/url/time columns per ``options``).

    A file that is not valid Parquet is one ``ingest.parse_error`` row (offset 0, payload =
    its first bytes); a file that breaks after some batches adds one such row at the first
    row that could not be read.
    """
    options = options or ReaderOptions()
    source = options.source or source_name(path)
    with open_random_access(path) as fh:
        try:
            parquet = pq.ParquetFile(fh)
        except (pa.ArrowException, OSError) as exc:
            fh.seek(0)
            prefix = fh.read(PREFIX_BYTES)
            if report is not None:
                report.bytes_read = fh.tell()
            yield from batched([rejected_row(source, path, 0, "ingest.parse_error",
                                             "not a Parquet file: %s" % exc, prefix, "text")], 1)
            return
        if options.metadata_fields:
            wanted = {options.text_field, options.id_field, options.url_field, options.time_field,
                      *options.metadata_fields}
            columns = [name for name in parquet.schema_arrow.names if name in wanted]
        else:
            columns = None
        row = 0
        batches = parquet.iter_batches(batch_size=batch_size, columns=columns)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                if report is not None:  # every row group read: the whole file
                    report.bytes_read = fh.size()
                return
            except (pa.ArrowException, OSError) as exc:
                yield from batched([rejected_row(source, path, row, "ingest.parse_error",
                                                 "unreadable Parquet data: %s" % exc, None, "text")], 1)
                return
            yield _to_raw(batch, row, source, path, options)
            row += batch.num_rows
