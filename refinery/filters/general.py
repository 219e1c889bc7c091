"""Language-independent rules, applied to every document before the language's own rules:

* ``general.min_chars`` / ``general.max_chars``: non-whitespace characters (ingest's
  ``char_count``), min 20 (an empty shell of a page), max 1,000,000 (dumps, logs);
* ``general.digit_ratio``: share of decimal digits, max 0.3 (tables of numbers, phone lists);
* ``general.symbol_ratio``: share of punctuation and symbol characters (``\\p{P}\\p{S}``), max 0.3
  (ASCII art, separators, emoji walls; Chinese prose sits near 0.15);
* ``general.lang_score``: fastText lid.176 confidence of the detected language, min 0.65 for
  English (FineWeb's LanguageFilter), 0.692 for Chinese (FineWeb-2 cmn_Hani), 0.5 elsewhere;
* ``general.lang_allowed``: 1 when the language is on ``languages.allow`` (empty: all), min 1.

Practitioner rule (zhihu "LLM训练-pretrain"): check the zh share, en share and digit share — and
look at what such rules drop per language (the bias report), or the corpus turns monolingual.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from refinery.filters.rule import Family, Rule, safe_div
from refinery.filters.text_view import TextView

SYMBOLS = r"[\p{P}\p{S}]"

RULES = [
    Rule("general.lang_allowed", "min", "1 if the language is allowed"),
    Rule("general.lang_score", "min", "language-id confidence"),
    Rule("general.min_chars", "min", "non-whitespace characters"),
    Rule("general.max_chars", "max", "non-whitespace characters"),
    Rule("general.digit_ratio", "max", "share of digits"),
    Rule("general.symbol_ratio", "max", "share of punctuation and symbols"),
]

DEFAULTS = {
    "general.lang_allowed": 1, "general.lang_score": 0.5, "general.min_chars": 20,
    "general.max_chars": 1_000_000, "general.digit_ratio": 0.3, "general.symbol_ratio": 0.3,
}


def measure(view, ctx) -> dict:
    cols = ctx.columns
    chars = cols.get("char_count")
    if chars is None:
        chars = view.count_regex(r"\S")
    chars = np.asarray(chars, dtype=np.float64)
    digits = cols.get("digit_ratio")
    digits = safe_div(view.count_regex(r"\p{Nd}"), chars) if digits is None else np.asarray(digits, dtype=np.float64)
    langs = cols.get("lang")
    if ctx.allowed_languages and langs is not None:
        allowed = np.isin(np.asarray(langs, dtype=object), list(ctx.allowed_languages)).astype(np.float64)
    else:
        allowed = np.ones(view.n)
    score = cols.get("lang_score")
    score = np.ones(view.n) if score is None else np.nan_to_num(np.asarray(score, dtype=np.float64), nan=0.0)
    return {
        "general.lang_allowed": allowed,
        "general.lang_score": score,
        "general.min_chars": chars,
        "general.max_chars": chars,
        "general.digit_ratio": digits,
        "general.symbol_ratio": _symbol_ratio(view, ctx, chars),
    }


def _symbol_ratio(view, ctx, chars: np.ndarray) -> np.ndarray:
    """Counted only where a threshold judges it (documentation and code turn it off): a Unicode
    class counted character by character is the family's one costly pass (0.12 ms per page)."""
    rows = np.flatnonzero(ctx.rows_needing("general.symbol_ratio", view.n))
    judged = view if len(rows) == view.n else TextView(view.texts.take(pa.array(rows)))
    out = np.full(view.n, np.nan)
    out[rows] = safe_div(judged.count_regex(SYMBOLS), chars[rows])
    return out


FAMILY = Family("general", RULES, measure)
