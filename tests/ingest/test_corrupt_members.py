"""A corrupt gzip member or zstd frame mid-file: one ``ingest.corrupt_member`` row for the
bytes skipped, then reading goes on at the next member/frame header (issue 13, no silent loss).

The oracle is the file as written: which lines went into which member, and where each
member starts (known from compressing them one by one).
"""
import gzip
import json

import pytest
import zstandard

from refinery.ingest.readers import ReaderOptions, read_jsonl
from refinery.ingest.readers.files import DecompressedStream
from tests.ingest.real_text import real_text_blob


def _lines(n_members, per_member):
    """JSONL lines whose texts are consecutive slices of real source files."""
    blob = real_text_blob().decode("utf-8", errors="replace")
    out, pos = [], 0
    for i in range(n_members * per_member):
        size = 300 + (i * 7919) % 2500
        out.append(json.dumps({"id": "l%d" % i, "text": blob[pos: pos + size]}).encode() + b"\n")
        pos += size
    return [out[m * per_member: (m + 1) * per_member] for m in range(n_members)]


def _compress(codec, data, level=6):
    if codec == "gzip":
        return gzip.compress(data, compresslevel=level)
    return zstandard.ZstdCompressor(level=level, write_checksum=True).compress(data)


def _write(tmp_path, codec, members, damage):
    """One member/frame per list of lines; ``damage(k, bytearray)`` spoils member k. Returns
    (path, member starts, member sizes)."""
    blobs = [bytearray(_compress(codec, b"".join(lines))) for lines in members]
    for k, blob in enumerate(blobs):
        damage(k, blob)
    starts, pos = [], 0
    for blob in blobs:
        starts.append(pos)
        pos += len(blob)
    path = tmp_path / ("x.jsonl.gz" if codec == "gzip" else "x.jsonl.zst")
    path.write_bytes(b"".join(bytes(b) for b in blobs))
    return path, starts, [len(b) for b in blobs]


def _spoil_header(bad):
    def damage(k, blob):
        if k in bad and blob[:2] == b"\x1f\x8b":
            blob[3] = 0xE0  # reserved flag bits set: not a valid gzip header
        elif k in bad:
            blob[4] = 0xFF  # zstd frame header descriptor with its reserved bit set
    return damage


def _flip_body(bad):
    def damage(k, blob):
        if k in bad:
            for i in range(40, len(blob) - 40, 53):
                blob[i] ^= 0xA5
    return damage


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
@pytest.mark.parametrize("bad", [{0}, {3}, {7}, {2, 3}, {2, 5}])
def test_bad_member_header_skips_exactly_that_member(tmp_path, codec, bad):
    members = _lines(8, 20)
    path, starts, sizes = _write(tmp_path, codec, members, _spoil_header(bad))
    rows = [r for b in read_jsonl(str(path), ReaderOptions()) for r in b.to_pylist()]
    kept = [r["record_id"] for r in rows if r["error_reason"] is None]
    expected = [json.loads(line)["id"] for k, m in enumerate(members) if k not in bad for line in m]
    assert kept == expected
    spans = [(r["error_value"], r["error_detail"]) for r in rows if r["error_reason"] == "ingest.corrupt_member"]
    assert [r["error_reason"] for r in rows if r["error_reason"]] == ["ingest.corrupt_member"] * len(spans)
    # adjacent bad members are one span; each span ends where the next good member starts
    runs = []
    for k in sorted(bad):
        if runs and runs[-1][1] == k:
            runs[-1][1] = k + 1
        else:
            runs.append([k, k + 1])
    want = [(float(sum(sizes[a:b])), "%d-%d" % (starts[a], starts[a] + sum(sizes[a:b]))) for a, b in runs]
    assert [(v, d.split()[2]) for v, d in spans] == want


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_flipped_bytes_mid_member_keep_every_other_member(tmp_path, codec):
    members = _lines(6, 20)
    path, starts, sizes = _write(tmp_path, codec, members, _flip_body({2}))
    rows = [r for b in read_jsonl(str(path), ReaderOptions()) for r in b.to_pylist()]
    kept = {r["record_id"]: r["payload"] for r in rows if r["error_reason"] is None}
    for k, m in enumerate(members):
        if k != 2:
            for line in m:
                record = json.loads(line)
                assert kept[record["id"]] == record["text"].encode("utf-8")
    [span] = [r for r in rows if r["error_reason"] == "ingest.corrupt_member"]
    assert span["error_value"] == sizes[2] and "%d-%d" % (starts[2], starts[3]) in span["error_detail"]


def test_corrupt_last_member_runs_to_end_of_file(tmp_path):
    members = _lines(3, 10)
    path, starts, sizes = _write(tmp_path, "gzip", members, _spoil_header({2}))
    stream = DecompressedStream(open(path, "rb"), "gzip")
    data = stream.read()
    assert data == b"".join(members[0] + members[1]) and stream.corrupt
    assert stream.skip_corrupt() == (starts[2], starts[2] + sizes[2])
    assert stream.at_eof and stream.read() == b"" and stream.error is None
    assert stream.bytes_consumed == path.stat().st_size
