"""WARC and WET reader: FastWARC parses records, we decompress and keep count of bytes.

We feed FastWARC the *decompressed* stream (``files.DecompressedStream``) instead of
letting it inflate the file, for two reasons:

* truncation: FastWARC stops quietly, raises, or yields a short record when a file is
  cut. We know exactly how the stream ended (a gzip member begun but never finished) and
  how many bytes it held, so a record whose declared ``Content-Length`` runs past the end,
  or whose gzip member has no end, is never a document: it becomes the file's one
  ``ingest.truncated_file`` row. No second pass over the file is needed.
* offsets: for ``.warc.gz`` the offset of a record is the compressed offset of the gzip
  member it starts in (the Common Crawl index convention: seek there, inflate one member).
  In a file gzipped as one member, every record therefore has offset 0 (``record_id``
  still tells them apart). For an uncompressed file it is the record's byte offset.

Memory stays bounded: FastWARC reads 64 KiB at a time, we keep a window of the last few
MiB of decompressed bytes (for raw prefixes and to resume after a broken record), and a
body is read only up to ``max_payload_bytes + 1``.
"""
from __future__ import annotations

import bisect
from typing import Iterator

import pyarrow as pa
from fastwarc.warc import ArchiveIterator

from refinery.ingest.readers.files import DecompressedStream, codec_of, open_input, source_name
from refinery.ingest.readers.options import PREFIX_BYTES, FileReport, ReaderOptions, batched, rejected_row

_WINDOW_BYTES = 4 << 20
_MAX_HEADER_BYTES = 1 << 20
_WHITESPACE = b" \t\r\n"


class _Window:
    """File-like view FastWARC reads from: remembers the last bytes read and can rewind."""

    def __init__(self, stream: DecompressedStream):
        self.stream = stream
        self.buf = bytearray()
        self.buf_start = 0  # stream position of buf[0]
        self.pos = 0  # next position handed to FastWARC

    def tell(self) -> int:
        return self.pos

    def read(self, n: int = -1) -> bytes:
        buf_end = self.buf_start + len(self.buf)
        if self.pos < buf_end:  # replay after a rewind
            i = self.pos - self.buf_start
            data = bytes(self.buf[i: i + (n if n >= 0 else len(self.buf))])
        else:
            data = self.stream.read(n if n >= 0 else 1 << 20)
            self.buf += data
            if len(self.buf) > 2 * _WINDOW_BYTES:
                drop = len(self.buf) - _WINDOW_BYTES
                del self.buf[:drop]
                self.buf_start += drop
        self.pos += len(data)
        return data

    def rewind(self, pos: int) -> bool:
        if pos < self.buf_start:
            return False
        self.pos = pos
        return True

    def bytes_at(self, pos: int, n: int = PREFIX_BYTES) -> bytes | None:
        i = pos - self.buf_start
        return bytes(self.buf[i: i + n]) if i >= 0 else None

    def find(self, needle: bytes, pos: int, limit: int | None = None) -> int:
        """Stream position of ``needle`` at or after ``pos``, or -1 (looks only in the window)."""
        i = max(pos - self.buf_start, 0)
        j = self.buf.find(needle, i, len(self.buf) if limit is None else i + limit)
        return -1 if j < 0 else j + self.buf_start

    def skip_whitespace(self, pos: int) -> int:
        i = pos - self.buf_start
        while 0 <= i < len(self.buf) and self.buf[i] in _WHITESPACE:
            i += 1
        return i + self.buf_start


class _WarcFile:
    def __init__(self, path: str, options: ReaderOptions):
        self.path = path
        self.options = options
        self.source = options.source or source_name(path)
        self.wanted = {t.lower() for t in options.warc_record_types}
        self.payload_kind = "text" if ".wet" in path.lower() else "html"
        self.stream = DecompressedStream(open_input(path), codec_of(path))
        self.window = _Window(self.stream)
        self.run_start = 0  # where the current ArchiveIterator started reading

    # -- positions ---------------------------------------------------------------------------
    def offset(self, pos: int) -> int:
        """File offset for a decompressed position: the start of its gzip member, or itself."""
        if self.stream.codec is None:
            return pos
        members = self.stream.members
        i = bisect.bisect_right(members, (pos, float("inf"))) - 1
        return members[i][1] if i >= 0 else 0

    def _prune_members(self, pos: int) -> None:
        members = self.stream.members
        i = bisect.bisect_right(members, (pos, float("inf"))) - 1
        if i > 64:
            del members[: i - 1]

    # -- rows --------------------------------------------------------------------------------
    def _rejected(self, pos: int, reason: str, detail: str, prefix: bytes | None, **fields) -> dict:
        return rejected_row(self.source, self.path, self.offset(pos), reason, detail, prefix,
                            self.payload_kind, **fields)

    def _row(self, rec, headers: dict, start: int, prefix: bytes | None) -> dict:
        warc_type = (headers.get("warc-type") or "").lower()
        url = headers.get("warc-target-uri")
        if url and url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        fields = dict(record_id=headers.get("warc-record-id"), url=url,
                      fetch_time=headers.get("warc-date"), content_type=headers.get("content-type"))
        kind = "html" if warc_type == "response" else "text"
        if warc_type not in ("response", "conversion"):
            kind = "text" if (fields["content_type"] or "").startswith("text/plain") else "html"
        try:
            if warc_type == "response" and rec.is_http:
                rec.parse_http()
                http = rec.http_headers
                fields["http_status"] = http.status_code
                fields["content_type"] = http.get("Content-Type")
            limit = self.options.max_payload_bytes
            body = rec.reader.read(limit + 1)
        except OSError as exc:
            return rejected_row(self.source, self.path, self.offset(start), "ingest.parse_error",
                                "unreadable record: %s" % exc, prefix, kind, **fields)
        if len(body) > limit:
            return rejected_row(self.source, self.path, self.offset(start), "ingest.payload_too_large",
                                "body larger than max_payload_bytes=%d" % limit, body, kind, **fields)
        return dict(fields, source=self.source, source_file=self.path, offset=self.offset(start),
                    payload_kind=kind, payload=body)

    def rows(self) -> Iterator[dict]:
        it = ArchiveIterator(self.window, parse_http=False, stream_detect=False)
        pending = None  # the last record seen: (row or None, start, end or None); held back
        # until we know it is complete (only the last record of a cut file can be broken)
        n = 0
        while True:
            failure = None
            try:
                rec = next(it)
            except StopIteration:
                rec = None
            except BaseException as exc:  # FastWARC raises OSError, or a pyo3 PanicException
                if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
                    raise
                rec, failure = None, exc
            if rec is not None:
                if pending is not None and pending[0] is not None:
                    yield pending[0]
                pending = self._record(rec)
                n += 1
                if n % 4096 == 0:
                    self._prune_members(pending[1])
                continue
            # The iterator ended: cleanly, at a cut, or at something it could not parse.
            resume, tail_rows = self._finish(pending, failure)
            yield from tail_rows
            if resume is None:
                return
            pending = None
            self.run_start = resume
            it = ArchiveIterator(self.window, parse_http=False, stream_detect=False)

    def _record(self, rec) -> tuple[dict | None, int, int | None]:
        start = rec.stream_pos
        prefix = self.window.bytes_at(start)
        header_end = self.window.find(b"\r\n\r\n", start, _MAX_HEADER_BYTES)
        # One pass over the header block: HeaderMap.get costs a few microseconds per call.
        headers = {key.lower(): value for key, value in rec.headers.astuples()}
        try:
            length = int(headers.get("content-length"))
        except (TypeError, ValueError):
            length = None
        end = header_end + 4 + length if header_end >= 0 and length is not None else None
        warc_type = (headers.get("warc-type") or "").lower()
        row = self._row(rec, headers, start, prefix) if warc_type in self.wanted else None
        return row, start, end

    def _finish(self, pending, failure) -> tuple[int | None, list[dict]]:
        """Rows for the end of an iterator run, and where to resume (None: the file is done)."""
        stream, window = self.stream, self.window
        if stream.corrupt:
            return self._skip_corrupt(pending)
        delivered = stream.pos
        open_member = stream.open_member
        rows = []
        next_pos = self.run_start
        if pending is not None:
            row, start, end = pending
            prefix = window.bytes_at(start) or self.stream.member_head
            if end is None or end > delivered:
                if end is None:
                    detail = "file ends inside the WARC header of this record"
                else:
                    detail = "file ends inside this record: it needs %d bytes, %d are left" % (
                        end - start, delivered - start)
                return None, [self._rejected(start, "ingest.truncated_file", detail, prefix)]
            if open_member is not None and start >= open_member[0]:
                detail = "gzip member of this record has no end (file cut after its data)"
                return None, [self._rejected(start, "ingest.truncated_file", detail, prefix)]
            if row is not None:
                rows.append(row)
            next_pos = end
        tail = window.skip_whitespace(next_pos)
        tail_bytes = window.bytes_at(tail)
        if failure is None and not tail_bytes and open_member is None and stream.error is None:
            return None, rows  # clean end
        if open_member is not None:
            detail = "file ends inside a gzip member (compressed offset %d)" % open_member[1]
            pos = max(tail, open_member[0])
            rows.append(self._rejected(pos, "ingest.truncated_file", detail,
                                       window.bytes_at(pos) or stream.member_head))
            return None, rows
        if stream.error is not None and not tail_bytes:
            reason = "ingest.parse_error" if stream.corrupt else "ingest.read_error"
            rows.append(self._rejected(tail, reason, "input stream failed: %s" % stream.error, None))
            return None, rows
        # Bytes FastWARC could not parse: resume at the next gzip member / WARC header, if any.
        resume = self._resync_point(tail)
        what = "%s: %s" % (type(failure).__name__, failure) if failure is not None else "not a WARC record"
        if resume is None and stream.at_eof and stream.codec is None and stream.error is None:
            rows.append(self._rejected(tail, "ingest.truncated_file",
                                       "file ends inside a record that cannot be parsed (%s)" % what, tail_bytes))
            return None, rows
        detail = "unparseable record (%s)" % what
        if resume is None and not stream.at_eof:
            detail += "; rest of the file skipped"
        rows.append(self._rejected(tail, "ingest.parse_error", detail, tail_bytes))
        if resume is not None and window.rewind(resume):
            return resume, rows
        return None, rows

    def _skip_corrupt(self, pending) -> tuple[int | None, list[dict]]:
        """A gzip member failed to inflate: one ``ingest.corrupt_member`` row for the bytes
        skipped up to the next member, then resume there. A record that reaches into the
        failed member is part of that span (its bytes did not check), not a document."""
        stream = self.stream
        bad_start = stream.members[-1][0] if stream.members else 0  # output position of the failed member
        rows, lost = [], ""
        if pending is not None:
            row, start, end = pending
            if end is not None and end <= bad_start:
                if row is not None:
                    rows.append(row)
            elif row is not None:
                lost = "; record %s lost with it" % row.get("record_id")
        why, head = stream.error, stream.member_head
        raw_start, raw_end = stream.skip_corrupt()
        detail = "compressed bytes %d-%d unreadable (%s)%s; %s" % (
            raw_start, raw_end, why, lost, "end of file" if stream.at_eof else "resumed at the next member")
        rows.append(rejected_row(self.source, self.path, raw_start, "ingest.corrupt_member", detail, head,
                                 self.payload_kind, error_value=float(raw_end - raw_start)))
        if stream.at_eof:
            return None, rows
        self.window.rewind(stream.pos)
        return stream.pos, rows

    def _resync_point(self, pos: int) -> int | None:
        if self.stream.codec is not None:
            window = self.window
            while True:
                for dstart, _ in self.stream.members:
                    if dstart > pos and dstart >= window.buf_start:
                        return dstart
                if self.stream.at_eof:
                    return None
                window.pos = window.buf_start + len(window.buf)
                window.read(1 << 16)  # the next member has not been begun yet: read on
        i = self.window.find(b"\nWARC/1.", pos + 1)
        return i + 1 if i >= 0 else None


def read_warc(path: str, options: ReaderOptions | None = None, batch_size: int = 512,
              report: FileReport | None = None) -> Iterator[pa.RecordBatch]:
    """Stream the input records of a WARC/WET file (.warc, .warc.gz, .warc.zst, .wet, .wet.gz, .wet.zst) as RAW_RECORD batches.

    Only ``options.warc_record_types`` records are rows (responses: HTTP body, status and
    Content-Type; WET conversions: the text). A broken record is a rejected row; a file cut
    mid-record yields every complete record and one ``ingest.truncated_file`` row.
    """
    warc = _WarcFile(path, options or ReaderOptions())
    try:
        yield from batched(warc.rows(), batch_size)
    finally:
        if report is not None:
            report.bytes_read = warc.stream.bytes_consumed
        warc.stream.close()
