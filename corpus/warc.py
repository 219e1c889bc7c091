"""Real archives of the corpus's pages: crawled from a loopback server, and in Common Crawl layout.

    python -m corpus.warc [--corpus DIR] [--force]      (the second step of ``make corpus``)

For the whole site and for the slice (``<corpus>/site`` → ``<corpus>/warc``, ``<corpus>/slice/site``
→ ``<corpus>/slice/warc``) it writes

* ``crawl/``  what ``jobs/crawl.py`` writes when it crawls ``site/`` served by a loopback HTTP server
  (127.0.0.1, ephemeral port): real archives from real pages, one gzip member per record. One host,
  one crawler thread, breadth first from ``index.html`` to depth 2 (every page the indexes link), so
  the pages and their order are fixed; record ids and dates are the crawl's own (uuid4, clock).
* ``cc/``  the same pages written with warcio in Common Crawl's layout: per file a ``warcinfo``
  record, then per page ``request``, ``response``, ``metadata``; one gzip member per record; files
  rotated at a size. Byte-for-byte deterministic (ids are uuid5 of the URL, one fixed date).
* ``faults/``  three files derived from ``cc/`` with the faults of issue 13 injected, and
  ``EXPECTED.json`` saying where they are and what ingest must make of each: ``pages`` (cc/'s first
  file plus a 404, a PNG image, an empty body, a page with invalid UTF-8, a real Chinese page
  re-encoded as GBK with the charset only in the HTTP header), ``corrupt`` (cc/'s second file
  with bytes overwritten in the middle of one response member) and ``truncated`` (cc/'s third
  file cut inside a response member).

The HTTP response a page gets is the same in both layouts (``http_response``): the server and the
CC writer share it. Nothing here labels anything: a test counts records with warcio itself.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import http.server
import io
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from corpus import REPO

HOST = "corpus.local"  # the host of the corpus's `url` column; cc/ uses it, crawl/ the loopback address
WARC_DATE = "2026-01-01T00:00:00Z"
HTTP_DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
SERVER = "corpus-site/1"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "refinery-corpus/warc")
# Rotation sizes (compressed): several files in both the slice and the whole corpus.
FILE_BYTES = {"site": 32 * 2**20, "slice": 1 * 2**20}
VERSION = "warc-1"  # bump when the layout changes: a built tree with another stamp is rebuilt


# --------------------------------------------------------------------------- HTTP, shared by both layouts


@dataclasses.dataclass(frozen=True)
class Exchange:
    url: str
    status: str  # "200 OK"
    headers: tuple[tuple[str, str], ...]
    body: bytes


def http_response(rel: str, body: bytes) -> Exchange:
    """What the loopback server answers for ``/<rel>``; the CC writer records exactly this."""
    content_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    headers = (("Server", SERVER), ("Date", HTTP_DATE), ("Content-Type", content_type),
               ("Content-Length", str(len(body))))
    return Exchange(f"http://{HOST}/{rel}", "200 OK", headers, body)


def not_found(url: str) -> Exchange:
    """The 404 page ``http.server`` sends, as the loopback server sends it."""
    body = (http.server.DEFAULT_ERROR_MESSAGE % {"code": 404, "message": "File not found",
            "explain": "Nothing matches the given URI"}).encode()
    headers = (("Server", SERVER), ("Date", HTTP_DATE),
               ("Content-Type", http.server.DEFAULT_ERROR_CONTENT_TYPE), ("Content-Length", str(len(body))))
    return Exchange(url, "404 Not Found", headers, body)


def site_pages(site: Path) -> list[str]:
    """Every file the server serves, as sorted site-relative POSIX paths."""
    if not (site / "index.html").is_file():
        sys.exit(f"corpus.warc: no site at {site} (run `python -m corpus.build` first)")
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER
    sys_version = ""
    site: Path

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        file = (self.site / rel).resolve()
        if rel and file.is_file() and file.is_relative_to(self.site):
            page = http_response(rel, file.read_bytes())
        else:
            page = not_found(self.path)
        self.send_response_only(int(page.status.split()[0]), page.status.split(" ", 1)[1])
        for name, value in page.headers:
            if name != "Server":  # send_response_only does not add it; keep one copy
                self.send_header(name, value)
        self.send_header("Server", SERVER)
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, *args) -> None:  # quiet: thousands of pages
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve ``site`` on 127.0.0.1 at an ephemeral port; yields the base URL."""
    handler = type("Handler", (_SiteHandler,), {"site": site.resolve()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- crawl/


def crawl(site: Path, out: Path, pages: list[str], file_bytes: int) -> dict:
    """``jobs/crawl.py`` over the served site; returns its ``_stats.json``."""
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with serve(site) as base:
        seeds = out.parent / f".{out.name}-seeds.txt"
        seeds.write_text(f"{base}/index.html\n")
        cmd = [sys.executable, str(REPO / "jobs" / "crawl.py"), "--seeds", str(seeds), "--output", str(out),
               "--max-pages", str(len(pages) + 10), "--max-depth", "2", "--delay", "0",
               "--set", "threads=1", "--set", f"warc_max_bytes={file_bytes}", "--set", "retries=0"]
        proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
        seeds.unlink()
    if proc.returncode != 0:
        sys.exit(f"corpus.warc: jobs/crawl.py failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    stats = json.loads((out / "_stats.json").read_text())
    # Every served file must come back 200; other statuses are links to files the site lacks.
    if stats["by_status"].get("200", 0) != len(pages) or stats["errors"]:
        sys.exit(f"corpus.warc: the crawl fetched {stats['pages_fetched']} of {len(pages)} pages "
                 f"({stats['errors']} errors, by status {stats['by_status']}); see {out}/_stats.json")
    return stats


# --------------------------------------------------------------------------- cc/


def _record_id(key: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(NAMESPACE, key)}>"


class CCFile:
    """One Common Crawl-layout WARC file; ``spans`` maps each response's URL to its member bytes."""

    def __init__(self, path: Path):
        from warcio.warcwriter import WARCWriter

        self.path = path
        self._file = open(path, "wb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.0")
        self.info_id = _record_id(f"{path.name}/warcinfo")
        self.spans: dict[str, tuple[int, int]] = {}
        fields = {"software": "refinery corpus.warc", "format": "WARC File Format 1.0",
                  "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
                  "isPartOf": "refinery-corpus", "description": "Debian documentation and Python sources, served locally",
                  "robots": "classic", "http-header-user-agent": "refinery corpus.warc"}
        payload = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode()
        self._write("", "warcinfo", payload, {"WARC-Record-ID": self.info_id, "WARC-Filename": path.name},
                    content_type="application/warc-fields")

    def _write(self, url, kind, payload, headers, http_headers=None, content_type=""):
        record = self._writer.create_warc_record(
            url, kind, payload=io.BytesIO(payload), length=len(payload), http_headers=http_headers,
            warc_content_type=content_type, warc_headers_dict={"WARC-Date": WARC_DATE, **headers})
        start = self._file.tell()
        self._writer.write_record(record)
        return start, self._file.tell()

    def add(self, page: Exchange) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        parts = urlsplit(page.url)
        request_id, response_id = _record_id(page.url + "/request"), _record_id(page.url + "/response")
        common = {"WARC-Warcinfo-ID": self.info_id, "WARC-IP-Address": "127.0.0.1"}
        request = StatusAndHeaders(f"GET {parts.path or '/'} HTTP/1.1",
                                   [("Host", parts.netloc), ("User-Agent", "refinery corpus.warc"),
                                    ("Accept", "text/html,*/*")], is_http_request=True)
        self._write(page.url, "request", b"", {"WARC-Record-ID": request_id, **common}, http_headers=request)
        response = StatusAndHeaders(page.status, list(page.headers), protocol="HTTP/1.1")
        content_type = dict(page.headers).get("Content-Type", "").split(";")[0]
        self.spans[page.url] = self._write(
            page.url, "response", page.body,
            {"WARC-Record-ID": response_id, "WARC-Concurrent-To": request_id,
             "WARC-Identified-Payload-Type": content_type, **common}, http_headers=response)
        meta = f"fetchTimeMs: 1\r\ncharset-detected: {_declared_charset(page.body) or 'unknown'}\r\n".encode()
        self._write(page.url, "metadata", meta, {"WARC-Record-ID": _record_id(page.url + "/metadata"),
                                                 "WARC-Concurrent-To": response_id, **common},
                    content_type="application/warc-fields")

    def size(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([-\w]+)""", re.I)


def _declared_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii") if m else None


def write_cc(site: Path, pages: list[str], out: Path, file_bytes: int) -> list[list[Exchange]]:
    """Every page into ``out/cc-NNNNN.warc.gz`` files of about ``file_bytes``; returns the pages per file."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    groups: list[list[Exchange]] = []
    current = None
    for rel in pages:
        if current is None:
            current = CCFile(out / f"cc-{len(groups):05d}.warc.gz")
            groups.append([])
        page = http_response(rel, (site / rel).read_bytes())
        current.add(page)
        groups[-1].append(page)
        if current.size() >= file_bytes:
            current.close()
            current = None
    if current is not None:
        current.close()
    return groups


# --------------------------------------------------------------------------- faults/


def _pick(pages: list[Exchange], pattern: str) -> Exchange:
    """The first page whose URL matches (sorted order), else the first HTML page with a body."""
    html_pages = [p for p in pages if p.url.endswith(".html") and not p.url.endswith("/index.html") and p.body]
    return next((p for p in html_pages if re.search(pattern, p.url)), html_pages[0])


def _invalid_utf8(page: Exchange) -> Exchange:
    """The page with stray bytes (0xFF 0xFE, a cut 3-byte sequence) put into its first paragraph."""
    at = page.body.find(b"<p")
    at = page.body.find(b">", at) + 1 if at >= 0 else len(page.body) // 2
    body = page.body[:at] + b"\xff\xfe caf\xe9 \xe4\xb8 " + page.body[at:]
    return dataclasses.replace(page, url=page.url + "?fault=invalid-utf8", body=body,
                               headers=_with_length(page.headers, body, "text/html; charset=utf-8"))


def _gbk(page: Exchange) -> Exchange:
    """A real Chinese page re-encoded as GBK, its charset only in the HTTP header."""
    text = page.body.decode("utf-8")
    text = re.sub(r"""<meta[^>]*charset[^>]*>|<\?xml[^>]*\?>""", "", text, flags=re.I)
    body = text.encode("gbk", errors="xmlcharrefreplace")
    return dataclasses.replace(page, url=page.url + "?fault=gbk", body=body,
                               headers=_with_length(page.headers, body, "text/html; charset=gbk"))


def _with_length(headers, body: bytes, content_type: str | None = None) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in headers:
        if name == "Content-Length":
            value = str(len(body))
        elif name == "Content-Type" and content_type:
            value = content_type
        out.append((name, value))
    return tuple(out)


def _image(corpus_dir: Path) -> bytes:
    """A PNG shipped by the debian-handbook package (a real image), else a minimal valid PNG."""
    found = sorted((corpus_dir / "debs" / "root").glob("usr/share/doc/debian-handbook/html/*/images/*.png"))
    if found:
        return found[0].read_bytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def _member_fails(data: bytes) -> bool:
    try:
        zlib.decompressobj(31).decompress(data)
        return False
    except zlib.error:
        return True


def write_faults(corpus_dir: Path, groups: list[list[Exchange]], cc_dir: Path, out: Path) -> dict:
    """Three damaged copies of cc/ files and EXPECTED.json (see the module docstring)."""
    from corpus.text import html_text

    if len(groups) < 3:
        sys.exit(f"corpus.warc: cc/ has {len(groups)} files; the faults need 3 (lower FILE_BYTES)")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    every = [p for g in groups for p in g]
    base = f"http://{HOST}/faults"
    png = _image(corpus_dir)
    zh_page = _pick(every, r"/zh-CN/")
    zh = _gbk(zh_page)
    # The oracle: corpus/text.py's lxml text of the page as shipped (UTF-8), not of the GBK copy.
    zh_run = max(re.findall(r"[\u4e00-\u9fff，。、；：]+", html_text(zh_page.body)), key=len, default=None)
    injected = [
        (not_found(f"{base}/missing.html"), {"fault": "404", "expect": "ingest.http_status"}),
        (Exchange(f"{base}/logo.png", "200 OK", _with_length(
            (("Server", SERVER), ("Date", HTTP_DATE), ("Content-Type", "image/png"), ("Content-Length", "")), png), png),
         {"fault": "image", "expect": "ingest.content_type"}),
        (Exchange(f"{base}/empty.html", "200 OK", (("Server", SERVER), ("Date", HTTP_DATE),
                  ("Content-Type", "text/html"), ("Content-Length", "0")), b""),
         {"fault": "empty body", "expect": "ingest.empty_text"}),
        (_invalid_utf8(_pick(every, r"/en-US/")),
         {"fault": "invalid UTF-8", "expect": "kept", "must_contain": "\ufffd"}),
        (zh, {"fault": "GBK page", "expect": "kept", "must_contain": zh_run}),
    ]
    expected: dict = {"layout": "cc", "files": {}}

    # pages: cc/'s first file with the injected exchanges spread through it.
    first = list(groups[0])
    step = max(1, len(first) // (len(injected) + 1))
    for i, (page, _) in enumerate(injected):
        first.insert(min(len(first), (i + 1) * step + i), page)
    cc = CCFile(out / "faults-pages.warc.gz")
    for page in first:
        cc.add(page)
    cc.close()
    expected["files"]["faults-pages.warc.gz"] = {
        "damage": "none", "injected": [{"url": p.url, **what} for p, what in injected]}

    # corrupt: bytes overwritten in the middle of the middle response's gzip member.
    src = cc_dir / "cc-00001.warc.gz"
    data = bytearray(src.read_bytes())
    spans = _response_spans(src)
    url, (start, end) = spans[len(spans) // 2]
    for at in range(start + (end - start) // 2, end - 8):  # first window zlib rejects, deterministic
        damaged = bytearray(data[start:end])
        for k in range(at - start, min(at - start + 32, end - start - 8)):
            damaged[k] ^= 0x55
        if _member_fails(bytes(damaged)):
            data[start:end] = damaged
            break
    else:
        sys.exit(f"corpus.warc: found no damage zlib rejects in {src}")
    (out / "faults-corrupt.warc.gz").write_bytes(bytes(data))
    expected["files"]["faults-corrupt.warc.gz"] = {
        "damage": "corrupt member", "copy_of": "../cc/cc-00001.warc.gz", "url": url, "member": [start, end],
        "expect": "ingest.corrupt_member", "after": "every later record kept"}

    # truncated: cut in the middle of a response member about 60% into the file.
    src = cc_dir / "cc-00002.warc.gz"
    spans = _response_spans(src)
    url, (start, end) = spans[int(len(spans) * 0.6)]
    cut = start + (end - start) // 2
    (out / "faults-truncated.warc.gz").write_bytes(src.read_bytes()[:cut])
    expected["files"]["faults-truncated.warc.gz"] = {
        "damage": "truncated", "copy_of": "../cc/cc-00002.warc.gz", "url": url, "member": [start, end],
        "cut_at": cut,
        "expect": "ingest.truncated_file", "after": "nothing (the file ends)"}
    (out / "EXPECTED.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    return expected


def _response_spans(path: Path) -> list[tuple[str, tuple[int, int]]]:
    """(URL, member byte range) of every response record, read back with warcio."""
    from warcio.archiveiterator import ArchiveIterator

    spans = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for record in it:
            if record.rec_type == "response":
                url = record.rec_headers.get_header("WARC-Target-URI")
                record.content_stream().read()
                start = it.get_record_offset()
                it.read_to_end(record)
                spans.append((url, (start, start + it.get_record_length())))
    return spans


# --------------------------------------------------------------------------- driver


def archives(slice: bool = True) -> Path:
    """``<corpus>/[slice/]warc``, built by ``make corpus``; raises CorpusMissing when it is not."""
    import corpus

    out = corpus.root() / ("slice/warc" if slice else "warc")
    if not (out / "READY").exists():
        raise corpus.CorpusMissing(f"no archives at {out}: run `make corpus` (python -m corpus.warc)")
    return out



def build_archives(corpus_dir: Path, site: Path, out: Path, file_bytes: int) -> dict:
    pages = site_pages(site)
    started = time.time()
    groups = write_cc(site, pages, out / "cc", file_bytes)
    cc_seconds = time.time() - started
    faults = write_faults(corpus_dir, groups, out / "cc", out / "faults")
    started = time.time()
    stats = crawl(site, out / "crawl", pages, file_bytes)
    return {"pages": len(pages), "cc_files": len(groups), "cc_seconds": round(cc_seconds, 1),
            "crawl_files": stats["warc_files"], "crawl_seconds": round(time.time() - started, 1),
            "crawl_by_status": stats["by_status"], "faults": sorted(faults["files"])}


def _stamp(site: Path) -> str:
    """What the archives were built from: the layout version and the site's file list and sizes."""
    digest = hashlib.sha1(VERSION.encode())
    for rel in site_pages(site):
        digest.update(f"{rel}\0{(site / rel).stat().st_size}\n".encode())
    return digest.hexdigest()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m corpus.warc", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=os.environ.get("REFINERY_CORPUS") or str(REPO / ".corpus"),
                   help="the built corpus (site/, slice/site/); archives go beside them")
    p.add_argument("--only", choices=("slice", "site"), help="build one of the two (default both)")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = p.parse_args(argv)
    corpus_dir = Path(args.corpus)
    if not (corpus_dir / "READY").exists():
        sys.exit(f"corpus.warc: no built corpus at {corpus_dir}: run `python -m corpus.build` first")
    for name, base in (("slice", corpus_dir / "slice"), ("site", corpus_dir)):
        if args.only and args.only != name:
            continue
        site, out = base / "site", base / "warc"
        stamp = _stamp(site)
        if not args.force and (out / "READY").exists() and (out / "READY").read_text().split()[0] == stamp:
            print(f"corpus.warc: {out} is up to date; --force rebuilds")
            continue
        (out / "READY").unlink(missing_ok=True)
        out.mkdir(parents=True, exist_ok=True)
        summary = build_archives(corpus_dir, site, out, FILE_BYTES[name])
        (out / "SUMMARY.json").write_text(json.dumps(summary, indent=1) + "\n")
        (out / "READY").write_text(f"{stamp}\n")
        print(f"corpus.warc: {out}: {summary['pages']} pages -> {summary['cc_files']} cc/ files "
              f"({summary['cc_seconds']} s), {summary['crawl_files']} crawl/ files ({summary['crawl_seconds']} s), "
              f"faults/ {', '.join(summary['faults'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
