"""Compiled (numba) kernels for shingles and MinHash, straight over Arrow's UTF-8 buffer.

They compute exactly what ``refinery.dedup.shingles`` and ``refinery.dedup.minhash``
define (a test holds them equal to the NumPy references bit for bit) in one pass per
document with no intermediate arrays: decode UTF-8 → lower-case and class by table →
token hash → rolling shingle hash → one hash per shingle into its bin (one-permutation
hashing) → densification of the empty bins.
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
_LOW32 = U64(0xFFFFFFFF)
MODE_CHAR, MODE_WORD = 0, 1


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
def _tokens(data, start, end, lower, klass, mode, cjk_ratio, tokens):
    """Write one document's token hashes to ``tokens``; return (count, is_cjk)."""
    words = 0
    cjk = 0
    n_tok = 0
    if mode == MODE_CHAR:  # one pass: every non-space character is a token
        i = start
        while i < end:
            cp, i = _decode(data, i)
            k = klass[cp]
            if k != 0:
                tokens[n_tok] = _fmix64(U64(lower[cp]) + U64(1))
                n_tok += 1
                if k == 1:
                    words += 1
                elif k == 2:
                    words += 1
                    cjk += 1
        return n_tok, cjk > 0 and np.float64(cjk) >= cjk_ratio * np.float64(words)

    i = start
    while i < end:
        cp, i = _decode(data, i)
        k = klass[cp]
        if k == 1 or k == 2:
            words += 1
            if k == 2:
                cjk += 1
    is_cjk = cjk > 0 and np.float64(cjk) >= cjk_ratio * np.float64(words)
    h = U64(0)
    in_token = False
    i = start
    while i < end:
        cp, i = _decode(data, i)
        k = klass[cp]
        if k == 1 or k == 2:
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
    return n_tok, is_cjk


@njit(cache=True)
def _doc_shingles(data, start, end, lower, klass, mode, word_ngram, char_ngram, cjk_ratio, tokens, out):
    """Write one document's shingle hashes to ``out``; return (count, is_cjk)."""
    n_tok, is_cjk = _tokens(data, start, end, lower, klass, mode, cjk_ratio, tokens)
    if n_tok == 0:
        return 0, is_cjk
    n = char_ngram if (is_cjk or mode == MODE_CHAR) else word_ngram
    width = min(n, n_tok)
    # rolling Horner hash: H(s+1) = (H(s) - t[s] * R^(w-1)) * R + t[s+w]  (mod 2^64)
    top = U64(1)
    hs = U64(0)
    for j in range(width):
        hs = hs * _P_SHINGLE + tokens[j]
        if j > 0:
            top *= _P_SHINGLE
    out[0] = _fmix64(hs)
    count = n_tok - width + 1
    for s in range(1, count):
        hs = (hs - tokens[s - 1] * top) * _P_SHINGLE + tokens[s + width - 1]
        out[s] = _fmix64(hs)
    return count, is_cjk


@njit(cache=True)
def shingle_hashes(data, offsets, lower, klass, mode, word_ngram, char_ngram, cjk_ratio):
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
        count, cjk = _doc_shingles(data, offsets[d], offsets[d + 1], lower, klass, mode, word_ngram, char_ngram,
                                   cjk_ratio, tokens, out[pos:])
        pos += count
        doc_offsets[d + 1] = pos
        is_cjk[d] = cjk
    return out[:pos].copy(), doc_offsets, is_cjk


@njit(cache=True, inline="always")
def _bin(x, k):
    """Lemire's range reduction of the top 32 bits of ``x`` to [0, k)."""
    return np.int64(((x >> _S32) * U64(k)) >> _S32)


@njit(cache=True)
def _one_permutation(shingles, count, key, dense_key, attempts, row, filled):
    """One-permutation MinHash of ``count`` shingle hashes into ``row`` (see minhash.py)."""
    k = len(row)
    row[:] = _EMPTY
    filled[:] = False
    any_filled = False
    for s in range(count):
        h = _fmix64(shingles[s] ^ key)
        b = _bin(h, k)
        v = np.uint32(h & _LOW32)
        filled[b] = True
        if v < row[b]:
            row[b] = v
        any_filled = True
    if not any_filled:
        return
    for i in range(k):
        if filled[i]:
            continue
        src = -1
        for t in range(attempts):
            j = _bin(_fmix64(dense_key ^ ((U64(i) << _S32) | U64(t))), k)
            if filled[j]:
                src = j
                break
        if src < 0:  # rare: the next filled bin after i, cyclically
            j = (i + 1) % k
            while not filled[j]:
                j = (j + 1) % k
            src = j
        row[i] = row[src]


@njit(cache=True)
def signatures_from_hashes(hashes, doc_offsets, num_perm, key, dense_key, attempts):
    n_docs = len(doc_offsets) - 1
    sig = np.empty((n_docs, num_perm), dtype=np.uint32)
    filled = np.empty(num_perm, dtype=np.bool_)
    for d in range(n_docs):
        lo = doc_offsets[d]
        _one_permutation(hashes[lo:], doc_offsets[d + 1] - lo, key, dense_key, attempts, sig[d], filled)
    return sig


@njit(cache=True)
def minhash_signatures(data, offsets, lower, klass, mode, word_ngram, char_ngram, cjk_ratio, num_perm, key,
                       dense_key, attempts):
    """(signatures uint32 [n_docs, num_perm], shingle counts int32, is_cjk) of a batch."""
    n_docs = len(offsets) - 1
    max_len = 1
    for d in range(n_docs):
        max_len = max(max_len, offsets[d + 1] - offsets[d])
    tokens = np.empty(max_len + 1, dtype=np.uint64)
    scratch = np.empty(max_len + 1, dtype=np.uint64)
    filled = np.empty(num_perm, dtype=np.bool_)
    sig = np.empty((n_docs, num_perm), dtype=np.uint32)
    counts = np.zeros(n_docs, dtype=np.int32)
    is_cjk = np.zeros(n_docs, dtype=np.bool_)
    for d in range(n_docs):
        count, cjk = _doc_shingles(data, offsets[d], offsets[d + 1], lower, klass, mode, word_ngram, char_ngram,
                                   cjk_ratio, tokens, scratch)
        _one_permutation(scratch, count, key, dense_key, attempts, sig[d], filled)
        counts[d] = count
        is_cjk[d] = cjk
    return sig, counts, is_cjk


@njit(cache=True)
def exact_jaccard(hashes_a, offsets_a, hashes_b, offsets_b):
    """Jaccard of the distinct-hash sets of row i of A and row i of B: both rows sorted, then one
    merge counts |A|, |B| and |A ∩ B| (a sort per row, where a batch-wide lexsort of all
    rows' hashes took seconds for a thousand pairs)."""
    n = len(offsets_a) - 1
    out = np.zeros(n, dtype=np.float64)
    for r in range(n):
        a = np.sort(hashes_a[offsets_a[r] : offsets_a[r + 1]])
        b = np.sort(hashes_b[offsets_b[r] : offsets_b[r + 1]])
        i = j = 0
        size_a = size_b = inter = 0
        while i < len(a) or j < len(b):
            if j == len(b) or (i < len(a) and a[i] < b[j]):
                x = a[i]
                size_a += 1
            elif i == len(a) or b[j] < a[i]:
                x = b[j]
                size_b += 1
            else:
                x = a[i]
                size_a += 1
                size_b += 1
                inter += 1
            while i < len(a) and a[i] == x:
                i += 1
            while j < len(b) and b[j] == x:
                j += 1
        union = size_a + size_b - inter
        if union > 0:
            out[r] = inter / union
    return out
