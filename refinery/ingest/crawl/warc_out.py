"""WARC/1.0 output the ingest stage reads: gzip per record, warcinfo first in each file.

Per fetch a `request` and a `response` record linked by WARC-Concurrent-To, the response
holding the full HTTP status line, headers and body. A file is written under a
`.open` name and renamed when closed, so a reader listing *.warc.gz never sees half a
file; a new file is started once one passes `max_bytes`.
"""

from __future__ import annotations

import os
import socket
import threading
from io import BytesIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from .fetch import HttpExchange


class RotatingWarcWriter:
    def __init__(self, out_dir: str, prefix: str, max_bytes: int, info: dict[str, str] | None = None):
        os.makedirs(out_dir, exist_ok=True)
        self._out_dir, self._prefix, self._max_bytes = out_dir, prefix, max_bytes
        self._info = {"software": "refinery crawl", "format": "WARC File Format 1.0",
                      "hostname": socket.gethostname(), **(info or {})}
        self._lock = threading.Lock()
        self._index = 0
        self._file = None
        self._writer: WARCWriter | None = None
        self._path = ""
        self.paths: list[str] = []  # finished files

    def write_exchange(self, exchange: HttpExchange) -> None:
        with self._lock:
            writer = self._writer or self._open_next()
            response = _response_record(writer, exchange)
            request = _request_record(writer, exchange)
            writer.write_request_response_pair(request, response)
            if self._file.tell() >= self._max_bytes:
                self._close_current()

    def close(self) -> None:
        with self._lock:
            self._close_current()

    def __enter__(self) -> "RotatingWarcWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open_next(self) -> WARCWriter:
        name = f"{self._prefix}-{self._index:05d}.warc.gz"
        self._index += 1
        self._path = os.path.join(self._out_dir, name)
        self._file = open(self._path + ".open", "wb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.0")
        self._writer.write_record(self._writer.create_warcinfo_record(name, self._info))
        return self._writer

    def _close_current(self) -> None:
        if self._file is None:
            return
        self._file.close()
        os.replace(self._path + ".open", self._path)
        self.paths.append(self._path)
        self._file, self._writer = None, None


def _response_record(writer: WARCWriter, exchange: HttpExchange):
    http_headers = StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(),
                                    exchange.response_headers, protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": datetime_to_iso_date(exchange.started.replace(tzinfo=None))}
    if exchange.ip:
        warc_headers["WARC-IP-Address"] = exchange.ip
    if exchange.truncated:
        warc_headers["WARC-Truncated"] = "length"
    return writer.create_warc_record(exchange.url, "response", payload=BytesIO(exchange.body),
                                     length=len(exchange.body), http_headers=http_headers,
                                     warc_headers_dict=warc_headers)


def _request_record(writer: WARCWriter, exchange: HttpExchange):
    http_headers = StatusAndHeaders(exchange.request_line, exchange.request_headers,
                                    is_http_request=True)
    return writer.create_warc_record(exchange.url, "request", payload=BytesIO(b""), length=0,
                                     http_headers=http_headers)
