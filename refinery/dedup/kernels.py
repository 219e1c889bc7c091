"""Compiled (numba) kernels for shingles and MinHash, straight over Arrow's UTF-8 buffer.

They compute exactly what ``refinery.dedup.shingles`` defines (a test holds them equal
to the NumPy reference bit for bit) but in one pass per document with no intermediate
arrays: decode UTF-8 → lower-case and class by table → token hash → shingle hash →
the ``num_perm`` multiply-shift hashes, whose inner loop over permutations LLVM vectorises.
"""
from __future__ import annotations

import numpy as np
from numba import njit

U64 = np.uint64
_P_TOKEN = U64(0x100000001B3)
_P_SHINGLE = U64(0x9E3779B97F4A7C15)
_M1 = U64(0xFF51AFD7ED558CCD)
_M2 = U64(0xC4CEB9FE1A85EC53)
_S33 = U64(33)
_EMPTY = np.uint32(0xFFFFFFFF)
_S32 = U64(32)


@njit(cache=True, inline="always")
def _fmix64(x):
    x ^= x >> _S33
    x *= _M1
    x ^= x >> _S33
    x *= _M2
    x ^= x >> _S33
    return x


@njit(cache=True, inline="always")
def _decode(data, i):
    """(code point, index of the next character) of the UTF-8 sequence at ``i``."""
    b0 = np.int64(data[i])
    if b0 < 0x80:
        return b0, i + 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F), i + 2
    if b0 < 0xF0:
        return ((b0 & 0x0F) << 12) | ((np.int64(data[i + 1]) & 0x3F) << 6) | (np.int64(data[i + 2]) & 0x3F), i + 3
    return (
        ((b0 & 0x07) << 18)
        | ((np.int64(data[i + 1]) & 0x3F) << 12)
        | ((np.int64(data[i + 2]) & 0x3F) << 6)
        | (np.int64(data[i + 3]) & 0x3F)
    ), i + 4


@njit(cache=True)
def _doc_shingles(data, start, end, lower, klass, word_ngram, char_ngram, cjk_ratio, tokens, out):
    """Write one document's shingle hashes to ``out``; return (count, is_cjk)."""
    words = 0
    cjk = 0
    i = start
    while i < end:
        cp, i = _decode(data, i)
        k = klass[cp]
        if k > 0:
            words += 1
            if k == 2:
                cjk += 1
    is_cjk = cjk > 0 and np.float64(cjk) >= cjk_ratio * np.float64(words)

    n_tok = 0
    h = U64(0)
    in_token = False
    i = start
    while i < end:
        cp, i = _decode(data, i)
        if klass[cp] > 0:
            if is_cjk:
                tokens[n_tok] = _fmix64(U64(lower[cp]) + U64(1))
                n_tok += 1
            else:
                h = h * _P_TOKEN + (U64(lower[cp]) + U64(1))
                in_token = True
        elif in_token:
            tokens[n_tok] = _fmix64(h)
            n_tok += 1
            h = U64(0)
            in_token = False
    if in_token:
        tokens[n_tok] = _fmix64(h)
        n_tok += 1

    n = char_ngram if is_cjk else word_ngram
    if n_tok == 0:
        return 0, is_cjk
    width = min(n, n_tok)
    count = n_tok - width + 1
    for s in range(count):
        hs = U64(0)
        for j in range(width):
            hs = hs * _P_SHINGLE + tokens[s + j]
        out[s] = _fmix64(hs)
    return count, is_cjk


@njit(cache=True)
def shingle_hashes(data, offsets, lower, klass, word_ngram, char_ngram, cjk_ratio):
    """All shingle hashes of a batch (uint64), per-document offsets, is_cjk per document."""
    n_docs = len(offsets) - 1
    max_len = 1
    total = 0
    for d in range(n_docs):
        length = offsets[d + 1] - offsets[d]
        total += length
        max_len = max(max_len, length)
    tokens = np.empty(max_len + 1, dtype=np.uint64)
    out = np.empty(total + 1, dtype=np.uint64)
    doc_offsets = np.zeros(n_docs + 1, dtype=np.int64)
    is_cjk = np.zeros(n_docs, dtype=np.bool_)
    pos = 0
    for d in range(n_docs):
        count, cjk = _doc_shingles(data, offsets[d], offsets[d + 1], lower, klass, word_ngram, char_ngram,
                                   cjk_ratio, tokens, out[pos:])
        pos += count
        doc_offsets[d + 1] = pos
        is_cjk[d] = cjk
    return out[:pos].copy(), doc_offsets, is_cjk


@njit(cache=True)
def _min_hash_into(shingles, count, a, b, row):
    """row[i] = min over shingles of ((a[i] * x + b[i]) mod 2^64) >> 32, x = top 32 bits.

    Written with ``min`` (no branch) so LLVM vectorises the loop over permutations.
    """
    k = len(a)
    for s in range(count):
        x = shingles[s] >> _S32
        for i in range(k):
            row[i] = min(row[i], np.uint32((a[i] * x + b[i]) >> _S32))


@njit(cache=True)
def minhash_signatures(data, offsets, lower, klass, word_ngram, char_ngram, cjk_ratio, a, b):
    """(signatures uint32 [n_docs, num_perm], shingle counts int32, is_cjk) of a batch."""
    n_docs = len(offsets) - 1
    k = len(a)
    max_len = 1
    for d in range(n_docs):
        max_len = max(max_len, offsets[d + 1] - offsets[d])
    tokens = np.empty(max_len + 1, dtype=np.uint64)
    scratch = np.empty(max_len + 1, dtype=np.uint64)
    sig = np.empty((n_docs, k), dtype=np.uint32)
    counts = np.zeros(n_docs, dtype=np.int32)
    is_cjk = np.zeros(n_docs, dtype=np.bool_)
    for d in range(n_docs):
        count, cjk = _doc_shingles(data, offsets[d], offsets[d + 1], lower, klass, word_ngram, char_ngram,
                                   cjk_ratio, tokens, scratch)
        row = sig[d]
        row[:] = _EMPTY
        _min_hash_into(scratch, count, a, b, row)
        counts[d] = count
        is_cjk[d] = cjk
    return sig, counts, is_cjk
