"""Input readers of the ingest stage: WARC, WET, JSONL and Parquet files to RAW_RECORD batches.

Spark-free and streaming: each reader walks its file once, with bounded memory, and
yields ``pyarrow.RecordBatch``es in the ``schemas.datasets.RAW_RECORD`` schema. Nothing
is dropped silently: a record that cannot be read is a row with ``error_reason`` set.
"""
from __future__ import annotations

from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from refinery.ingest.readers.files import detect_format, file_size, list_input_files, source_name
from refinery.ingest.readers.jsonl import read_jsonl
from refinery.ingest.readers.options import FileReport, ReaderOptions, batched, rejected_row
from refinery.ingest.readers.parquet import read_parquet
from refinery.ingest.readers.warc import read_warc

__all__ = ["FileReport", "ReaderOptions", "detect_format", "list_input_files", "read_records",
           "read_warc", "read_jsonl", "read_parquet"]

_READERS = {"warc": read_warc, "wet": read_warc, "jsonl": read_jsonl, "parquet": read_parquet}


def _fatal(exc: BaseException) -> bool:
    # pyo3's PanicException (a FastWARC bug) derives from BaseException: contain it too.
    return not isinstance(exc, Exception) and type(exc).__name__ != "PanicException"


# Rows that say a file gave nothing readable (when it gave no other row).
FILE_FAILURES = frozenset({"ingest.read_error", "ingest.parse_error", "ingest.truncated_file", "ingest.corrupt_member"})


def read_records(path: str, options: ReaderOptions | None = None,
                 batch_size: int | None = None, report: FileReport | None = None) -> Iterator[pa.RecordBatch]:
    """RAW_RECORD batches of one input file, whatever its format.

    An unexpected failure while opening or reading the file ends it with one
    ``ingest.read_error`` row (detail: the exception) instead of an exception that would
    kill the job; its offset is 0, or one past the last offset already yielded.
    ``report``, when given, is filled in as the file is read (size, bytes read, rows).
    """
    options = options or ReaderOptions()
    report = report if report is not None else FileReport(path)
    report.size = file_size(path)
    next_offset = 0
    readable = 0  # rows without an error: the file gave something
    failures = set()
    try:
        fmt = detect_format(path)
        reader = _READERS[fmt]
        kwargs = {} if batch_size is None else {"batch_size": batch_size}
        for batch in reader(path, options, report=report, **kwargs):
            if batch.num_rows:
                next_offset = max(next_offset, pc.max(batch.column("offset")).as_py() + 1)
                errors = batch.column("error_reason")
                n_bad = batch.num_rows - errors.null_count
                report.records += batch.num_rows
                report.rejected += n_bad
                readable += batch.num_rows - n_bad
                if n_bad:
                    failures.update(r for r in pc.unique(errors.drop_null()).to_pylist() if r in FILE_FAILURES)
            yield batch
    except BaseException as exc:
        if _fatal(exc) or isinstance(exc, MemoryError):
            raise
        try:
            source = options.source or source_name(path)
        except Exception:
            source = "unknown"
        kind = "html" if ".warc" in path.lower() and ".wet" not in path.lower() else "text"
        detail = "%s: %s" % (type(exc).__name__, exc)
        report.records += 1
        report.rejected += 1
        report.error = detail
        failures.add("ingest.read_error")
        yield from batched([rejected_row(source, path, next_offset, "ingest.read_error", detail, None, kind)], 1)
    report.failed = readable == 0 and bool(failures)
    if report.failed and report.error is None:
        report.error = "no readable record (%s)" % ", ".join(sorted(failures))
