"""extract_main_text: main content in, boilerplate out, paragraphs and code layout kept."""

import pytest

from refinery.ingest.html_text import BACKENDS, DEFAULT_BACKEND, extract_main_text

CODE = "def rev(xs):\n    out = []\n    for x in xs:\n        out.insert(0, x)\n    return out"
PARAGRAPHS = [
    "Reversing a list is a common task in Python programming. There are several ways "
    "to do it, and each of them comes with different trade-offs for memory and speed.",
    "The simplest approach uses slicing, which creates a new list and leaves the original "
    "list unchanged, so it is safe to use when other code still holds a reference.",
    "Another option is the built-in reversed function, which returns an iterator over the "
    "elements instead of building a copy, and therefore saves memory on long lists.",
]

PAGE = f"""<!DOCTYPE html><html><head><title>Reverse a list</title>
<script>var tracking = "do not extract me";</script><style>p {{ color: red }}</style></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/blog">Blog</a></li>
<li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
<div id="cookie-banner">We use cookies to improve your experience. <a href="/ok">Accept all</a></div>
<main><article><h1>How to reverse a list in Python</h1>
<p>{PARAGRAPHS[0]}</p>
<p>{PARAGRAPHS[1]}</p>
<pre><code>{CODE}
</code></pre>
<p>{PARAGRAPHS[2]} <img src="d.png" alt="ALT TEXT DIAGRAM"></p>
</article></main>
<aside class="sidebar"><h3>Related posts</h3><ul><li><a href="/a">Sorting dictionaries</a></li>
<li><a href="/b">Ten tips for clean code</a></li></ul></aside>
<footer><p>Copyright 2026 Example Corp. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms</a></li></ul></footer>
</body></html>"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_main_content_kept_boilerplate_dropped(backend):
    text = extract_main_text(PAGE, backend)
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    for boilerplate in ("About us", "cookies", "Related posts", "Copyright", "Privacy", "tracking", "color"):
        assert boilerplate not in text
    assert "ALT TEXT" not in text
    assert "/blog" not in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_paragraphs_separated_by_blank_line(backend):
    text = extract_main_text(PAGE, backend)
    assert f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}" in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_pre_keeps_newlines_and_indentation(backend):
    assert CODE in extract_main_text(PAGE, backend)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("garbage", ["", "   ", "\x00\x01\x02 <<<>>> &&&;", "<html><body></body></html>", "<<<" * 1000])
def test_garbage_never_raises(backend, garbage):
    # What is "main text" of junk differs by backend; the contract is a str, never an error.
    assert isinstance(extract_main_text(garbage, backend), str)


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_page_gives_empty_string(backend):
    assert extract_main_text("<html><body></body></html>", backend) == ""
    assert extract_main_text("", backend) == ""


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown backend"):
        extract_main_text(PAGE, "bs4")


def test_default_backend_is_a_backend():
    assert DEFAULT_BACKEND in BACKENDS
    assert extract_main_text(PAGE) == extract_main_text(PAGE, DEFAULT_BACKEND)
