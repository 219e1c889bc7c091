"""How much of a page's oracle text an extractor recovered: the fraction of oracle lines found.

The oracle is the corpus's lxml text (``corpus/text.py``: one line per block element), which is
independent of the refinery's extractors. A line counts as recovered when it occurs, after NFKC and
whitespace collapsing on both sides, inside the extracted text; lines shorter than ``min_chars``
(headings, table cells, "Next", "Prev") are left out, as they carry little of the page's content.
"""
from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def oracle_lines(oracle: str, min_chars: int = 40) -> list[str]:
    return [line for line in (_norm(ln) for ln in oracle.splitlines()) if len(line) >= min_chars]


def line_recall(oracle: str, extracted: str, min_chars: int = 40) -> tuple[int, int]:
    """(oracle lines found in ``extracted``, oracle lines) for one page."""
    lines = oracle_lines(oracle, min_chars)
    haystack = _norm(extracted or "")
    return sum(line in haystack for line in lines), len(lines)
