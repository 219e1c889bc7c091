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

A regex pass costs a scan of the whole column even where it changes nothing, and on extracted
pages rules 2–5 almost never match. So one scan finds the rows where any of rules 2–5 can match
and only those go through them; then one scan finds the rows where 6–8 can match, and only
those go through 6–8. A row no pattern of a group matches is unchanged by that group's passes,
and a row that matches goes through every pass of the group in order, so the result is the
same as running every pass on every row (tests/ingest/test_normalize.py checks that).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Horizontal white space: ASCII space and tab, NBSP, the U+2000 spaces, narrow NBSP,
# medium mathematical space, ideographic space.
_HSPACE = " \\t\\x{00A0}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}"

_ANSI = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)

# Rules 2-5: characters extracted pages rarely hold.
_RARE: tuple[tuple[str, str], ...] = (
    (_ANSI, ""),
    (r"\r\n?|[\x0b\x0c\x{2028}\x{2029}]", "\n"),
    (r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", ""),
    (r"[\x{200B}\x{2060}\x{FEFF}]", ""),
)
# Rules 6-8: white space runs, which most pages hold somewhere.
_SPACING: tuple[tuple[str, str], ...] = (
    (f"([^\\n{_HSPACE}])[{_HSPACE}]{{2,}}", r"\1 "),
    (f"[{_HSPACE}]+(\\n|$)", r"\1"),
    (r"\n{3,}", "\n\n"),
)
_RULES = _RARE + _SPACING


def _any_of(rules: tuple[tuple[str, str], ...]) -> str:
    """One pattern that matches where any rule's pattern does (the capture groups made inert)."""
    return "|".join(f"(?:{pattern})" for pattern, _ in rules)


_RARE_ANY, _SPACING_ANY = _any_of(_RARE), _any_of(_SPACING)


def _apply_where_needed(texts: pa.Array, rules: tuple[tuple[str, str], ...], any_pattern: str) -> pa.Array:
    """``rules`` in order on the rows ``any_pattern`` matches; the other rows as they are."""
    needed = pc.fill_null(pc.match_substring_regex(texts, pattern=any_pattern), False)
    count = pc.sum(needed).as_py() or 0
    if count == 0:
        return texts
    part = texts.filter(needed) if count < len(texts) else texts
    for pattern, replacement in rules:
        part = pc.replace_substring_regex(part, pattern=pattern, replacement=replacement)
    return part if count == len(texts) else pc.replace_with_mask(texts, needed, part)


def normalize_text(texts: pa.Array | pa.ChunkedArray, nfkc: bool = False) -> pa.Array:
    """Normalised copy of a string column (see the module docstring for the rules)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if nfkc:
        texts = pc.utf8_normalize(texts, "NFKC")
    texts = _apply_where_needed(texts, _RARE, _RARE_ANY)
    texts = _apply_where_needed(texts, _SPACING, _SPACING_ANY)
    return pc.utf8_trim_whitespace(texts)
