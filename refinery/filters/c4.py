"""C4 rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning", section 2.2; the
reference code tensorflow_datasets c4_utils and datatrove's ``C4QualityFilter``).

C4 first keeps only lines that end in terminal punctuation (``. ? ! " '``, not an ellipsis), hold
at least 3 words, no word over 1,000 characters, no "javascript" and no cookie/terms-of-use
phrase (Wikipedia citation marks ``[1]`` / ``[edit]`` are ignored for the punctuation test).
On those lines it rejects a document that

* contains "lorem ipsum" (``c4.lorem_ipsum``: such lines, max 0),
* contains a curly bracket (``c4.curly_bracket``: such lines, max 0; code is judged by its own
  category thresholds, see conf/clean.yaml),
* has fewer than 5 sentences (``c4.min_sentences``).

Here these are decisions only: the text is not rewritten (datatrove's filter also drops the
non-qualifying lines from the text; our line-level edits live in ``lines.py``, counted apart).
Sentences: 1 + sentence-ending punctuation followed by more text on the line, common English
abbreviations (Mr., e.g., U.S., ...) excepted, approximating spaCy's sentencizer.
"""
from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from refinery.filters.rule import Family, Rule

RULES = [
    Rule("c4.lorem_ipsum", "max", "qualifying lines containing 'lorem ipsum'", lines="splitlines", prose=True),
    Rule("c4.curly_bracket", "max", "qualifying lines containing '{'", lines="splitlines", prose=True),
    Rule("c4.min_sentences", "min", "sentences on lines C4 keeps", lines="splitlines", prose=True),
]

DEFAULTS_EN = {"c4.lorem_ipsum": 0, "c4.curly_bracket": 0, "c4.min_sentences": 5}

CITATION = r"\[\d*\]|\[edit\]|\[citation needed\]"
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
_SENTENCE_BREAK = r"[.!?]+[\"'”’)\]]*\s+\S"
_ABBREVIATION_BREAK = (
    r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|etc|Inc|Ltd|Co|No|Vol|Fig|pp|Jan|Feb|Aug|Sept|Oct|Nov|Dec"
    r"|e\.g|i\.e|U\.S|U\.K|a\.m|p\.m)\.\s+\S"
)


def _np(arr) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def line_masks(view) -> dict:
    """Per line of ``view.splitlines``: qualifies (C4 keeps it), lorem, curly, kept, sentences."""
    raw = view.splitlines.values
    line = pc.utf8_trim_whitespace(raw)
    n_words = pc.count_substring_regex(line, pattern=r"\S+").to_numpy(zero_copy_only=False)
    long_word = _np(pc.and_(pc.greater(pc.utf8_length(line), 1000), pc.match_substring_regex(line, pattern=r"\S{1000}\S")))
    cited = pc.replace_substring_regex(line, pattern=CITATION, replacement="")
    terminal = _np(pc.match_substring_regex(cited, pattern=r"[.?!\"']$")) & ~_np(pc.ends_with(cited, pattern="..."))
    qualifies = ~long_word & terminal & (n_words >= 3)
    lower = pc.utf8_lower(cited)
    lorem = qualifies & _np(pc.match_substring(lower, pattern="lorem ipsum"))
    javascript = _np(pc.match_substring(lower, pattern="javascript"))
    curly = qualifies & ~javascript & _np(pc.match_substring(cited, pattern="{"))
    policy = np.zeros(len(line), dtype=bool)
    for phrase in POLICY:
        policy |= _np(pc.match_substring(lower, pattern=phrase))
    kept = qualifies & ~javascript & ~policy
    breaks = pc.count_substring_regex(cited, pattern=_SENTENCE_BREAK).to_numpy(zero_copy_only=False)
    abbrev = pc.count_substring_regex(cited, pattern=_ABBREVIATION_BREAK).to_numpy(zero_copy_only=False)
    sentences = np.where(kept, 1 + np.maximum(breaks - abbrev, 0), 0)
    return {"qualifies": qualifies, "lorem": lorem, "curly": curly, "kept": kept, "sentences": sentences}


def _line_flags(view, ctx, rule: str) -> np.ndarray:
    m = line_masks(view)
    return {"c4.lorem_ipsum": m["lorem"], "c4.curly_bracket": m["curly"], "c4.min_sentences": ~m["kept"]}[rule]


def measure(view, ctx) -> dict:
    m = line_masks(view)
    lines = view.splitlines
    return {
        "c4.lorem_ipsum": lines.per_doc(m["lorem"]),
        "c4.curly_bracket": lines.per_doc(m["curly"]),
        "c4.min_sentences": lines.per_doc(m["sentences"]),
    }


FAMILY = Family("c4", RULES, measure, _line_flags)
