"""Does a long paragraph stay on its subject? Machine-spun pages (a Markov walk over scraped
text: every word pair real, the whole meaningless) read fluently word by word, so no prose rule
and no small quality model tells them apart (BENCHMARKS.md, issue 14). What they lack is a
subject: a real paragraph of documentation or code names its subject again and again, a walk
over many pages drifts to another word at every step and seldom comes back.

* ``coherence.term_recurrence``: of the content words in the document's long paragraphs (lines
  of at least ``MIN_WORDS`` content words), the share whose stem occurs twice or more in the same
  paragraph. A content word is a run of at least ``MIN_LETTERS`` letters, lower-cased; its stem
  is its first ``STEM_CHARS`` letters (so ``paquete``/``paquetes``, ``plików``/``plikach`` count
  as one word: inflected languages repeat a subject in other forms). Scripts written without
  spaces (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan) have no words to count here.
  A document without a long paragraph is not measured (NaN, never rejected).

The rule is off in every language profile and switched on per category (``category_only``):
documentation, code and the ads/spam category, where the real corpus measured it (BENCHMARKS.md,
"Spun text"). Not for literature: an anthology of short, unrelated pieces is incoherent by form.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters.rule import Family, Rule
from refinery.filters.text_view import Split, pair_ids, split_whitespace, string_codes

MIN_WORDS = 40
MIN_LETTERS = 5
STEM_CHARS = 6
# Anything that is not a letter of a script written with spaces between words becomes a space.
_NOT_WORD = (r"[^\pL]|[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]")

RULES = [
    Rule("coherence.term_recurrence", "min",
         "share of content words that recur in their paragraph (paragraphs of 40+ content words)",
         lines="newline_lines", category_only=True),
]


def _judged_lines(view) -> tuple[Split, np.ndarray, np.ndarray, np.ndarray]:
    """(lines, positions of the judged lines, their content words, their recurring content words)."""
    lines = view.newline_lines
    none = np.zeros(0, dtype=np.int64)
    # MIN_WORDS words of MIN_LETTERS letters need this many characters: most lines are skipped here
    candidates = np.flatnonzero(lines.lengths >= MIN_WORDS * (MIN_LETTERS + 1) - 1)
    if len(candidates) == 0:
        return lines, none, none, none
    text = lines.values.take(pa.array(candidates))
    spaced = pc.replace_substring_regex(pc.utf8_lower(text), pattern=f"(?:{_NOT_WORD})+", replacement=" ")
    words = split_whitespace(spaced)
    line_of = pc.list_parent_indices(words).to_numpy()
    flat = words.flatten()
    long_enough = pc.greater_equal(pc.utf8_length(flat), MIN_LETTERS).to_numpy(zero_copy_only=False)
    flat, line_of = flat.filter(pa.array(long_enough)), line_of[long_enough]
    if len(flat) == 0:
        return lines, none, none, none
    ids = pair_ids(line_of, string_codes(pc.utf8_slice_codeunits(flat, 0, STEM_CHARS)))
    recurs = np.bincount(ids)[ids] >= 2
    n_words = np.bincount(line_of, minlength=len(candidates))
    n_recurring = np.bincount(line_of, weights=recurs, minlength=len(candidates))
    judged = n_words >= MIN_WORDS
    return lines, candidates[judged], n_words[judged], n_recurring[judged]


def measure(view, ctx) -> dict:
    lines, judged, words, recurring = _judged_lines(view)
    doc = lines.parent[judged]
    total = np.bincount(doc, weights=words, minlength=view.n)
    recur = np.bincount(doc, weights=recurring, minlength=view.n)
    return {"coherence.term_recurrence": np.where(total > 0, recur / np.maximum(total, 1), np.nan)}


def _line_flags(view, ctx, rule: str) -> np.ndarray:
    """The paragraphs the rule judged (those long enough)."""
    lines, judged, _, _ = _judged_lines(view)
    flags = np.zeros(len(lines.values), dtype=bool)
    flags[judged] = True
    return flags


FAMILY = Family("coherence", RULES, measure, _line_flags)
