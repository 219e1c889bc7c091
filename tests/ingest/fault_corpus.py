"""A tiny, deterministic corpus of ingest inputs with known faults, for tests.

``write_fault_corpus(root)`` writes four files into ``root`` and returns what an
ingest run over that directory must report.

What counts as an input row (``records_in``)
--------------------------------------------
* WARC (``a.warc.gz``, ``b.warc.gz``): one row per ``response`` record. ``warcinfo``
  and ``request`` records are *not* documents and are not input rows.
  A file cut off mid-record adds exactly one row (rejected, ``ingest.truncated_file``)
  for the record that could not be read, whatever was lost after it.
* WET (``d.warc.wet.gz``): one row per ``conversion`` record (``warcinfo`` excluded).
* JSONL (``c.jsonl.gz``): one row per non-blank line; a line that is not a JSON object
  is one rejected row (``ingest.bad_json``).

Every row is either kept (a document) or rejected with one reason, so
``records_in == kept + sum(rejected.values())``, per file and in total.

Rejections expected: ``ingest.http_status`` (non-2xx response),
``ingest.content_type`` (non-text payload), ``ingest.empty_text`` (empty body /
empty text field), ``ingest.truncated_file``, ``ingest.bad_json``.

Two kept documents need care and are named in the returned dict:
* the GBK page whose charset is declared only in the HTTP ``Content-Type`` header; its
  text must contain ``gbk_sentence`` (decoded correctly, not mojibake);
* the page that declares utf-8 but holds invalid UTF-8 bytes; it is *kept*, with the bad
  bytes replaced (U+FFFD), and its text contains ``invalid_utf8_marker``.
"""

from __future__ import annotations

import gzip
import io
import json
import pathlib
import uuid

from warcio.warcwriter import WARCWriter

SEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "refinery-tests/fault-corpus")
GBK_SENTENCE = "今天北京天气晴朗，适合户外活动。"
INVALID_UTF8_MARKER = "Despite the damaged bytes this paragraph must survive ingest."

_EN_PARAGRAPHS = [
    "The river town grew around a wooden bridge that was rebuilt three times in a century. "
    "Each rebuilding followed a spring flood, and each time the merchants argued about who "
    "should pay for the new piers.",
    "Local archives show that the ferry operators kept careful ledgers of every crossing. "
    "Those ledgers now let historians estimate how many travellers passed through each season.",
    "Today the old bridge is a footpath, and a small museum on the east bank displays the "
    "original iron bolts together with maps of the flooded streets.",
]


def _record_id(name: str) -> str:
    return "<urn:uuid:%s>" % uuid.uuid5(SEED_NAMESPACE, name)


def _html(title: str, paragraphs: list[str], meta_charset: str | None = "utf-8") -> str:
    meta = '<meta charset="%s">' % meta_charset if meta_charset else ""
    body = "\n".join("<p>%s</p>" % p for p in paragraphs)
    return (
        "<!DOCTYPE html>\n<html><head>%s<title>%s</title></head>\n"
        "<body><nav><a href=\"/\">Home</a> | <a href=\"/about\">About</a></nav>\n"
        "<article><h1>%s</h1>\n%s\n</article>\n"
        "<footer>Copyright 2024 Example Media. All rights reserved.</footer>\n"
        "</body></html>\n" % (meta, title, title, body)
    )


class _Warc:
    """Writes request/response pairs with fixed ids and dates, tracking byte offsets."""

    def __init__(self, name: str, date: str = "2024-05-01T12:00:00Z"):
        self.name = name
        self.buf = io.BytesIO()
        self.writer = WARCWriter(self.buf, gzip=True)
        self.date = date
        self.n = 0
        self.responses = 0
        self._warcinfo()

    def _warcinfo(self) -> None:
        fields = b"software: refinery fault corpus\r\nformat: WARC File Format 1.0\r\n"
        rec = self.writer.create_warc_record(
            "", "warcinfo", payload=io.BytesIO(fields), length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Record-ID": _record_id(self.name + "/warcinfo"),
                               "WARC-Date": self.date, "WARC-Filename": self.name})
        self.writer.write_record(rec)

    def page(self, url: str, body: bytes, status: str = "200 OK",
             content_type: str | None = "text/html; charset=utf-8") -> tuple[int, int]:
        """Write request then response; return (start, end) offsets of the response record."""
        self.n += 1
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: refinery-test/1.0\r\n"
               "Accept: */*\r\n\r\n" % (path, host)).encode("ascii")
        headers = ["HTTP/1.1 %s" % status, "Server: nginx"]
        if content_type:
            headers.append("Content-Type: %s" % content_type)
        headers.append("Content-Length: %d" % len(body))
        resp = ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + body
        key = "%s/%d" % (self.name, self.n)
        req_rec = self.writer.create_warc_record(
            url, "request", payload=io.BytesIO(req), length=len(req),
            warc_headers_dict={"WARC-Record-ID": _record_id(key + "/request"),
                               "WARC-Date": self.date})
        resp_rec = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(resp), length=len(resp),
            warc_headers_dict={"WARC-Record-ID": _record_id(key + "/response"),
                               "WARC-Date": self.date})
        req_rec.rec_headers.add_header("WARC-Concurrent-To", _record_id(key + "/response"))
        self.writer.write_record(req_rec)
        start = self.buf.tell()
        self.writer.write_record(resp_rec)
        self.responses += 1
        return start, self.buf.tell()


def _good_pages(host: str, n: int) -> list[tuple[str, bytes]]:
    pages = []
    for i in range(n):
        paras = [_EN_PARAGRAPHS[(i + k) % 3] for k in range(3)]
        paras.append("This is article number %d from %s." % (i + 1, host))
        url = "http://%s/articles/%d.html" % (host, i + 1)
        pages.append((url, _html("Article %d" % (i + 1), paras).encode("utf-8")))
    return pages


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _write_a(root: pathlib.Path) -> dict:
    w = _Warc("a.warc.gz")
    kept_urls = []
    for url, body in _good_pages("www.example.com", 4):
        w.page(url, body)
        kept_urls.append(url)

    w.page("http://www.example.com/missing.html",
           _html("404 Not Found", ["The page you requested does not exist."]).encode(),
           status="404 Not Found")
    w.page("http://www.example.com/logo.png", _tiny_png(), content_type="image/png")
    w.page("http://www.example.com/empty.html", b"")

    # GBK bytes; charset only in the HTTP header, no <meta charset>.
    gbk_url = "http://news.example-zh.cn/2024/05/weather.html"
    gbk_paras = [GBK_SENTENCE * 4, "气象部门提醒市民注意防晒，早晚温差较大，请适当增减衣物。"]
    w.page(gbk_url, _html("北京天气", gbk_paras, meta_charset=None).encode("gbk"),
           content_type="text/html; charset=gbk")
    kept_urls.append(gbk_url)

    # Declares utf-8 but carries a stray 0xFF and a truncated 3-byte sequence.
    bad_url = "http://www.example.com/broken-bytes.html"
    bad = _html("Broken bytes", [INVALID_UTF8_MARKER, "Before \x00BAD\x00 after."]).encode()
    bad = bad.replace(b"\x00BAD\x00", b"\xff\xfe caf\xe9 \xe4\xb8")
    w.page(bad_url, bad)
    kept_urls.append(bad_url)

    (root / "a.warc.gz").write_bytes(w.buf.getvalue())
    return {"records_in": w.responses, "kept": 6,
            "rejected": {"ingest.http_status": 1, "ingest.content_type": 1,
                         "ingest.empty_text": 1},
            "kept_urls": kept_urls, "gbk_url": gbk_url, "invalid_utf8_url": bad_url}


def _write_b(root: pathlib.Path) -> dict:
    w = _Warc("b.warc.gz", date="2024-06-02T08:30:00Z")
    pages = _good_pages("blog.example.org", 4)
    kept_urls = []
    for url, body in pages[:3]:
        w.page(url, body)
        kept_urls.append(url)
    start, end = w.page(*pages[3])
    data = w.buf.getvalue()
    # Cut inside the compressed body of the last response: its request is complete,
    # the response is not, and nothing follows.
    (root / "b.warc.gz").write_bytes(data[: start + (end - start) // 2])
    return {"records_in": 4, "kept": 3, "rejected": {"ingest.truncated_file": 1},
            "kept_urls": kept_urls, "truncated_url": pages[3][0],
            "responses_complete": 3}


def _write_c(root: pathlib.Path) -> dict:
    good = [
        {"id": "c-1", "text": "\n\n".join(_EN_PARAGRAPHS), "url": "http://wiki.example.net/river",
         "source": "fault-jsonl", "meta": {"lang": "en"}},
        {"id": "c-2", "text": GBK_SENTENCE * 3, "url": "http://baike.example-zh.cn/item/1",
         "source": "fault-jsonl", "meta": {"lang": "zh"}},
        {"id": "c-3", "text": "def add(a, b):\n    return a + b\n", "url": None,
         "source": "fault-jsonl", "meta": {"lang": "code"}},
        {"id": "c-4", "text": _EN_PARAGRAPHS[2], "url": "http://wiki.example.net/museum",
         "source": "fault-jsonl", "meta": {"lang": "en"}},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in good[:2]]
    lines.append('{"id": "c-bad-1", "text": "unterminated string}')
    lines.append(json.dumps(good[2], ensure_ascii=False))
    lines.append("this line is not json at all")
    lines.append(json.dumps({"id": "c-empty", "text": "", "url": "http://wiki.example.net/e",
                             "source": "fault-jsonl", "meta": {}}))
    lines.append(json.dumps(good[3], ensure_ascii=False))
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    with open(root / "c.jsonl.gz", "wb") as fh, \
            gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
        gz.write(raw)
    return {"records_in": 7, "kept": 4,
            "rejected": {"ingest.bad_json": 2, "ingest.empty_text": 1},
            "kept_ids": [r["id"] for r in good]}


def _write_d(root: pathlib.Path) -> dict:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    date = "2024-07-03T10:00:00Z"
    fields = b"software: refinery fault corpus\r\nformat: WARC File Format 1.0\r\n"
    writer.write_record(writer.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(fields), length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Record-ID": _record_id("d/warcinfo"), "WARC-Date": date,
                           "WARC-Filename": "d.warc.wet.gz"}))
    texts = [
        ("http://www.example.com/wet/1", "\n".join(_EN_PARAGRAPHS)),
        ("http://news.example-zh.cn/wet/2", GBK_SENTENCE + "\n" + "气象部门提醒市民注意防晒。"),
        ("http://blog.example.org/wet/3", _EN_PARAGRAPHS[0]),
    ]
    for i, (url, text) in enumerate(texts):
        payload = text.encode("utf-8")
        writer.write_record(writer.create_warc_record(
            url, "conversion", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type="text/plain",
            warc_headers_dict={"WARC-Record-ID": _record_id("d/%d" % i), "WARC-Date": date,
                               "WARC-Refers-To": _record_id("d/src/%d" % i)}))
    (root / "d.warc.wet.gz").write_bytes(buf.getvalue())
    return {"records_in": 3, "kept": 3, "rejected": {}, "kept_urls": [u for u, _ in texts]}


def write_fault_corpus(root: pathlib.Path) -> dict:
    """Write the fault corpus into ``root`` (created if missing); return expectations.

    Returned dict::

        {
          "records_in": 23,            # input rows, as defined in the module docstring
          "kept": 16,                  # documents expected in the output
          "rejected": {reason: rows},  # sums to records_in - kept
          "counted_record_types": {"warc": ["response"], "wet": ["conversion"],
                                   "jsonl": "every non-blank line"},
          "files": ["a.warc.gz", "b.warc.gz", "c.jsonl.gz", "d.warc.wet.gz"],
          "per_file": {name: {"records_in", "kept", "rejected", ...}},
          "gbk_sentence": "...", "gbk_url": "...",
          "invalid_utf8_url": "...", "invalid_utf8_marker": "...",
          "invalid_utf8_policy": "kept, bad bytes replaced with U+FFFD",
          "truncated_file": "b.warc.gz",
        }
    """
    root = pathlib.Path(root)
    root.mkdir(parents=True, exist_ok=True)
    per_file = {
        "a.warc.gz": _write_a(root),
        "b.warc.gz": _write_b(root),
        "c.jsonl.gz": _write_c(root),
        "d.warc.wet.gz": _write_d(root),
    }
    rejected: dict[str, int] = {}
    for info in per_file.values():
        for reason, n in info["rejected"].items():
            rejected[reason] = rejected.get(reason, 0) + n
    return {
        "records_in": sum(i["records_in"] for i in per_file.values()),
        "kept": sum(i["kept"] for i in per_file.values()),
        "rejected": dict(sorted(rejected.items())),
        "counted_record_types": {"warc": ["response"], "wet": ["conversion"],
                                 "jsonl": "every non-blank line"},
        "files": list(per_file),
        "per_file": per_file,
        "gbk_sentence": GBK_SENTENCE,
        "gbk_url": per_file["a.warc.gz"]["gbk_url"],
        "invalid_utf8_url": per_file["a.warc.gz"]["invalid_utf8_url"],
        "invalid_utf8_marker": INVALID_UTF8_MARKER,
        "invalid_utf8_policy": "kept, bad bytes replaced with U+FFFD",
        "truncated_file": "b.warc.gz",
    }
