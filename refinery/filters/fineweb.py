"""FineWeb quality rules (Penedo et al. 2024, "The FineWeb Datasets", section 3.4; datatrove's
``FineWebQualityFilter``), over the non-blank lines of ``text.split("\\n")``:

* ``fineweb.line_punct_ratio``: share of lines ending in terminal punctuation (any script's
  sentence terminator, e.g. ``. ! ? 。 ！ ？``), min 0.12;
* ``fineweb.short_line_ratio``: share of lines of at most 30 characters, max 0.67;
* ``fineweb.char_dup_ratio``: characters in lines repeating an earlier line over all non-newline
  characters, max 0.01;
* ``fineweb.list_ratio``: newlines per token, max 0.3.

Chinese uses FineWeb-2's cmn_Hani values (line_punct 0.106, list ratio 0.178, conf/clean.yaml);
its list ratio counts characters as tokens, so it is looser than FineWeb-2's (jieba words).
"""
from __future__ import annotations

import numpy as np

from refinery.filters.punctuation import TERMINAL_PUNCTUATION
from refinery.filters.rule import Family, Rule, safe_div

RULES = [
    Rule("fineweb.line_punct_ratio", "min", "share of lines ending in terminal punctuation", lines="newline_lines", prose=True),
    Rule("fineweb.short_line_ratio", "max", "share of lines of at most 30 characters", lines="newline_lines", prose=True),
    Rule("fineweb.char_dup_ratio", "max", "share of characters in repeated lines", lines="newline_lines", prose=True),
    Rule("fineweb.list_ratio", "max", "newlines per token", prose=True),
]

DEFAULTS_EN = {
    "fineweb.line_punct_ratio": 0.12, "fineweb.short_line_ratio": 0.67,
    "fineweb.char_dup_ratio": 0.01, "fineweb.list_ratio": 0.3,
}


def nonblank_lines(view):
    lines = view.newline_lines
    blank = ~lines.flags(r"\S")
    return lines.take(~blank) if blank.any() else lines


def _line_flags(view, ctx, rule: str) -> np.ndarray:
    """Over ``view.newline_lines`` (blank lines never flagged)."""
    lines = view.newline_lines
    nonblank = lines.flags(r"\S")
    if rule == "fineweb.line_punct_ratio":
        return nonblank & ~lines.flags(f"[{TERMINAL_PUNCTUATION}]$")
    if rule == "fineweb.short_line_ratio":
        return nonblank & (lines.lengths <= ctx.short_line_length)
    sub = lines.take(nonblank)
    flags = np.zeros(len(nonblank), dtype=bool)
    flags[np.flatnonzero(nonblank)[sub.repeated]] = True
    return flags


def measure(view, ctx) -> dict:
    lines = nonblank_lines(view)
    punct = lines.flags(f"[{TERMINAL_PUNCTUATION}]$")
    dup_chars = lines.per_doc(np.where(lines.repeated, lines.lengths, 0))
    non_newline = view.lengths - view.count("\n")
    return {
        "fineweb.line_punct_ratio": safe_div(lines.per_doc(punct), lines.counts),
        "fineweb.short_line_ratio": safe_div(lines.per_doc(lines.lengths <= ctx.short_line_length), lines.counts),
        "fineweb.char_dup_ratio": safe_div(dup_chars, non_newline),
        "fineweb.list_ratio": safe_div(view.count("\n"), view.tokens.counts),
    }


FAMILY = Family("fineweb", RULES, measure, _line_flags)
