"""Whitespace and control-character normalisation of extracted text, one Arrow column at a time.

Every rule is one ``pyarrow.compute`` regex pass (RE2) over the whole column, so a batch
never becomes Python strings. In order:

1. optional NFKC (first, so that the rules below see e.g. U+3000 already as a space);
2. ANSI escape sequences removed (CSI ``ESC [ ... m`` colours, OSC titles, 2-byte escapes);
3. ``\\r\\n`` and ``\\r`` → ``\\n``; vertical tab, form feed, U+2028, U+2029 → ``\\n``;
4. control characters removed (C0 except ``\\n``/``\\t``, DEL, C1);
5. invisible characters removed: U+200B zero-width space, U+2060 word joiner, U+FEFF.
   U+200C/U+200D (ZWNJ/ZWJ) are kept on purpose: they are spelling in Persian and Indic
   scripts and glue emoji sequences, so removing them changes the text;
6. a run of 2+ horizontal spaces inside a line becomes one space; leading indentation is
   kept (code and poetry need it), a single space or tab is left alone;
7. trailing horizontal space at the end of each line removed;
8. 3+ newlines → exactly 2 (paragraph breaks survive, empty runs do not);
9. whitespace trimmed at both ends of the text (this includes indentation of line one).

U+FFFD is kept: how many replacement characters a document has is a quality signal that a
later rule measures. Nulls stay null.

Rules 2–5 (almost never needed on extracted pages) and 6–8 are two ``RewritePasses`` groups:
each group runs only on the rows one combined scan says it can change, with the same result as
every pass on every row (tests/ingest/test_normalize.py checks that).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from refinery.regex_passes import RewritePasses

# Horizontal white space: ASCII space and tab, NBSP, the U+2000 spaces, narrow NBSP,
# medium mathematical space, ideographic space.
_HSPACE = " \\t\\x{00A0}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}"

_ANSI = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)

# Rules 2-5: characters extracted pages rarely hold.
_RARE = RewritePasses((
    (_ANSI, ""),
    (r"\r\n?|[\x0b\x0c\x{2028}\x{2029}]", "\n"),
    (r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", ""),
    (r"[\x{200B}\x{2060}\x{FEFF}]", ""),
))
# Rules 6-8: white space runs, which most pages hold somewhere.
_SPACING = RewritePasses((
    (f"([^\\n{_HSPACE}])[{_HSPACE}]{{2,}}", r"\1 "),
    (f"[{_HSPACE}]+(\\n|$)", r"\1"),
    (r"\n{3,}", "\n\n"),
))
_RULES = _RARE.rules + _SPACING.rules


def normalize_text(texts: pa.Array | pa.ChunkedArray, nfkc: bool = False) -> pa.Array:
    """Normalised copy of a string column (see the module docstring for the rules)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if nfkc:
        texts = pc.utf8_normalize(texts, "NFKC")
    texts = _SPACING.apply(_RARE.apply(texts))
    return pc.utf8_trim_whitespace(texts)
