"""Shingles of a document as 64-bit hashes: the definition, and its NumPy reference.

The definition (``refinery.dedup.kernels`` computes the same numbers, compiled; a test
holds the two equal bit for bit):

1. Text is read as Unicode code points; each is lower-cased (Python's ``str.lower`` when
   that gives one code point) and classed as *whitespace* (``str.isspace()``), a *word
   character* (``str.isalnum()``: letters and digits of every script, CJK ideographs
   included; CJK ones — Han, kana, Hangul — apart) or *other* (punctuation, symbols).
2. A document is *CJK* when CJK code points make at least ``cjk_ratio`` of its word
   characters (reported per document; in ``word`` mode it also picks the tokens).
3. Tokens, by ``mode``:

   * ``char`` (the default): every non-whitespace character is a token, so shingles are
     character ``char_ngram``-grams of the text with whitespace removed. Punctuation and
     operators count, indentation and line breaks do not: a few changed characters change
     only ~``char_ngram`` shingles each, in code as in prose, and a document that mixes
     Chinese and English shingles one way whatever its mix (BENCHMARKS.md, "shingling").
   * ``word``: CJK documents' tokens are single word characters (character n-grams of
     ``char_ngram``), other documents' tokens maximal runs of word characters (word
     ``word_ngram``-grams, as FineWeb/datatrove's MinHash); everything else is dropped,
     so "Hello, World!" and "hello world" shingle the same.
4. Token hash: ``fmix64(h)`` with ``h = h * P + (code point + 1)`` over its code points
   (mod 2^64); ``fmix64`` is MurmurHash3's 64-bit finaliser.
5. Shingle hash of ``n`` consecutive tokens (fewer when the document has fewer than
   ``n``: one shingle of all its tokens, as datasketch/datatrove users do): ``fmix64(H)``
   with ``H = H * R + token hash`` (mod 2^64). A document without tokens has no shingles.

The NumPy version vectorises over a whole batch (one UTF-32 encode of the joined texts,
prefix sums with modular inverse powers for the polynomial hashes). It is the readable
reference and the fallback when numba is missing; it runs at a few MB/s.
"""
from __future__ import annotations

import functools
import os
import sys
import unicodedata

import numpy as np

MASK64 = (1 << 64) - 1
TOKEN_BASE = 0x100000001B3  # FNV-64 prime; odd, so invertible mod 2^64
SHINGLE_BASE = 0x9E3779B97F4A7C15  # 2^64 / golden ratio, odd
SPACE, WORD, CJK_WORD, OTHER = 0, 1, 2, 3
MODES = ("char", "word")


CJK_RANGES = [
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x20000, 0x3FFFF),  # CJK Extensions B..
]
PLANES_WITH_LETTERS = 0x40000  # planes 0-3; code points above are never word characters


@functools.lru_cache(maxsize=1)
def char_tables() -> tuple[np.ndarray, np.ndarray]:
    """(lower: int32[0x110000], char class: uint8[0x110000]) for every code point.

    Built from Python's Unicode database (~0.5-1 s, paid by every new Spark Python worker)
    and kept in ``__pycache__`` keyed by the database's version, so later processes load it.
    """
    path = os.path.join(os.path.dirname(__file__), "__pycache__",
                        f"char_tables-{unicodedata.unidata_version}-{sys.maxunicode}.npz")
    try:
        with np.load(path) as saved:
            return saved["lower"], saved["klass"]
    except (OSError, KeyError, ValueError):
        pass
    lower, klass = build_char_tables()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp.npz"
        np.savez(tmp, lower=lower, klass=klass)
        os.replace(tmp, path)  # atomic: a concurrent worker reads the old file or the whole new one
    except OSError:  # a read-only install: build in every process
        pass
    return lower, klass


def build_char_tables() -> tuple[np.ndarray, np.ndarray]:
    """The tables from Python's Unicode database. Code points above plane 3 (tags, variation
    selectors, private use) are *other*."""
    n = PLANES_WITH_LETTERS
    chars = [chr(cp) if not 0xD800 <= cp <= 0xDFFF else " " for cp in range(n)]
    lower = np.arange(n, dtype=np.int32)
    lowered = list(map(str.lower, chars))
    for cp in np.flatnonzero(np.fromiter(map(str.__ne__, lowered, chars), dtype=bool, count=n)):
        if len(lowered[cp]) == 1:
            lower[cp] = ord(lowered[cp])
    alnum = np.fromiter(map(str.isalnum, chars), dtype=bool, count=n)
    cjk = np.zeros(n, dtype=bool)
    for lo, hi in CJK_RANGES:
        cjk[lo : hi + 1] = True
    space = np.fromiter(map(str.isspace, chars), dtype=bool, count=n)
    space[0xD800:0xE000] = False
    klass = np.where(alnum, np.where(cjk, CJK_WORD, WORD), np.where(space, SPACE, OTHER)).astype(np.uint8)
    # above plane 3: tags, variation selectors, private use -> other, lower-cased as is
    lower = np.concatenate([lower, np.arange(n, sys.maxunicode + 1, dtype=np.int32)])
    klass = np.concatenate([klass, np.full(sys.maxunicode + 1 - n, OTHER, dtype=np.uint8)])
    return lower, klass


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, elementwise on uint64 (wrapping arithmetic)."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


def _powers(base: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """base^k and base^-k mod 2^64 for k = 0..n (uint64, wrapping cumprod)."""
    inv = pow(base, -1, 1 << 64)
    fwd = np.empty(n + 1, dtype=np.uint64)
    bwd = np.empty(n + 1, dtype=np.uint64)
    fwd[0] = bwd[0] = 1
    fwd[1:] = base
    bwd[1:] = inv
    with np.errstate(over="ignore"):
        np.cumprod(fwd, out=fwd)
        np.cumprod(bwd, out=bwd)
    return fwd, bwd


def _window_hashes(values: np.ndarray, starts: np.ndarray, ends: np.ndarray, base: int) -> np.ndarray:
    """Horner hash ``sum values[k] * base^(end-1-k)`` of each window [start, end), vectorised.

    Prefix sums of ``values[k] * base^-k`` give each window's sum times ``base^-(end-1)``.
    """
    fwd, bwd = _powers(base, len(values))
    prefix = np.zeros(len(values) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(values * bwd[: len(values)], out=prefix[1:])
        return fwd[ends - 1] * (prefix[ends] - prefix[starts])


def code_points(texts) -> tuple[np.ndarray, np.ndarray]:
    """All code points of a batch (uint32) and each document's [start, end) offsets."""
    texts = ["" if t is None else t for t in texts]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return cps, offsets


def cjk_documents(klass_of_chars: np.ndarray, doc_of_char: np.ndarray, n_docs: int, cjk_ratio: float) -> np.ndarray:
    words = np.bincount(doc_of_char[(klass_of_chars == WORD) | (klass_of_chars == CJK_WORD)], minlength=n_docs)
    cjk = np.bincount(doc_of_char[klass_of_chars == CJK_WORD], minlength=n_docs)
    return (cjk > 0) & (cjk.astype(np.float64) >= cjk_ratio * words.astype(np.float64))


def shingle_hashes_numpy(texts, word_ngram: int, char_ngram: int, cjk_ratio: float, mode: str = "char"):
    """(hashes uint64, per-document offsets int64, is_cjk bool per document), by the definition above."""
    if mode not in MODES:
        raise ValueError(f"shingle mode must be one of {MODES}, not {mode!r}")
    lower, klass = char_tables()
    cps, offsets = code_points(texts)
    n_docs = len(offsets) - 1
    doc_of = np.repeat(np.arange(n_docs), np.diff(offsets))
    low = lower[cps].astype(np.uint64)
    cls = klass[cps]
    is_cjk = cjk_documents(cls, doc_of, n_docs, cjk_ratio)

    if mode == "char":
        word = cls != SPACE
        char_mode = np.ones(len(cps), dtype=bool)
    else:
        word = (cls == WORD) | (cls == CJK_WORD)
        char_mode = is_cjk[doc_of]
    doc_start = np.zeros(len(cps), dtype=bool)
    doc_start[offsets[:-1][np.diff(offsets) > 0]] = True
    prev_word = np.r_[False, word[:-1]]
    start = word & (char_mode | ~prev_word | doc_start)
    boundary = np.r_[~word | start | doc_start, True]
    tok_start = np.flatnonzero(start)
    bpos = np.flatnonzero(boundary)
    tok_end = bpos[np.searchsorted(bpos, tok_start, side="right")]
    tokens = fmix64(_window_hashes(low + np.uint64(1), tok_start, tok_end, TOKEN_BASE))

    # shingles: windows of n tokens inside one document (one shorter window for short docs)
    tok_doc = doc_of[tok_start]
    counts = np.bincount(tok_doc, minlength=n_docs)
    first = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    n = np.where(is_cjk | (mode == "char"), char_ngram, word_ngram)
    per_doc = np.where(counts >= n, counts - n + 1, np.minimum(counts, 1))
    out_offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(per_doc, out=out_offsets[1:])
    shingle_doc = np.repeat(np.arange(n_docs), per_doc)
    win_start = first[shingle_doc] + (np.arange(out_offsets[-1]) - out_offsets[shingle_doc])
    win_len = np.minimum(n[shingle_doc], counts[shingle_doc])
    hashes = fmix64(_window_hashes(tokens, win_start, win_start + win_len, SHINGLE_BASE))
    return hashes, out_offsets, is_cjk
