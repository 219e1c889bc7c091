"""The fault corpus generator writes what it says it writes."""

import gzip
import importlib.util
import json
import pathlib

from warcio.archiveiterator import ArchiveIterator

# Loaded by path so this works whether or not tests/ is a package.
_spec = importlib.util.spec_from_file_location(
    "fault_corpus", pathlib.Path(__file__).with_name("fault_corpus.py"))
fault_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fault_corpus)


def _record_types(path):
    with open(path, "rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                 r.http_headers.get_statuscode() if r.http_headers else None)
                for r in ArchiveIterator(fh)]


def test_counts_add_up(tmp_path):
    info = fault_corpus.write_fault_corpus(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(info["files"])
    assert info["records_in"] == info["kept"] + sum(info["rejected"].values())
    for name, f in info["per_file"].items():
        assert f["records_in"] == f["kept"] + sum(f["rejected"].values()), name
    assert info["rejected"]["ingest.truncated_file"] == 1


def test_deterministic(tmp_path):
    fault_corpus.write_fault_corpus(tmp_path / "1")
    fault_corpus.write_fault_corpus(tmp_path / "2")
    for p in sorted((tmp_path / "1").iterdir()):
        assert p.read_bytes() == (tmp_path / "2" / p.name).read_bytes(), p.name


def test_a_readable_and_counted(tmp_path):
    info = fault_corpus.write_fault_corpus(tmp_path)
    recs = _record_types(tmp_path / "a.warc.gz")
    assert recs[0][0] == "warcinfo"
    responses = [r for r in recs if r[0] == "response"]
    assert len(responses) == info["per_file"]["a.warc.gz"]["records_in"]
    assert sum(r[0] == "request" for r in recs) == len(responses)
    assert sum(r[2] == "404" for r in responses) == 1

    with open(tmp_path / "a.warc.gz", "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_headers.get_header("WARC-Target-URI") == info["gbk_url"] \
                    and rec.rec_type == "response":
                body = rec.content_stream().read()
                assert "charset=gbk" in rec.http_headers.get_header("Content-Type")
                assert info["gbk_sentence"] in body.decode("gbk")
                assert info["gbk_sentence"].encode("utf-8") not in body


def test_b_is_truncated(tmp_path):
    """warcio does not raise on the cut: it yields the last response's headers, then
    its body stops short of Content-Length. Ingest must turn that into one rejected row."""
    info = fault_corpus.write_fault_corpus(tmp_path)
    bodies = []
    try:
        with open(tmp_path / "b.warc.gz", "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    declared = int(rec.http_headers.get_header("Content-Length"))
                    bodies.append((declared, len(rec.content_stream().read())))
    except Exception:  # a stricter reader may raise instead; then it ended early too
        pass
    complete = [b for b in bodies if b[0] == b[1]]
    assert len(complete) == info["per_file"]["b.warc.gz"]["responses_complete"]
    assert all(b[0] == b[1] for b in bodies[:-1])
    assert len(bodies) == len(complete) + 1  # the cut record: headers, short body


def test_c_and_d(tmp_path):
    info = fault_corpus.write_fault_corpus(tmp_path)
    lines = gzip.decompress((tmp_path / "c.jsonl.gz").read_bytes()).decode().splitlines()
    assert len(lines) == info["per_file"]["c.jsonl.gz"]["records_in"]
    bad = 0
    for line in lines:
        try:
            json.loads(line)
        except json.JSONDecodeError:
            bad += 1
    assert bad == info["rejected"]["ingest.bad_json"]
    recs = _record_types(tmp_path / "d.warc.wet.gz")
    assert sum(r[0] == "conversion" for r in recs) == info["per_file"]["d.warc.wet.gz"]["records_in"]
