"""HTML → main text, with boilerplate (navigation, footers, sidebars, banners) left out.

Two backends; ``bench/html_extract.py`` measures both and BENCHMARKS.md
("HTML → main text") records why DEFAULT_BACKEND is the one it is.

* ``resiliparse`` — Resiliparse's ``extract_plain_text(main_content=True)`` (Bevendorff
  et al., "FastWARC and Resiliparse", OSSYM 2021), a C++ DOM walk with main-content
  heuristics; the extractor of choice where throughput matters.
* ``trafilatura`` — Trafilatura (Barbaresi, ACL 2021), the extractor behind RefinedWeb and
  FineWeb; slower (pure Python over lxml), usually the cleaner extract.

Output contract for both: paragraphs (block elements) separated by a blank line, ``<pre>``
text keeps its newlines and indentation, no alt texts, no link URLs, no comments section.
Garbage in gives "" out, never an exception: a page without main text is a filter's
decision to record, not a crash.
"""

from __future__ import annotations

from resiliparse.extract.html2text import extract_plain_text

BACKENDS = ("resiliparse", "trafilatura")
DEFAULT_BACKEND = "resiliparse"


def _resiliparse(html: str) -> str:
    return extract_plain_text(
        html,
        preserve_formatting=True,  # block breaks, list items, <pre> newlines
        main_content=True,
        list_bullets=True,
        alt_texts=False,
        links=False,
        form_fields=False,
        noscript=False,
        comments=False,
    )


def _trafilatura(html: str) -> str:
    # Imported on first use: ~0.2 s every Python worker would pay even with resiliparse.
    import trafilatura
    from trafilatura.xml import xmltotxt

    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=False,
        as_dict=False,
    )
    if doc is None or doc.body is None:
        return ""
    # trafilatura's own txt output joins paragraphs with a single "\n", which makes them
    # indistinguishable from lines inside a code block; serialise block by block instead.
    blocks = (xmltotxt(block, False).strip("\n") for block in doc.body)
    return "\n\n".join(block for block in blocks if block.strip())


_EXTRACTORS = {"resiliparse": _resiliparse, "trafilatura": _trafilatura}


def extract_main_text(html: str, backend: str = DEFAULT_BACKEND) -> str:
    """Main text of one HTML page ("" when there is none or the page cannot be parsed)."""
    try:
        extractor = _EXTRACTORS[backend]
    except KeyError:
        raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}") from None
    if not html or not html.strip():
        return ""
    try:
        return (extractor(html) or "").strip()
    except Exception:  # noqa: BLE001 — both libraries raise assorted parser errors on junk
        return ""
