"""Input readers: WARC/WET/JSONL/Parquet to RAW_RECORD batches, faults included."""
import gzip
import importlib.util
import io
import json
import os
import pathlib
import tracemalloc
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from refinery.ingest.readers import (
    ReaderOptions,
    detect_format,
    list_input_files,
    read_jsonl,
    read_parquet,
    read_records,
    read_warc,
)
from schemas.datasets import RAW_RECORD


def _rows(batches):
    out = []
    for batch in batches:
        assert batch.schema.equals(RAW_RECORD)
        out.extend(batch.to_pylist())
    return out


def _docs(rows):
    return [r for r in rows if r["error_reason"] is None]


def _errors(rows):
    return [r for r in rows if r["error_reason"] is not None]


# --- WARC ------------------------------------------------------------------------------------

PAGES = [
    ("http://a.example/0", "200 OK", "text/html; charset=utf-8", b"<html><body>zero</body></html>"),
    ("http://a.example/1", "404 Not Found", "text/html", b"<html>missing</html>"),
    ("http://a.example/2", "200 OK", "text/html; charset=gbk", "<p>\u4eca\u5929</p>".encode("gbk")),
    ("http://a.example/3", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
    ("http://a.example/4", "200 OK", "text/html", b"<p>" + b"long " * 2000 + b"</p>"),
]


def write_warc(path, pages=PAGES, gz=True):
    """A WARC like a crawler writes: warcinfo, then a request + response per page.

    Returns the (start, end) byte range of every response record in the file.
    """
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    writer.write_record(writer.create_warcinfo_record(pathlib.Path(path).name, {"software": "test"}))
    spans = []
    for url, status, ctype, body in pages:
        request = writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "a.example")], is_http_request=True))
        writer.write_record(request)
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        start = buf.tell()
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
        spans.append((start, buf.tell()))
    pathlib.Path(path).write_bytes(buf.getvalue())
    return spans


@pytest.mark.parametrize("gz", [True, False])
def test_warc_responses_only(tmp_path, gz):
    path = str(tmp_path / "crawl-a" / ("x.warc.gz" if gz else "x.warc"))
    os.makedirs(os.path.dirname(path))
    spans = write_warc(path, gz=gz)
    rows = _rows(read_warc(path, ReaderOptions(), batch_size=2))
    assert len(rows) == len(PAGES)  # no warcinfo, no requests
    assert not _errors(rows)
    for row, (url, status, ctype, body), (start, _) in zip(rows, PAGES, spans):
        assert row["url"] == url
        assert row["http_status"] == int(status.split()[0])
        assert row["content_type"] == ctype
        assert row["payload"] == body
        assert row["payload_kind"] == "html"
        assert row["offset"] == start
        assert row["source"] == "crawl-a"
        assert row["source_file"] == path
        assert row["record_id"].startswith("<urn:uuid:")
        assert row["fetch_time"].endswith("Z")


def test_warc_record_types_option(tmp_path):
    path = str(tmp_path / "x.warc.gz")
    write_warc(path)
    rows = _rows(read_warc(path, ReaderOptions(warc_record_types=["request", "response"])))
    assert len(rows) == 2 * len(PAGES)


@pytest.mark.parametrize("gz", [True, False])
def test_warc_cut_mid_record(tmp_path, gz):
    full = tmp_path / ("full.warc.gz" if gz else "full.warc")
    spans = write_warc(full, gz=gz)
    data = full.read_bytes()
    start, end = spans[3]
    for cut in (start + 5, start + (end - start) // 2, end - 5):  # plain: end - 4 is CRLFCRLF
        cut_path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
        cut_path.write_bytes(data[:cut])
        rows = _rows(read_warc(str(cut_path), ReaderOptions()))
        assert [r["url"] for r in _docs(rows)] == [p[0] for p in PAGES[:3]], cut
        [err] = _errors(rows)
        assert err["error_reason"] == "ingest.truncated_file"
        assert err["offset"] == start
        # a raw prefix: the record's bytes, or the compressed bytes when none could be inflated
        expected = b"WARC/1.0\r\n"[: cut - start] if not gz else None
        assert err["payload"].startswith(expected or b"WARC/1.0") or (gz and err["payload"] == data[start:cut])
        assert err["error_detail"]


def _gzip_member_starts(data: bytes) -> set[int]:
    starts, pos = {0}, 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        pos = len(data) - len(d.unused_data)
        starts.add(pos)
    return starts


def test_warc_gz_every_cut_point(tmp_path):
    """Wherever a .warc.gz is cut: the complete records before it, then exactly one truncated row."""
    pages = PAGES[:3]
    full = tmp_path / "full.warc.gz"
    spans = write_warc(full, pages=pages)
    data = full.read_bytes()
    member_starts = _gzip_member_starts(data)  # request records are members too, not only the spans
    cut_path = tmp_path / "cut.warc.gz"
    for cut in range(1, len(data), 7):
        cut_path.write_bytes(data[:cut])
        rows = _rows(read_warc(str(cut_path), ReaderOptions()))
        assert [r["offset"] for r in _docs(rows)] == [s for s, e in spans if e <= cut], cut
        errors = _errors(rows)
        if cut in member_starts:
            assert errors == [], cut
        else:
            assert [e["error_reason"] for e in errors] == ["ingest.truncated_file"], cut


def test_warc_gz_missing_trailer_is_truncated(tmp_path):
    full = tmp_path / "full.warc.gz"
    spans = write_warc(full)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full.read_bytes()[: spans[-1][1] - 4])  # the last response lost its CRC/size
    rows = _rows(read_warc(str(cut), ReaderOptions()))
    assert len(_docs(rows)) == len(PAGES) - 1
    [err] = _errors(rows)
    assert (err["error_reason"], err["offset"]) == ("ingest.truncated_file", spans[-1][0])


def test_warc_gz_broken_member_resumes(tmp_path):
    full = tmp_path / "full.warc.gz"
    spans = write_warc(full)
    data = full.read_bytes()
    start, end = spans[1]
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[:start] + gzip.compress(b"NOT A WARC RECORD\r\n\r\n") + data[end:])
    rows = _rows(read_warc(str(broken), ReaderOptions()))
    assert [r["url"] for r in _docs(rows)] == [p[0] for i, p in enumerate(PAGES) if i != 1]
    [err] = _errors(rows)
    assert (err["error_reason"], err["offset"]) == ("ingest.parse_error", start)
    assert err["payload"].startswith(b"NOT A WARC")


def test_warc_payload_too_large(tmp_path):
    path = str(tmp_path / "x.warc.gz")
    write_warc(path)
    rows = _rows(read_warc(path, ReaderOptions(max_payload_bytes=1000)))
    big = [r for r in rows if r["url"] == PAGES[4][0]][0]
    assert big["error_reason"] == "ingest.payload_too_large"
    assert big["payload"] == PAGES[4][3][:256]
    assert len(_docs(rows)) == len(PAGES) - 1


def test_wet_conversion_records(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record("x.warc.wet.gz", {"software": "test"}))
    texts = ["first page text", "\u4eca\u5929\u5929\u6c14\u5f88\u597d"]
    for i, text in enumerate(texts):
        payload = text.encode("utf-8")
        writer.write_record(writer.create_warc_record(
            "http://w.example/%d" % i, "conversion", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type="text/plain"))
    path = tmp_path / "x.warc.wet.gz"
    path.write_bytes(buf.getvalue())
    assert detect_format(str(path)) == "wet"
    rows = _rows(read_records(str(path), ReaderOptions(source="cc")))
    assert [r["payload"].decode() for r in rows] == texts
    assert {(r["payload_kind"], r["http_status"], r["content_type"], r["source"]) for r in rows} == {
        ("text", None, "text/plain", "cc")}


def test_warc_streams_with_bounded_memory(tmp_path):
    """~48 MB of incompressible bodies: peak Python memory stays far below the file size."""
    path = tmp_path / "big.warc.gz"
    body_size, n = 1 << 20, 48
    chunk = os.urandom(body_size)
    with open(path, "wb") as fh:
        for i in range(n):
            body = chunk[i:] + chunk[:i]
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
            block = http + body
            header = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%08d-0000-0000-0000-000000000000>\r\n"
                      "WARC-Target-URI: http://big.example/%d\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
                      "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
                      % (i, i, len(block))).encode()
            fh.write(gzip.compress(header + block + b"\r\n\r\n", compresslevel=1))
    assert path.stat().st_size > 45 << 20
    tracemalloc.start()
    try:
        seen = 0
        for batch in read_warc(str(path), ReaderOptions(), batch_size=4):
            seen += batch.num_rows
            del batch
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == n
    assert peak < 24 << 20, peak


# --- JSONL -----------------------------------------------------------------------------------

JSONL_LINES = [
    b'{"id": 1, "text": "hello", "url": "http://j.example/1", "source": "own", "lang": "en"}',
    b"",
    b'{"id": "b", "text": "caf\xc3\xa9 \xff bad byte"}',
    b'{"id": "c", "text": "unterminated',
    b"[1, 2, 3]",
    b'{"id": "d", "body": "no text field"}',
    b'{"id": "e", "text": 42}',
    b'   ',
    b'{"text": "last", "when": "2024-01-01"}',
]


def _write_jsonl(path, lines=JSONL_LINES):
    raw = b"\n".join(lines) + b"\n"
    if str(path).endswith(".gz"):
        raw = gzip.compress(raw)
    elif str(path).endswith(".zst"):
        raw = zstandard.ZstdCompressor().compress(raw)
    pathlib.Path(path).write_bytes(raw)
    return raw


@pytest.mark.parametrize("name", ["d.jsonl", "d.jsonl.gz", "d.jsonl.zst"])
def test_jsonl_rows_and_bad_lines(tmp_path, name):
    path = tmp_path / "web" / name
    path.parent.mkdir()
    _write_jsonl(path)
    rows = _rows(read_jsonl(str(path), ReaderOptions(time_field="when"), batch_size=3))
    assert [r["offset"] for r in rows] == [0, 2, 3, 4, 5, 6, 8]  # blank lines skipped, still numbered
    assert [r["error_reason"] for r in rows] == [
        None, None, "ingest.bad_json", "ingest.bad_json", "ingest.missing_text", "ingest.missing_text", None]
    first, second, bad = rows[0], rows[1], rows[2]
    assert (first["record_id"], first["url"], first["payload"], first["source"]) == (
        "1", "http://j.example/1", b"hello", "web")
    assert json.loads(first["metadata"]) == {"source": "own", "lang": "en"}
    assert second["payload"].decode("utf-8") == "caf\u00e9 \ufffd bad byte"
    assert bad["payload"] == JSONL_LINES[3] + b"\n"
    assert rows[-1]["fetch_time"] == "2024-01-01" and rows[-1]["record_id"] is None
    assert {r["payload_kind"] for r in rows} == {"text"}


def test_jsonl_metadata_fields(tmp_path):
    path = tmp_path / "d.jsonl"
    _write_jsonl(path)
    rows = _rows(read_jsonl(str(path), ReaderOptions(metadata_fields=["lang"])))
    assert rows[0]["metadata"] == '{"lang": "en"}'
    assert rows[1]["metadata"] is None


@pytest.mark.parametrize("name", ["t.jsonl.gz", "t.jsonl.zst"])
def test_jsonl_truncated_stream(tmp_path, name):
    lines = [json.dumps({"id": i, "text": "line %d " % i + "x" * (i % 50)}).encode() for i in range(2000)]
    full = tmp_path / ("full-" + name)
    raw = _write_jsonl(full, lines)
    cut = tmp_path / name
    cut.write_bytes(raw[: len(raw) // 2])
    rows = _rows(read_jsonl(str(cut), ReaderOptions()))
    docs, errors = _docs(rows), _errors(rows)
    assert [e["error_reason"] for e in errors] == ["ingest.truncated_file"]
    assert [d["offset"] for d in docs] == list(range(len(docs)))
    assert errors[0]["offset"] == len(docs)
    assert [json.loads(lines[i])["text"] for i in range(len(docs))] == [d["payload"].decode() for d in docs]


# --- Parquet ---------------------------------------------------------------------------------

def test_parquet_rows(tmp_path):
    path = tmp_path / "pq" / "p.parquet"
    path.parent.mkdir()
    table = pa.table({
        "id": pa.array(range(10), pa.int64()),
        "text": ["doc %d" % i if i != 4 else None for i in range(10)],
        "url": ["http://p.example/%d" % i for i in range(10)],
        "score": [i / 10 for i in range(10)],
    })
    pq.write_table(table, path, row_group_size=4)
    rows = _rows(read_parquet(str(path), ReaderOptions(), batch_size=3))
    assert [r["offset"] for r in rows] == list(range(10))
    assert [r["record_id"] for r in rows] == [str(i) for i in range(10)]
    assert rows[4]["error_reason"] == "ingest.missing_text"
    assert rows[5]["payload"] == b"doc 5" and rows[5]["url"] == "http://p.example/5"
    assert json.loads(rows[7]["metadata"]) == {"score": 0.7}
    assert {r["source"] for r in rows} == {"pq"}


def test_parquet_not_parquet(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"this is not parquet at all" * 10)
    [row] = _rows(read_records(str(path), ReaderOptions()))
    assert row["error_reason"] == "ingest.parse_error"
    assert row["payload"] == path.read_bytes()[:256]


# --- files, dispatch ------------------------------------------------------------------------

def test_list_input_files(tmp_path):
    for rel in ["a/1.warc.gz", "a/2.jsonl", "a/sub/3.parquet", "a/_tmp/4.jsonl", "a/.hidden.jsonl",
                "a/_SUCCESS", "a/notes.txt", "b/5.wet.gz", "b/6.jsonl.zst"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    root = str(tmp_path)
    assert list_input_files(root + "/a") == [root + "/a/1.warc.gz", root + "/a/2.jsonl", root + "/a/sub/3.parquet"]
    assert list_input_files(root + "/*/*.jsonl*") == [root + "/a/2.jsonl", root + "/b/6.jsonl.zst"]
    listing = tmp_path / "inputs.txt"
    listing.write_text("# inputs\n%s/b\n\n%s/a/2.jsonl  # one file\n" % (root, root))
    assert list_input_files("@" + str(listing)) == [root + "/a/2.jsonl", root + "/b/5.wet.gz", root + "/b/6.jsonl.zst"]
    assert list_input_files("file://" + root + "/b") == ["file://" + root + "/b/5.wet.gz", "file://" + root + "/b/6.jsonl.zst"]
    assert list_input_files([root + "/b/5.wet.gz", root + "/b"]) == [root + "/b/5.wet.gz", root + "/b/6.jsonl.zst"]
    with pytest.raises(FileNotFoundError):
        list_input_files(root + "/missing")


def test_relative_paths_and_formats(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    _write_jsonl(tmp_path / "in" / "r.jsonl.gz")
    monkeypatch.chdir(tmp_path)
    assert list_input_files("in") == [str(tmp_path / "in" / "r.jsonl.gz")]
    assert [detect_format(p) for p in ["x.warc.gz", "x.warc.wet.gz", "x.jsonl.zst", "x.json.gz", "x.parquet"]] == [
        "warc", "wet", "jsonl", "jsonl", "parquet"]


def test_read_records_file_uri_and_read_error(tmp_path):
    path = tmp_path / "crawl" / "x.warc.gz"
    path.parent.mkdir()
    write_warc(path)
    rows = _rows(read_records("file://" + str(path)))
    assert len(_docs(rows)) == len(PAGES) and rows[0]["source"] == "crawl"
    [row] = _rows(read_records(str(tmp_path / "crawl" / "gone.jsonl")))
    assert row["error_reason"] == "ingest.read_error" and "gone.jsonl" in row["error_detail"]


def test_fault_corpus_truncated_warc(tmp_path):
    corpus = pathlib.Path(__file__).with_name("fault_corpus.py")
    if not corpus.exists():
        pytest.skip("no fault corpus")
    spec = importlib.util.spec_from_file_location("fault_corpus", corpus)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    info = module.write_fault_corpus(tmp_path)
    rows = _rows(read_records(str(tmp_path / info["truncated_file"])))
    per_file = info["per_file"][info["truncated_file"]]
    assert len(rows) == per_file["records_in"]
    assert [e["error_reason"] for e in _errors(rows)] == ["ingest.truncated_file"]
    for name, expected in info["per_file"].items():
        assert len(_rows(read_records(str(tmp_path / name)))) == expected["records_in"], name
