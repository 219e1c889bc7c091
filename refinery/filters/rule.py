"""A rule is a named, measured decision: a value per document and a bound it must respect.

Each rule family module (gopher_quality, gopher_repetition, c4, fineweb, chinese, general)
declares its rules and one ``measure(view, ctx)`` function returning every rule's value for a
whole batch at once (the family's rules share splits and intermediate arrays). Whether a value
fails is decided here, the same way for every rule: ``min`` rules fail below the threshold,
``max`` rules above it (datatrove's ``<`` / ``>`` conventions, so equal values pass).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Literal

import numpy as np

WORDLIST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wordlists")


@dataclass(frozen=True)
class Rule:
    name: str  # the stable dotted reason id, e.g. gopher.mean_word_length
    bound: Literal["min", "max"]
    about: str  # what is measured, in a phrase (shown by inspect)
    # Which split the rule's offending lines live in, for highlighting (None: a whole-doc measure).
    lines: str | None = None
    # Measured over the document's prose (refinery.filters.structure: code lines and markup left
    # out) when the profile's ``prose_view`` is on: the web-prose rules, which misread code and tables.
    prose: bool = False
    # Off in every language profile; a category's override switches it on for that category
    # (conf/clean.yaml ``categories``): a rule that only makes sense for some kinds of text.
    category_only: bool = False

    def fails(self, values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """NaN thresholds (rule disabled for that row) never fail."""
        with np.errstate(invalid="ignore"):
            out = values < thresholds if self.bound == "min" else values > thresholds
        return out & ~np.isnan(thresholds)


@dataclass
class Family:
    """A group of rules measured together (one module)."""

    name: str
    rules: list[Rule]
    measure: Callable  # (TextView, MeasureContext) -> dict[rule name, np.ndarray float64]
    # (TextView, MeasureContext, rule name) -> per-line bool mask over view.<rule.lines> split
    line_flags: Callable | None = None


@dataclass
class MeasureContext:
    """What a family needs besides the text: the document columns and the profile's word lists."""

    columns: dict = field(default_factory=dict)  # column name -> numpy array (lang, lang_score, ...)
    stop_words: tuple[str, ...] = ()
    dirty_words: tuple[str, ...] = ()
    allowed_languages: tuple[str, ...] = ()
    short_line_length: int = 30
    # rule id -> bool mask over the measured rows: the rows whose threshold judges that rule (filter
    # mode). A family may leave a costly value unmeasured (NaN) elsewhere; a rule absent: every row.
    needed: dict = field(default_factory=dict)

    def rows_needing(self, rule: str, n: int) -> np.ndarray:
        mask = self.needed.get(rule)
        return np.ones(n, dtype=bool) if mask is None else mask


def shipped_wordlist(name: str):
    """A word list of refinery/filters/wordlists, read through the package (also from the
    ``--py-files`` zip an executor imports the code from, where ``open`` cannot reach it)."""
    from importlib.resources import files

    return files(__package__).joinpath("wordlists", name)


@lru_cache(maxsize=None)
def load_wordlist(name_or_path: str) -> tuple[str, ...]:
    """A word list shipped in refinery/filters/wordlists (by file name) or at a path; '#' comments."""
    if os.path.sep in name_or_path:
        with open(name_or_path, encoding="utf-8") as f:
            text = f.read()
    else:
        text = shipped_wordlist(name_or_path).read_text(encoding="utf-8")
    words = [line.strip() for line in text.splitlines()]
    return tuple(dict.fromkeys(w for w in words if w and not w.startswith("#")))


def safe_div(num, den) -> np.ndarray:
    """num / den with 0 where den is 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out
