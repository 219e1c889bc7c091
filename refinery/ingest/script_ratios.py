"""Share of CJK, Latin and digit characters per text, for language routing and the
Chinese/English heuristic rules (``zh.cjk_ratio`` and friends).

All counts are code points, computed with one RE2 ``count_substring_regex`` pass per
class over the whole column. Definitions (the denominators and numerators must agree, so
they are written down exactly):

* ``char_count`` — non-whitespace characters: all code points minus those for which
  Python's ``str.isspace()`` is true (``\\t``..``\\r``, U+001C..U+001F, U+0085 and the
  Unicode separators ``\\p{Z}``, which include NBSP and the ideographic space U+3000);
* ``cjk_ratio`` — Han ideographs, Hiragana, Katakana (with the prolonged-sound mark and
  middle dot U+30FB/U+30FC, which Unicode files under "Common"), Hangul, CJK symbols and
  punctuation U+3001..U+303F (。、「」《》…) and the fullwidth/halfwidth punctuation of
  the U+FF00 block (，！？：；（）). Fullwidth letters count as Latin, fullwidth digits
  as digits, never twice;
* ``latin_ratio`` — letters of the Latin script (``\\p{Latin}``: a-z, é, ß, ...);
  digits and ASCII punctuation are script "Common" and are not Latin;
* ``digit_ratio`` — decimal digits of any script (``\\p{Nd}``: 0-9, ０-９, ٠-٩, ...).

Ratios are float32 ``count / char_count``, 0.0 when ``char_count`` is 0; a null text
counts as the empty text.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

WHITESPACE = r"[\t-\r\x1c-\x1f\x{85}\p{Z}]"
CJK = (
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\x{30FB}\x{30FC}\x{3001}-\x{303F}"
    r"\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF20}\x{FF3B}-\x{FF40}\x{FF5B}-\x{FF65}]"
)
LATIN = r"\p{Latin}"
DIGIT = r"\p{Nd}"


def _count(texts: pa.Array, pattern: str) -> pa.Array:
    return pc.cast(pc.count_substring_regex(texts, pattern=pattern), pa.int64())


def _ratio(count: pa.Array, total: pa.Array) -> pa.Array:
    ratio = pc.divide(pc.cast(count, pa.float64()), pc.max_element_wise(total, 1))
    return pc.cast(ratio, pa.float32())  # count is 0 whenever total is 0, so the ratio is 0


def script_ratios(texts: pa.Array | pa.ChunkedArray | list[str]) -> dict[str, pa.Array]:
    """``char_count`` (int64) and ``cjk_ratio``/``latin_ratio``/``digit_ratio`` (float32)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    elif not isinstance(texts, pa.Array):
        texts = pa.array(texts, type=pa.string())
    texts = pc.fill_null(texts, "")
    char_count = pc.subtract(
        pc.cast(pc.utf8_length(texts), pa.int64()), _count(texts, WHITESPACE)
    )
    return {
        "char_count": char_count,
        "cjk_ratio": _ratio(_count(texts, CJK), char_count),
        "latin_ratio": _ratio(_count(texts, LATIN), char_count),
        "digit_ratio": _ratio(_count(texts, DIGIT), char_count),
    }
