"""The real corpus slice: every source present, labels from the source, text recovered."""
import collections
import re

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
            assert "\x1b" not in r["text"]  # no ISO-2022 escapes read as UTF-8
        assert r["text"].strip()
        assert r["url"].endswith(r["site_path"])


def test_html_text_drops_scripts_and_keeps_blocks():
    page = b"<html><head><title>t</title><script>x=1</script></head><body><p>one\ntwo</p><pre>a\n b</pre><style>p{}</style>z</body></html>"
    assert html_text(page) == "one two\na\nb\nz"


def test_decode_by_coding_cookie():
    text = "-*- coding: iso-2022-jp -*-\n日本語"
    assert decode_text(text.encode("iso-2022-jp")) == text
    assert decode_text(b"\xff\xfe\x00bad") is None


def test_readme_part_is_each_distributions_description_in_pages():
    """The README part holds every installed distribution's long description, cut into pages
    without losing or reordering a block. Oracle: the dist-info METADATA files parsed by
    ``packaging.metadata`` (not importlib.metadata, which the builder uses)."""
    from importlib import metadata

    import pytest
    from packaging.metadata import parse_email

    import corpus
    from corpus.readmes import MAX_CHARS, MIN_CHARS, PAGE_CHARS

    try:
        rows = corpus.load(part="readme").to_pylist()
    except corpus.CorpusMissing as e:
        pytest.fail(str(e))
    by_source = collections.defaultdict(list)
    for r in sorted(rows, key=lambda r: r["path"]):
        by_source[r["source"]].append(r["text"])
    expected = {}
    for dist in metadata.distributions():
        raw = dist.read_text("METADATA")  # the file as installed; packaging parses it
        if raw is None:
            continue
        parsed, _ = parse_email(raw)
        name, text = parsed.get("name", "").lower(), (parsed.get("description") or "").strip()
        if name and name != "llm-refinery" and len(text) >= MIN_CHARS:
            expected[f"python:{name}"] = text[:MAX_CHARS]
    assert len(expected) >= 50 and set(by_source) == set(expected)

    def blocks(s):
        return [b for b in re.split(r"\n[ \t]*\n", s) if b.strip()]

    for source, pages in by_source.items():
        assert [b for p in pages for b in blocks(p)] == blocks(expected[source]), source
        assert all(len(p) >= PAGE_CHARS for p in pages[:-1]), source
    assert len({r["doc_id"] for r in rows}) == len(rows)


def test_decode_by_a_local_variables_block_at_the_end():
    """Emacs also reads the cookie from a trailing ``Local Variables:`` block, where its tutorials
    keep it; without it the ISO-2022-JP tutorial passed as UTF-8 escape sequences."""
    text = "日本語の入門\n" * 50 + ";;; Local Variables:\n;;; coding: iso-2022-jp\n;;; End:\n"
    raw = text.encode("iso-2022-jp")
    assert raw.decode("utf-8") != text  # seven-bit: the wrong codec does not fail
    assert decode_text(raw) == text
    assert decode_text(b"x" * 5000 + b"\ncoding: latin-1\n") == "x" * 5000 + "\ncoding: latin-1\n"  # not a block
