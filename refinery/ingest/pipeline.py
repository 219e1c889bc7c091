"""The ingest operator over a batch of input file indices: read each file as a stream and
turn every record into a document or a rejected row, then one bookkeeping row saying how
much of the file was read. Built once per Spark worker."""
from __future__ import annotations

import json
from typing import Callable, Iterator

import pyarrow as pa

from refinery.ingest.config import IngestConfig
from refinery.ingest.documents import IngestOperator
from refinery.ingest.langid import load_langid_model
from refinery.ingest.readers import FileReport, read_records
from schemas import OUTCOME

FILE_INDEX_COLUMN = "file_index"
# Reason of the one bookkeeping row per input file (its FileReport as JSON in ``detail``).
# It is not a record: the job folds these rows into _stats.json["files"] and writes them nowhere.
FILE_REPORT_REASON = "ingest._file_report"


def file_report_row(report: FileReport) -> pa.RecordBatch:
    """The bookkeeping row of one input file, in the OUTCOME schema."""
    row = {"source_file": report.path, "offset": -1, "stage": "ingest", "reason": FILE_REPORT_REASON,
           "value": None if report.bytes_read is None else float(report.bytes_read),
           "detail": json.dumps(report.as_dict(), sort_keys=True)}
    return pa.RecordBatch.from_pylist([row], schema=OUTCOME)


def make_file_ingester(cfg: IngestConfig, files: tuple[str, ...], file_reports: bool = False,
                       task_bounds: tuple[int, ...] | None = None) -> Callable[[pa.RecordBatch], Iterator[pa.RecordBatch]]:
    """Load the language-id model and return ``file indices batch -> outcome batches``.

    ``file_reports``: after each file, its bookkeeping row (``FILE_REPORT_REASON``), which
    the job turns into ``_stats.json["files"]``. ``task_bounds``: the column holds task
    numbers instead, and task ``t`` reads files ``task_bounds[t]:task_bounds[t + 1]``.
    """
    to_documents = IngestOperator(cfg.extract, load_langid_model(cfg.langid_model))

    def file_indices(batch: pa.RecordBatch) -> Iterator[int]:
        for i in batch.column(FILE_INDEX_COLUMN).to_pylist():
            if task_bounds is None:
                yield i
            else:
                yield from range(task_bounds[i], task_bounds[i + 1])

    def ingest_files(indices: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        for i in file_indices(indices):
            report = FileReport(files[i])
            for raw in read_records(files[i], cfg.reader, cfg.batch_size, report=report):
                yield to_documents(raw)
            if file_reports:
                yield file_report_row(report)

    return ingest_files
