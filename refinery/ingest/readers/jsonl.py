"""JSON Lines reader (.jsonl, .jsonl.gz, .jsonl.zst, .json.gz): one JSON object per line.

``offset`` is the 0-based line number in the decompressed file. Blank lines are skipped
(they are not input rows) but keep their number, so an offset always names the line.
"""
from __future__ import annotations

import io
import json
from typing import Iterator

import pyarrow as pa

from refinery.ingest.readers.files import open_decompressed, source_name
from refinery.ingest.readers.options import FileReport, ReaderOptions, batched, rejected_row


def as_str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (dict, list)) else str(value)


def record_metadata(record: dict, options: ReaderOptions) -> str | None:
    """JSON of the fields that are not text/id/url/time (or only ``options.metadata_fields``)."""
    if options.metadata_fields:
        extra = {k: record[k] for k in options.metadata_fields if k in record}
    else:
        mapped = {options.text_field, options.id_field, options.url_field, options.time_field}
        extra = {k: v for k, v in record.items() if k not in mapped}
    if not extra:
        return None
    return json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)


def _line_row(line: bytes, number: int, source: str, path: str, options: ReaderOptions) -> dict:
    def rejected(reason: str, detail: str, **fields) -> dict:
        return rejected_row(source, path, number, reason, detail, line, "text", **fields)

    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
    except ValueError as exc:
        return rejected("ingest.bad_json", "invalid JSON: %s" % exc)
    if not isinstance(record, dict):
        return rejected("ingest.bad_json", "a JSON %s, not an object" % type(record).__name__)
    fields = dict(
        record_id=as_str(record.get(options.id_field)),
        url=as_str(record.get(options.url_field)),
        fetch_time=as_str(record.get(options.time_field)) if options.time_field else None,
        metadata=record_metadata(record, options),
    )
    text = record.get(options.text_field)
    if not isinstance(text, str):
        what = "missing" if text is None else "a %s" % type(text).__name__
        return rejected("ingest.missing_text", "field %r is %s" % (options.text_field, what), **fields)
    payload = text.encode("utf-8", errors="replace")  # lone surrogates from \ud800 escapes
    if len(payload) > options.max_payload_bytes:
        return rejected_row(source, path, number, "ingest.payload_too_large",
                            "text larger than max_payload_bytes=%d" % options.max_payload_bytes,
                            payload, "text", **fields)
    return dict(fields, source=source, source_file=path, offset=number, payload_kind="text", payload=payload)


def _rows(path: str, options: ReaderOptions, report: FileReport | None) -> Iterator[dict]:
    stream = open_decompressed(path)
    try:
        yield from _stream_rows(stream, options.source or source_name(path), path, options)
    finally:
        if report is not None:
            report.bytes_read = stream.bytes_consumed
        stream.close()


def _stream_rows(stream, source: str, path: str, options: ReaderOptions) -> Iterator[dict]:
    number = 0  # the next line's number
    while True:
        # A new line reader after each skipped span: the old one saw the stream end there.
        lines = io.BufferedReader(stream, buffer_size=1 << 20)
        line = b""
        for line in lines:
            if not line.endswith(b"\n") and (stream.truncated or stream.error):
                break  # the unterminated last line before a cut or a corrupt member: reported below
            if line.strip():
                yield _line_row(line, number, source, path, options)
            number += 1
        else:
            line = b""  # the stream ended on a line boundary
        lines.detach()  # its buffer is empty (the stream ended); closing it would close the stream
        if stream.corrupt:
            why, head = stream.error, stream.member_head
            start, end = stream.skip_corrupt()
            detail = "compressed bytes %d-%d unreadable (%s)%s; %s" % (
                start, end, why, "; line %d cut" % number if line else "",
                "end of file" if stream.at_eof else "resumed at the next member/frame")
            yield rejected_row(source, path, number, "ingest.corrupt_member", detail, line or head, "text",
                               error_value=float(end - start))
            number += 1 if line else 0
            if stream.at_eof:
                return
            continue
        if stream.truncated:
            yield rejected_row(source, path, number, "ingest.truncated_file",
                               "compressed stream ends inside a member/frame (line %d cut)" % number,
                               line or None, "text")
        elif stream.error:
            yield rejected_row(source, path, number, "ingest.read_error", "input stream failed: %s" % stream.error,
                               line or None, "text")
        return


def read_jsonl(path: str, options: ReaderOptions | None = None, batch_size: int = 2048,
               report: FileReport | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a JSON Lines file as RAW_RECORD batches, one row per non-blank line.

    Invalid JSON or a non-object: ``ingest.bad_json``; no string in the text field:
    ``ingest.missing_text``; invalid UTF-8 is replaced (U+FFFD), not rejected. A cut
    gzip/zstd stream yields every line before the cut and one ``ingest.truncated_file`` row.
    """
    yield from batched(_rows(path, options or ReaderOptions(), report), batch_size)
