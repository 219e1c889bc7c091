"""Gopher quality rules (Rae et al. 2021, "Scaling Language Models: Methods, Analysis & Insights
from Training Gopher", appendix A1.1), thresholds as published and as datatrove's
``GopherQualityFilter`` uses them:

* 50 ≤ words ≤ 100,000 (words: tokens that are not pure punctuation);
* 3 ≤ mean word length ≤ 10 characters;
* ``#`` and ellipsis (``...`` / ``…``) each at most 0.1 per token;
* at most 90% of lines starting with a bullet (``•`` / ``-``), at most 30% ending with an ellipsis;
* at least 80% of tokens containing a letter;
* at least 2 distinct stop words (``the be to of and that have with``; Chinese: FineWeb-2's list).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters.punctuation import PUNCTUATION
from refinery.filters.rule import Family, Rule, safe_div

RULES = [
    Rule("gopher.min_words", "min", "words (non-punctuation tokens)"),
    Rule("gopher.max_words", "max", "words (non-punctuation tokens)"),
    Rule("gopher.min_mean_word_length", "min", "mean word length in characters"),
    Rule("gopher.max_mean_word_length", "max", "mean word length in characters"),
    Rule("gopher.hash_ratio", "max", "'#' per token", prose=True),
    Rule("gopher.ellipsis_ratio", "max", "ellipses per token", prose=True),
    Rule("gopher.bullet_lines", "max", "share of lines starting with a bullet", lines="splitlines", prose=True),
    Rule("gopher.ellipsis_lines", "max", "share of lines ending with an ellipsis", lines="splitlines", prose=True),
    Rule("gopher.alpha_words", "min", "share of tokens holding a letter", prose=True),
    Rule("gopher.stop_words", "min", "distinct stop words present"),
]

DEFAULTS_EN = {
    "gopher.min_words": 50, "gopher.max_words": 100_000,
    "gopher.min_mean_word_length": 3, "gopher.max_mean_word_length": 10,
    "gopher.hash_ratio": 0.1, "gopher.ellipsis_ratio": 0.1,
    "gopher.bullet_lines": 0.9, "gopher.ellipsis_lines": 0.3,
    "gopher.alpha_words": 0.8, "gopher.stop_words": 2,
}

_BULLET = r"^\s*[•-]"
_ELLIPSIS_END = r"(\.\.\.|…)\s*$"


def _line_flags(view, ctx, rule: str) -> np.ndarray:
    lines = view.splitlines
    return lines.flags(_BULLET if rule == "gopher.bullet_lines" else _ELLIPSIS_END)


def measure(view, ctx) -> dict:
    tok = view.tokens
    n_tokens = tok.counts
    word = view.token_flags(f"[^{PUNCTUATION}]")
    n_words = tok.per_doc(word)
    word_chars = tok.per_doc(np.where(word, tok.lengths, 0))
    lines = view.splitlines
    out = {
        "gopher.min_words": n_words,
        "gopher.max_words": n_words,
        "gopher.hash_ratio": safe_div(view.count("#"), n_tokens),
        "gopher.ellipsis_ratio": safe_div(view.count("...") + view.count("…"), n_tokens),
        "gopher.bullet_lines": safe_div(lines.per_doc(_line_flags(view, ctx, "gopher.bullet_lines")), lines.counts),
        "gopher.ellipsis_lines": safe_div(lines.per_doc(_line_flags(view, ctx, "gopher.ellipsis_lines")), lines.counts),
        "gopher.alpha_words": safe_div(tok.per_doc(view.token_flags(r"\pL")), n_tokens),
    }
    mean_len = safe_div(word_chars, n_words)
    out["gopher.min_mean_word_length"] = out["gopher.max_mean_word_length"] = mean_len
    out["gopher.stop_words"] = distinct_present(view, ctx.stop_words)
    return out


def distinct_present(view, words) -> np.ndarray:
    """Distinct members of ``words`` among each document's tokens (exact, case-sensitive)."""
    tok = view.tokens
    if not words:
        return np.zeros(tok.n_docs)
    codes, dictionary = view.token_dictionary  # looked up once per distinct token
    idx = pc.index_in(dictionary, value_set=pa.array(list(words))).to_numpy(zero_copy_only=False)
    idx = idx.astype(np.float64)[codes]
    hit = ~np.isnan(idx)
    pairs = tok.parent[hit] * len(words) + idx[hit].astype(np.int64)
    return np.bincount(np.unique(pairs) // len(words), minlength=tok.n_docs).astype(np.float64)


FAMILY = Family("gopher_quality", RULES, measure, _line_flags)
