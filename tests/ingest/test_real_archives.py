"""The ingest job on real archives of real pages (``make corpus``: corpus/warc.py).

Inputs: the slice's ``crawl/`` (what jobs/crawl.py wrote crawling the served pages) and ``faults/``
(Common Crawl layout, one gzip member per record, with injected faults; ``EXPECTED.json`` says
where). The oracles: warcio counts the response records (of the intact file a damaged one was
copied from), and the corpus's lxml text says what a page holds.
"""
import json
import pathlib
from urllib.parse import unquote, urlsplit

import pyarrow.dataset as ds
import pytest
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.slow


def _responses(path, before: int | None = None) -> list[tuple[int, str]]:
    """(member offset, URL) of the response records warcio reads (starting before ``before``)."""
    found = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for record in it:
            if record.rec_type == "response" and (before is None or it.get_record_offset() < before):
                found.append((it.get_record_offset(), record.rec_headers.get_header("WARC-Target-URI")))
    return found


def _rows(path, columns):
    if not path.exists():
        return []
    return ds.dataset(str(path), format="parquet", partitioning="hive").to_table(columns=columns).to_pylist()


@pytest.fixture(scope="module")
def real_ingest(spark, tmp_path_factory):
    import corpus.warc
    import refinery.spark.ingest as ingest_job
    from refinery.config import load_config
    from refinery.ingest.config import IngestConfig

    try:
        root = corpus.warc.archives(slice=True)
    except Exception as e:  # fail, never skip: `make test` builds the corpus first
        pytest.fail(str(e))
    files = sorted(map(str, (root / "crawl").glob("*.warc.gz"))) + sorted(map(str, (root / "faults").glob("*.warc.gz")))
    out = tmp_path_factory.mktemp("real-archives") / "out"
    stats = ingest_job.run(spark, files, str(out), load_config(None, IngestConfig))
    kept = _rows(out / "kept", ["source_file", "offset", "url", "text"])
    rejected = _rows(out / "rejected", ["source_file", "offset", "url", "reason"])
    expected = json.loads((root / "faults" / "EXPECTED.json").read_text())
    return {"root": root, "files": files, "stats": stats, "kept": kept, "rejected": rejected, "expected": expected}


def _by_file(rows):
    out = {}
    for r in rows:
        out.setdefault(pathlib.Path(r["source_file"]).name, []).append(r)
    return out


def _expected(root, name, info) -> list[tuple[int, str]]:
    """The rows a file must give, from warcio on the file or on the intact copy it came from."""
    if info is None or info["damage"] == "none":
        return _responses(root / ("crawl" if info is None else "faults") / name)
    intact = root / "faults" / info["copy_of"]
    if info["damage"] == "truncated":  # the records before the cut, plus the cut one
        return _responses(intact, before=info["cut_at"] + 1)
    return _responses(intact)


def test_every_response_record_is_a_row(real_ingest):
    """rows per file == warcio's response records (the corrupt-member file: see the xfail below)."""
    root, expected = real_ingest["root"], real_ingest["expected"]["files"]
    kept, rejected = _by_file(real_ingest["kept"]), _by_file(real_ingest["rejected"])
    total = 0
    for path in real_ingest["files"]:
        name = pathlib.Path(path).name
        info = expected.get(name)
        if info and info["damage"] == "corrupt member":
            continue
        want = sorted(offset for offset, _ in _expected(root, name, info))
        got = sorted(r["offset"] for r in kept.get(name, []) + rejected.get(name, []))
        assert got == want, name
        total += len(want)
    crawl_files = [f for f in real_ingest["files"] if "/crawl/" in f]
    assert len(crawl_files) >= 3 and total > 1000
    # The crawled pages are real and served 200 text/html; only an index page (nothing but a list
    # of links, no main content) may come out empty.
    for name, rows in rejected.items():
        if name.startswith("crawl-"):
            for r in rows:
                assert r["reason"] == "ingest.empty_text" and r["url"].endswith("/index.html"), r


def test_each_injected_fault_is_a_row_with_its_reason(real_ingest):
    files = real_ingest["expected"]["files"]
    kept = {(pathlib.Path(r["source_file"]).name, r["url"]): r for r in real_ingest["kept"]}
    rejected = {(pathlib.Path(r["source_file"]).name, r["url"]): r for r in real_ingest["rejected"]}
    for fault in files["faults-pages.warc.gz"]["injected"]:
        key = ("faults-pages.warc.gz", fault["url"])
        if fault["expect"] == "kept":
            assert key in kept, fault["fault"]
            assert fault["must_contain"] in kept[key]["text"], fault["fault"]
        else:
            assert rejected[key]["reason"] == fault["expect"], fault["fault"]
    cut = files["faults-truncated.warc.gz"]
    at = {r["offset"]: r for r in real_ingest["rejected"] if r["source_file"].endswith("faults-truncated.warc.gz")}
    assert at[cut["member"][0]]["reason"] == cut["expect"]


def test_records_after_a_corrupt_member_are_kept(real_ingest):
    root, info = real_ingest["root"], real_ingest["expected"]["files"]["faults-corrupt.warc.gz"]
    want = _responses(root / "faults" / info["copy_of"])
    after = [url for offset, url in want if offset > info["member"][0]]
    kept = {r["url"] for r in real_ingest["kept"] if r["source_file"].endswith("faults-corrupt.warc.gz")}
    rejected = [r for r in real_ingest["rejected"] if r["source_file"].endswith("faults-corrupt.warc.gz")]
    assert [(r["reason"], r["offset"]) for r in rejected] == [(info["expect"], info["member"][0])]
    assert after and set(after) <= kept
    assert real_ingest["stats"]["rows_in"] == sum(
        len(_expected(root, pathlib.Path(f).name, real_ingest["expected"]["files"].get(pathlib.Path(f).name)))
        for f in real_ingest["files"])


def test_extraction_recovers_the_oracle_text(real_ingest, real_slice):
    """Kept crawled pages against the corpus's lxml text: most of its long lines are recovered.

    A loose floor; the measured figure is in BENCHMARKS.md (bench/ingest.py --real)."""
    from corpus.recall import line_recall

    oracle = dict(zip(real_slice.column("site_path").to_pylist(), real_slice.column("text").to_pylist()))
    found = total = pages = 0
    for r in real_ingest["kept"]:
        if "/crawl/" not in r["source_file"]:
            continue
        site_path = unquote(urlsplit(r["url"]).path).lstrip("/")
        if site_path in oracle:
            f, t = line_recall(oracle[site_path], r["text"])
            found, total, pages = found + f, total + t, pages + 1
    assert pages >= 0.95 * real_slice.num_rows
    assert total > 5000 and found / total >= 0.6, (found, total)
