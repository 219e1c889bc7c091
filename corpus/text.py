"""Plain text of a corpus file, by a route independent of the refinery's extractors.

HTML goes through lxml (body text, scripts and styles removed) — not resiliparse or trafilatura,
which the refinery uses — so a test can hold the refinery's extraction against it. Text files are
decoded by their own coding cookie or as UTF-8. Emacs reads the cookie from the first line
(``-*- coding: … -*-``) or from a ``Local Variables:`` block in the last 3,000 characters, where
its tutorials keep it (``TUTORIAL.ja`` is ISO-2022-JP: seven-bit escapes that pass as UTF-8).
"""
from __future__ import annotations

import re

_COOKIE = re.compile(rb"coding:\s*([-\w.]+)")
_BLANKS = re.compile(r"[ \t\r\f\v]+")


def decode_text(raw: bytes) -> str | None:
    """The file's text, or None when it is not text in its declared (or UTF-8) encoding."""
    m = _COOKIE.search(raw[:200])
    if m is None:
        tail = raw[-3000:]
        block = tail.rfind(b"Local Variables:")
        m = _COOKIE.search(tail, block) if block >= 0 else None
    codec = m.group(1).decode("ascii", "replace").lower() if m else "utf-8"
    if codec.startswith("utf-8"):
        codec = "utf-8"
    try:
        return raw.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def html_text(raw: bytes) -> str:
    """Visible text of an HTML page: one line per block, runs of blanks collapsed."""
    import lxml.html

    root = lxml.html.document_fromstring(raw)
    for bad in root.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    for el in root.iter():  # source line breaks are not text breaks, except inside <pre>
        if not isinstance(el.tag, str):
            continue
        in_pre = el.tag == "pre" or any(a.tag == "pre" for a in el.iterancestors())
        if el.text and not in_pre:
            el.text = el.text.replace("\n", " ")
        outer_pre = any(a.tag == "pre" for a in el.iterancestors())
        if el.tail and not outer_pre:
            el.tail = el.tail.replace("\n", " ")
    for br in root.xpath("//br"):
        br.tail = "\n" + (br.tail or "")
    blocks = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd",
              "table", "blockquote", "section", "article", "title")
    for el in root.iter(*blocks):
        el.tail = "\n" + (el.tail or "")
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
