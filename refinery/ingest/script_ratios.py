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

How: the four classes are the RE2 patterns below, evaluated once per process over every code
point into a lookup table (0.3 s); a batch is then decoded from its UTF-8 buffer with numpy
and counted per row with ``np.add.reduceat``, one pass instead of four regex scans. The four RE2
``count_substring_regex`` scans this replaced took half of the ingest job's time per page
(BENCHMARKS.md, session 25); ``tests/ingest/test_script_ratios.py`` checks the counts
against those scans.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WHITESPACE = r"[\t-\r\x1c-\x1f\x{85}\p{Z}]"
CJK = (
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\x{30FB}\x{30FC}\x{3001}-\x{303F}"
    r"\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF20}\x{FF3B}-\x{FF40}\x{FF5B}-\x{FF65}]"
)
LATIN = r"\p{Latin}"
DIGIT = r"\p{Nd}"


_CLASSES = (("whitespace", WHITESPACE), ("cjk", CJK), ("latin", LATIN), ("digit", DIGIT))
_TABLE: np.ndarray | None = None
_CONTINUATION = np.uint8(0x80)  # class "byte" of a UTF-8 continuation byte: no class bit, not a character


def class_table() -> np.ndarray:
    """uint8 per code point (0..0x10FFFF): bit k set when the code point matches ``_CLASSES[k]``,
    as RE2 (the engine of the definitions) decides. Surrogates, never in valid UTF-8, are 0."""
    global _TABLE
    if _TABLE is None:
        cps = np.concatenate([np.arange(0, 0xD800), np.arange(0xE000, 0x110000)]).astype(np.uint32)
        data = cps.astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")
        width = 1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000)
        offsets = np.concatenate([[0], np.cumsum(width)]).astype(np.int32)
        one_each = pa.StringArray.from_buffers(len(cps), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))
        table = np.zeros(0x110000, np.uint8)
        for bit, (_, pattern) in enumerate(_CLASSES):
            hit = pc.match_substring_regex(one_each, pattern).to_numpy(zero_copy_only=False)
            table[cps[hit]] |= np.uint8(1 << bit)
        _TABLE = table
    return _TABLE


def _ascii_bits() -> np.ndarray:
    """Class per byte value: an ASCII byte's own class, continuation bytes 0x80..0xBF the
    continuation marker, lead bytes 0 (their character's class is filled in after decoding)."""
    out = np.zeros(256, np.uint8)
    out[:0x80] = class_table()[:0x80]
    out[0x80:0xC0] = _CONTINUATION
    return out


def class_bytes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(class bits per byte, row offsets) of a non-null string array, read from its UTF-8
    buffer (Arrow strings are valid UTF-8): an ASCII byte takes its own class, the lead byte
    of a multi-byte character the class of the decoded code point, a continuation byte the
    ``_CONTINUATION`` marker, so each character counts once in the row its bytes lie in. Only non-ASCII lead bytes
    are decoded; most of a crawl is ASCII."""
    texts = pc.cast(texts, pa.large_string())
    offsets = np.frombuffer(texts.buffers()[1], np.int64, count=len(texts) + 1, offset=texts.offset * 8)
    start, stop = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(texts.buffers()[2], np.uint8)[start:stop] if stop > start else np.zeros(0, np.uint8)
    table = class_table()
    cls = _ascii_bits()[data]
    lead = np.flatnonzero(data >= 0xC0)
    if len(lead):
        padded = np.concatenate([data, np.zeros(3, np.uint8)])
        b0 = padded[lead].astype(np.uint32)
        b1, b2, b3 = (padded[lead + k].astype(np.uint32) & 0x3F for k in (1, 2, 3))
        cp = np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | b1,
                      np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
                               ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3))
        cls[lead] = table[cp]
    return cls, offsets - start


def _ratio(count: np.ndarray, total: np.ndarray) -> pa.Array:
    return pa.array((count / np.maximum(total, 1)).astype(np.float32))  # count is 0 whenever total is 0


def script_ratios(texts: pa.Array | pa.ChunkedArray | list[str]) -> dict[str, pa.Array]:
    """``char_count`` (int64) and ``cjk_ratio``/``latin_ratio``/``digit_ratio`` (float32)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    elif not isinstance(texts, pa.Array):
        texts = pa.array(texts, type=pa.string())
    texts = pc.fill_null(texts, "")
    cls, offsets = class_bytes(texts)
    starts, empty = offsets[:-1], offsets[1:] == offsets[:-1]
    inside = int(np.searchsorted(starts, len(cls)))  # rows after it are empty and at the end

    def per_row(flags: np.ndarray) -> np.ndarray:  # count of set flags between consecutive offsets
        out = np.zeros(len(starts), np.int64)
        if inside:
            # Summing the flags as uint8 into int32 is ~8x faster than bool into int64 (numpy's
            # bool->int64 cast is a slow buffered loop); a row holds far fewer than 2**31 bytes.
            out[:inside] = np.add.reduceat(flags.view(np.uint8), starts[:inside], dtype=np.int32)
        out[empty] = 0  # reduceat gives an empty row the element at its start
        return out

    counts = {name: per_row((cls & (1 << bit)) != 0) for bit, (name, _) in enumerate(_CLASSES)}
    characters = per_row(cls != _CONTINUATION)
    char_count = characters - counts["whitespace"]
    return {
        "char_count": pa.array(char_count.astype(np.int64)),
        "cjk_ratio": _ratio(counts["cjk"], char_count),
        "latin_ratio": _ratio(counts["latin"], char_count),
        "digit_ratio": _ratio(counts["digit"], char_count),
    }
