"""Differential tests: our readers against reference readers on hypothesis-made inputs.

WARC/WET in four layouts (gzip per record, whole-file gzip, zstd per record, plain), payloads
of 100 B to 5 MB (slices of real files, or random bytes), compression levels 1-9, then
intact, cut at a random byte, or with random bytes spoiled. Oracles: what was written,
warcio, and FastWARC decompressing by itself; JSONL against pandas, Parquet against pyarrow.

* intact: the same records (record id, offset, payload bytes) as the references;
* damaged: every record a reference recovers intact, we recover too, and (where members
  carry a checksum: gzip/zstd per record) we never pass off a damaged record as a document.

Bounded examples here; ``make fuzz`` (FUZZ_EXAMPLES) runs many more.
"""
import gzip
import io
import json
import os
import uuid
import zlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from fastwarc import stream_io as fw_io
from fastwarc.warc import ArchiveIterator as FastArchiveIterator
from fastwarc.warc import WarcRecordType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from refinery.ingest.readers import ReaderOptions, read_jsonl, read_parquet, read_warc
from tests.ingest.real_text import real_text_blob

FUZZ = int(os.environ.get("FUZZ_EXAMPLES", "0"))
SETTINGS = settings(max_examples=FUZZ or 10, deadline=None, derandomize=not FUZZ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LAYOUTS = ("gzip-record", "gzip-file", "zstd-record", "plain")
# warcio reads one gzip member per record or plain files (no zstd; a whole-file gzip ends it
# after the first record), so it is the reference there and FastWARC everywhere.
WARCIO_LAYOUTS = ("gzip-record", "plain")
SUFFIX = {"gzip-record": ".gz", "gzip-file": ".gz", "zstd-record": ".zst", "plain": ""}

# Mostly small records, some of a few hundred KB; 5 MB ones only in the long runs.
_SIZES = st.one_of(st.integers(100, 4_000), st.integers(4_000, 60_000), st.integers(60_000, 400_000),
                   *( [st.integers(400_000, 5_000_000)] if FUZZ else []))


@st.composite
def payloads(draw):
    size = draw(_SIZES)
    if draw(st.integers(0, 4)) == 0:  # random bytes (binary bodies, invalid UTF-8)
        return draw(st.randoms(use_true_random=False)).randbytes(size)
    blob = real_text_blob()
    start = draw(st.integers(0, max(0, len(blob) - size)))
    return blob[start: start + size]


@st.composite
def archives(draw):
    return dict(wet=draw(st.booleans()), layout=draw(st.sampled_from(LAYOUTS)), level=draw(st.integers(1, 9)),
                bodies=draw(st.lists(payloads(), min_size=1, max_size=5)), seed=draw(st.integers(0, 2**32 - 1)))


def _record_bytes(spec, i, body, rid):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    if spec["wet"]:
        rec = writer.create_warc_record("http://d.example/%d" % i, "conversion", payload=io.BytesIO(body),
                                        length=len(body), warc_content_type="text/plain",
                                        warc_headers_dict={"WARC-Record-ID": rid})
    else:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = writer.create_warc_record("http://d.example/%d" % i, "response", payload=io.BytesIO(body),
                                        http_headers=headers, warc_headers_dict={"WARC-Record-ID": rid})
    writer.write_record(rec)
    return buf.getvalue()


def write_archive(tmp_path, spec):
    """The file, and what was written: (record id, offset, payload) of every input record."""
    records = []
    for i, body in enumerate(spec["bodies"]):
        rid = "<urn:uuid:%s>" % uuid.UUID(int=(spec["seed"] << 32) + i)
        records.append((rid, _record_bytes(spec, i, body, rid), body))
    layout, level = spec["layout"], spec["level"]
    parts, expected, pos = [], [], 0
    for rid, raw, body in records:
        if layout == "gzip-record":
            raw = gzip.compress(raw, compresslevel=level)
        elif layout == "zstd-record":
            raw = zstandard.ZstdCompressor(level=level, write_checksum=True).compress(raw)
        expected.append((rid, 0 if layout == "gzip-file" else pos, body))
        parts.append(raw)
        pos += len(raw)
    data = b"".join(parts)
    if layout == "gzip-file":
        data = gzip.compress(data, compresslevel=level)
    path = tmp_path / (("x.warc.wet" if spec["wet"] else "x.warc") + SUFFIX[layout])
    path.write_bytes(data)
    return path, expected


def ours(path):
    rows = [r for b in read_warc(str(path), ReaderOptions()) for r in b.to_pylist()]
    return rows, [(r["record_id"], r["offset"], r["payload"]) for r in rows if r["error_reason"] is None]


def warcio_records(path):
    """What warcio recovers (it has no zstd): (record id, offset, payload) until it gives up."""
    out = []
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                if rec.rec_type in ("response", "conversion"):
                    body = rec.raw_stream.read()
                    out.append((rec.rec_headers.get_header("WARC-Record-ID"), it.get_record_offset(), body))
    except Exception:
        pass
    return out


def fastwarc_records(path, layout):
    """What FastWARC recovers, inflating the file itself: (record id, payload)."""
    out = []
    try:
        fh = open(path, "rb")
        stream = fw_io.GzipReader(fh) if layout.startswith("gzip") else fw_io.ZstdReader(fh) if layout.startswith("zstd") else fh
        for rec in FastArchiveIterator(stream, record_types=WarcRecordType.response | WarcRecordType.conversion,
                                       parse_http=True, stream_detect=False):
            out.append((rec.record_id, rec.reader.read()))
    except BaseException as exc:  # OSError, or a pyo3 PanicException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
    return out


@SETTINGS
@given(spec=archives())
def test_intact_archives_read_as_the_references_read_them(tmp_path_factory, spec):
    path, expected = write_archive(tmp_path_factory.mktemp("w"), spec)
    rows, docs = ours(path)
    assert docs == expected and len(rows) == len(expected)
    if spec["layout"] in WARCIO_LAYOUTS:
        assert warcio_records(path) == expected
    assert fastwarc_records(path, spec["layout"]) == [(rid, body) for rid, _, body in expected]


@st.composite
def damaged(draw):
    spec = draw(archives())
    how = draw(st.sampled_from(["truncate", "corrupt"]))
    return spec, how, draw(st.integers(1, 8)), draw(st.randoms(use_true_random=False))


@SETTINGS
@given(case=damaged())
def test_damaged_archives_lose_no_record_a_reference_recovers(tmp_path_factory, case):
    spec, how, n_bytes, rng = case
    path, expected = write_archive(tmp_path_factory.mktemp("w"), spec)
    data = bytearray(path.read_bytes())
    if how == "truncate":
        data = data[: rng.randrange(1, len(data))]
    else:
        for _ in range(n_bytes):
            data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    path.write_bytes(bytes(data))
    rows, docs = ours(path)
    intact = set(expected)
    if spec["layout"] in WARCIO_LAYOUTS:
        assert {r for r in warcio_records(path) if r in intact} <= set(docs)
    ids = {(rid, body) for rid, _, body in expected}
    assert {r for r in fastwarc_records(path, spec["layout"]) if r in ids} <= {(r[0], r[2]) for r in docs}
    if spec["layout"] in ("gzip-record", "zstd-record") or how == "truncate":
        assert set(docs) <= intact  # nothing damaged passes as a document
    # accounting: a damaged file says so (unless the damage only hit bytes nobody reads)
    if len(docs) < len(expected):
        assert any(r["error_reason"] for r in rows)


# --- JSONL and Parquet -------------------------------------------------------------------

@st.composite
def jsonl_files(draw):
    n = draw(st.integers(1, 40))
    blob = real_text_blob().decode("utf-8", errors="replace")
    lines = []
    for i in range(n):
        size = draw(st.integers(0, 3000))
        start = draw(st.integers(0, len(blob) - size))
        lines.append({"id": "r%d" % i, "text": blob[start: start + size], "n": i})
    return lines, draw(st.sampled_from(["gzip", "zstd"])), draw(st.integers(1, 9)), draw(st.integers(1, 4))


def _write_jsonl(tmp, lines, codec, level, members):
    chunks = [lines[i * len(lines) // members: (i + 1) * len(lines) // members] for i in range(members)]
    blobs = []
    for chunk in chunks:
        raw = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in chunk)
        blobs.append(gzip.compress(raw, level) if codec == "gzip" else zstandard.ZstdCompressor(level=level).compress(raw))
    path = tmp / ("x.jsonl.gz" if codec == "gzip" else "x.jsonl.zst")
    path.write_bytes(b"".join(blobs))
    return path


def _pandas_jsonl(path, codec):
    try:
        df = pd.read_json(path, lines=True, compression=codec if codec == "gzip" else "zstd", dtype=False)
    except Exception:
        return []
    return list(zip(df["id"], df["text"])) if len(df) else []


@SETTINGS
@given(case=jsonl_files(), cut=st.none() | st.floats(0.05, 0.95))
def test_jsonl_against_pandas(tmp_path_factory, case, cut):
    lines, codec, level, members = case
    path = _write_jsonl(tmp_path_factory.mktemp("j"), lines, codec, level, members)
    if cut is not None:
        data = path.read_bytes()
        path.write_bytes(data[: max(1, int(len(data) * cut))])
    rows = [r for b in read_jsonl(str(path), ReaderOptions()) for r in b.to_pylist()]
    got = [(r["record_id"], r["payload"].decode("utf-8")) for r in rows if r["error_reason"] is None]
    reference = _pandas_jsonl(path, codec)
    if cut is None:
        assert got == reference == [(r["id"], r["text"]) for r in lines]
        assert [r["offset"] for r in rows] == list(range(len(lines)))
    else:
        assert set(reference) <= set(got)
        assert set(got) <= {(r["id"], r["text"]) for r in lines}


@SETTINGS
@given(case=jsonl_files(), row_group=st.integers(1, 50))
def test_parquet_against_pyarrow(tmp_path_factory, case, row_group):
    lines = case[0]
    path = tmp_path_factory.mktemp("p") / "x.parquet"
    pq.write_table(pa.Table.from_pylist(lines), path, row_group_size=row_group)
    rows = [r for b in read_parquet(str(path), ReaderOptions(), batch_size=7) for r in b.to_pylist()]
    table = pq.read_table(path)
    assert [(r["record_id"], r["payload"].decode("utf-8"), r["offset"]) for r in rows] == list(
        zip(table["id"].to_pylist(), table["text"].to_pylist(), range(table.num_rows)))
    assert [json.loads(r["metadata"])["n"] for r in rows] == table["n"].to_pylist()
