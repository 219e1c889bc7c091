"""The real corpus slice: every source present, labels from the source, text recovered."""
import collections

from corpus.text import decode_text, html_text
from corpus.sources import DEBIAN_SOURCES


def test_slice_has_every_source_and_kind(real_slice):
    rows = real_slice.to_pylist()
    sources = collections.Counter(r["source"] for r in rows)
    for s in DEBIAN_SOURCES:
        assert sources[s.package] > 0, s.package
    assert sum(n for s, n in sources.items() if s.startswith("python:")) >= 300
    langs = collections.Counter(r["lang"] for r in rows)
    assert langs["en"] >= 200 and langs["zh"] >= 50
    assert len({r["doc_id"] for r in rows}) == len(rows)
    assert real_slice.nbytes < 64_000_000


def test_text_comes_from_the_file(real_slice):
    for r in real_slice.to_pylist():
        if r["kind"] == "html":
            assert r["text"] == html_text(r["content"])
        else:
            assert r["text"] == decode_text(r["content"])
        assert r["text"].strip()
        assert r["url"].endswith(r["site_path"])


def test_html_text_drops_scripts_and_keeps_blocks():
    page = b"<html><head><title>t</title><script>x=1</script></head><body><p>one\ntwo</p><pre>a\n b</pre><style>p{}</style>z</body></html>"
    assert html_text(page) == "one two\na\nb\nz"


def test_decode_by_coding_cookie():
    text = "-*- coding: iso-2022-jp -*-\n日本語"
    assert decode_text(text.encode("iso-2022-jp")) == text
    assert decode_text(b"\xff\xfe\x00bad") is None
