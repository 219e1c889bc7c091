"""Real archives: WARC.gz written by warcio from real files, one gzip member per record.

Regression for issue 13: ``DecompressedStream`` stepped back into a member whenever the
member ended inside a ``max_length``-limited call (CPython leaves the same bytes in
``unconsumed_tail`` and ``unused_data``); members of 3-50 KB hit it on most records, and
the rest of each file was lost behind one parse error. warcio is the oracle.
"""
import io
import zlib

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from refinery.ingest.readers import ReaderOptions, read_warc
from tests.ingest.real_text import real_files


def write_real_warc(path, files):
    """warcinfo, then one response per file: the layout of Common Crawl (a member per record)."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "refinery-tests"}))
        for i, file in enumerate(files):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                "http://real.example/%d/%s" % (i, file.name), "response",
                payload=io.BytesIO(file.read_bytes()), http_headers=headers))


def warcio_responses(path):
    """(record id, member offset, HTTP body) of every response record, as warcio reads them."""
    out = []
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        for rec in records:
            if rec.rec_type == "response":
                body = rec.raw_stream.read()
                out.append((rec.rec_headers.get_header("WARC-Record-ID"), records.get_record_offset(), body))
    return out


def member_sizes(data: bytes) -> list[int]:
    sizes, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        sizes.append(end - pos)
        pos = end
    return sizes


def test_one_member_per_record_real_files(tmp_path):
    path = tmp_path / "real.warc.gz"
    files = real_files(12_000, 200_000)[:80]
    write_real_warc(path, files)
    sizes = member_sizes(path.read_bytes())[1:]  # past the warcinfo member
    assert len(sizes) == len(files)
    # the layout that broke: most members between 3 and 50 KB compressed
    assert sum(3_000 <= s <= 50_000 for s in sizes) >= 0.8 * len(sizes)

    rows = [r for b in read_warc(str(path), ReaderOptions()) for r in b.to_pylist()]
    assert [r["error_reason"] for r in rows if r["error_reason"]] == []
    expected = warcio_responses(path)
    assert len(expected) == len(files)
    assert [(r["record_id"], r["offset"], r["payload"]) for r in rows] == expected


def member_starts(data: bytes) -> list[int]:
    starts = [0]
    for size in member_sizes(data)[:-1]:
        starts.append(starts[-1] + size)
    return starts


def test_corrupt_member_mid_file_is_one_row_and_the_rest_is_kept(tmp_path):
    files = real_files(12_000, 200_000)[:12]
    intact = tmp_path / "intact.warc.gz"
    write_real_warc(intact, files)
    expected = warcio_responses(intact)
    data = intact.read_bytes()
    starts, sizes = member_starts(data), member_sizes(data)
    k = 5  # the 5th response (member 0 is the warcinfo)
    damaged = bytearray(data)
    for i in range(starts[k] + 200, starts[k] + sizes[k] - 200, 97):
        damaged[i] ^= 0x55
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(bytes(damaged))

    rows = [r for b in read_warc(str(path), ReaderOptions()) for r in b.to_pylist()]
    docs = [(r["record_id"], r["offset"], r["payload"]) for r in rows if r["error_reason"] is None]
    assert docs == expected[: k - 1] + expected[k:]
    [bad] = [r for r in rows if r["error_reason"]]
    assert (bad["error_reason"], bad["offset"], bad["error_value"]) == ("ingest.corrupt_member", starts[k], sizes[k])
    assert "%d-%d" % (starts[k], starts[k] + sizes[k]) in bad["error_detail"]
