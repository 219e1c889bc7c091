"""Reader options, and the row shape (``RAW_RECORD``) every reader yields."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import pyarrow as pa

from schemas.datasets import RAW_RECORD

PREFIX_BYTES = 256  # how much of an unreadable record a rejected row salvages


@dataclass
class FileReport:
    """How much of one input file a reader got through: a user checks nothing went missing."""

    path: str
    size: int | None = None  # bytes on disk; None when the file could not be looked at
    bytes_read: int | None = None  # bytes consumed, skipped corrupt spans included; None: unknown
    records: int = 0  # rows yielded (documents to be and rejected rows)
    rejected: int = 0  # rows with an error_reason
    failed: bool = False  # nothing could be read from it (unopenable, unreadable, not the format)
    error: str | None = None  # why it failed

    def as_dict(self) -> dict:
        return {"size": self.size, "bytes_read": self.bytes_read, "records": self.records,
                "rejected": self.rejected, "failed": self.failed, "error": self.error}


@dataclass
class ReaderOptions:
    # Name of the source; None: the name of the directory holding each file.
    source: str | None = None
    # JSONL / Parquet field names.
    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"
    time_field: str | None = None
    # Extra JSONL / Parquet fields copied into the ``metadata`` JSON column; empty: all others.
    metadata_fields: list[str] = field(default_factory=list)
    # WARC record types that are input rows; the others (request, warcinfo, metadata, ...)
    # are skipped and not counted.
    warc_record_types: list[str] = field(default_factory=lambda: ["response", "conversion"])
    # A body larger than this becomes a rejected row (ingest.payload_too_large) holding its prefix.
    max_payload_bytes: int = 5_000_000


def rejected_row(source: str, source_file: str, offset: int, reason: str, detail: str,
                 prefix: bytes | None, payload_kind: str, **fields) -> dict:
    """A RAW_RECORD row for a record that could not be read: the reason and what was salvaged."""
    row = dict(fields, source=source, source_file=source_file, offset=offset,
               payload_kind=payload_kind, error_reason=reason, error_detail=detail[:1000])
    row["payload"] = bytes(prefix[:PREFIX_BYTES]) if prefix is not None else None
    return row


def batched(rows: Iterable[dict], batch_size: int) -> Iterator[pa.RecordBatch]:
    """Group row dicts into RAW_RECORD batches of ``batch_size`` rows (the last may be shorter)."""
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            yield pa.RecordBatch.from_pylist(batch, schema=RAW_RECORD)
            batch = []
    if batch:
        yield pa.RecordBatch.from_pylist(batch, schema=RAW_RECORD)
