"""MinHash signatures of Arrow string columns: one-permutation hashing, densified.

Hash family (seeded, documented). Each shingle's 64-bit hash ``s`` is mixed once with the
family's key, ``h = fmix64(s XOR key)``; its top 32 bits pick one of ``num_perm`` bins
(Lemire's multiply-shift range reduction) and its low 32 bits are its value there. A
signature holds the minimum value per bin — *one-permutation hashing* (Li, Owen & Zhang,
NIPS 2012): one hash per shingle instead of ``num_perm``, which is what makes character
n-grams affordable (~1 shingle per character). Bins no shingle fell into are filled by
*optimal densification* (Shrivastava, ICML 2017): empty bin ``i`` copies the value of bin
``j_t(i)`` for the first ``t`` = 0, 1, … whose bin is filled, ``j_t(i)`` a hash of
``(i, t)`` under a second key shared by every document, so two documents still agree in
a position with probability equal to their Jaccard similarity. After ``DENSIFY_ATTEMPTS``
misses (probability < e^-8 per bin even for a one-shingle document) the next filled bin
after ``i`` is taken. Keys come from NumPy's PCG64 seeded with ``seed``. A document without
shingles has every value 2^32 - 1.

The Jaccard estimate is the share of equal positions (Broder 1997); tests hold it to
exact Jaccard and to datasketch's estimates on the same shingle sets, and the compiled
kernel to the NumPy reference here bit for bit.
"""
from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pyarrow as pa

from refinery.dedup import shingles as ref

EMPTY = 0xFFFFFFFF
log = logging.getLogger(__name__)

try:  # the compiled kernels; the NumPy reference runs where numba is missing
    from refinery.dedup import kernels
except ImportError:  # pragma: no cover - numba is a dependency, this is the escape hatch
    kernels = None
    log.warning("numba not importable: MinHash falls back to the NumPy reference (~20x slower)")


DENSIFY_ATTEMPTS = 8 * 128


@dataclasses.dataclass(frozen=True)
class ShingleSpec:
    """How text becomes shingles (see ``refinery.dedup.shingles``)."""

    word_ngram: int = 5
    char_ngram: int = 7
    cjk_ratio: float = 0.3
    mode: str = "char"  # "char": character n-grams of every text; "word": word n-grams, CJK by character

    def __post_init__(self):
        if self.mode not in ref.MODES:
            raise ValueError(f"shingle mode must be one of {ref.MODES}, not {self.mode!r}")

    @property
    def mode_id(self) -> int:
        return ref.MODES.index(self.mode)  # what the kernels take: 0 char, 1 word


@dataclasses.dataclass(frozen=True)
class HashFamily:
    num_perm: int = 128
    seed: int = 1

    def keys(self) -> tuple[np.uint64, np.uint64]:
        """(shingle key, densification key)."""
        rng = np.random.Generator(np.random.PCG64(self.seed))
        key, dense_key = rng.integers(0, 1 << 64, size=2, dtype=np.uint64, endpoint=False)
        return np.uint64(key), np.uint64(dense_key)


def _utf8_buffers(texts) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes, int64 offsets) of a string column without copying the text."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not isinstance(texts, pa.Array):
        texts = pa.array(list(texts), type=pa.string())
    if pa.types.is_large_string(texts.type):
        off_type = np.int64
    else:
        texts = texts.cast(pa.string())
        off_type = np.int32
    texts = texts.fill_null("") if texts.null_count else texts
    buffers = texts.buffers()
    offsets = np.frombuffer(buffers[1], dtype=off_type)[texts.offset : texts.offset + len(texts) + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(1, dtype=np.uint8)
    return data, offsets


def shingle_hashes(texts, spec: ShingleSpec = ShingleSpec(), use_kernel: bool = True):
    """(hashes uint64, per-document offsets int64, is_cjk bool) of a string column."""
    if use_kernel and kernels is not None:
        lower, klass = ref.char_tables()
        data, offsets = _utf8_buffers(texts)
        return kernels.shingle_hashes(data, offsets, lower, klass, spec.mode_id, spec.word_ngram, spec.char_ngram,
                                      spec.cjk_ratio)
    return ref.shingle_hashes_numpy(_as_list(texts), spec.word_ngram, spec.char_ngram, spec.cjk_ratio, spec.mode)


def _as_list(texts):
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        return texts.to_pylist()
    return list(texts)


def _bins(h: np.ndarray, k: int) -> np.ndarray:
    return ((h >> np.uint64(32)) * np.uint64(k) >> np.uint64(32)).astype(np.int64)


def signatures_from_hashes(hashes: np.ndarray, doc_offsets: np.ndarray, family: HashFamily = HashFamily(),
                           use_kernel: bool = False) -> np.ndarray:
    """uint32 [n_docs, num_perm] signatures of given shingle hashes; NumPy (the reference) by default."""
    key, dense_key = family.keys()
    k, n_docs = family.num_perm, len(doc_offsets) - 1
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    doc_offsets = np.asarray(doc_offsets, dtype=np.int64)
    if use_kernel and kernels is not None:
        return kernels.signatures_from_hashes(hashes, doc_offsets, k, key, dense_key, DENSIFY_ATTEMPTS)
    h = ref.fmix64(hashes ^ key)
    flat = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(doc_offsets)) * k + _bins(h, k)
    sig = np.full(n_docs * k, EMPTY, dtype=np.uint32)
    np.minimum.at(sig, flat, (h & np.uint64(EMPTY)).astype(np.uint32))
    filled = np.zeros(n_docs * k, dtype=bool)
    filled[flat] = True
    sig, filled = sig.reshape(n_docs, k), filled.reshape(n_docs, k)
    doc, empty = np.nonzero(~filled & filled.any(axis=1)[:, None])
    src = np.full(len(doc), -1, dtype=np.int64)
    pending = np.arange(len(doc))
    for t in range(DENSIFY_ATTEMPTS):
        if not len(pending):
            break
        j = _bins(ref.fmix64(dense_key ^ ((empty[pending].astype(np.uint64) << np.uint64(32)) | np.uint64(t))), k)
        hit = filled[doc[pending], j]
        src[pending[hit]] = j[hit]
        pending = pending[~hit]
    for p in pending:  # the next filled bin after the empty one, cyclically
        src[p] = (empty[p] + 1 + np.flatnonzero(np.roll(filled[doc[p]], -(empty[p] + 1)))[0]) % k
    sig[doc, empty] = sig[doc, src]
    return sig


def minhash_signatures(texts, spec: ShingleSpec = ShingleSpec(), family: HashFamily = HashFamily(),
                       use_kernel: bool = True):
    """(signatures uint32 [n, num_perm], shingle counts int32, is_cjk bool) of a string column."""
    if use_kernel and kernels is not None:
        lower, klass = ref.char_tables()
        key, dense_key = family.keys()
        data, offsets = _utf8_buffers(texts)
        return kernels.minhash_signatures(data, offsets, lower, klass, spec.mode_id, spec.word_ngram, spec.char_ngram,
                                          spec.cjk_ratio, family.num_perm, key, dense_key, DENSIFY_ATTEMPTS)
    hashes, offsets, is_cjk = shingle_hashes(texts, spec, use_kernel=False)
    return signatures_from_hashes(hashes, offsets, family), np.diff(offsets).astype(np.int32), is_cjk


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Share of equal positions per row; 0 where either document had no shingles."""
    sig_a, sig_b = np.atleast_2d(sig_a), np.atleast_2d(sig_b)
    est = (sig_a == sig_b).mean(axis=1)
    empty = (sig_a == EMPTY).all(axis=1) | (sig_b == EMPTY).all(axis=1)
    return np.where(empty, 0.0, est)


def signatures_to_binary(sig: np.ndarray) -> pa.Array:
    """One little-endian ``num_perm * 4``-byte value per row (what Spark stores and bands)."""
    sig = np.ascontiguousarray(sig, dtype="<u4")
    width = sig.shape[1] * 4
    offsets = np.arange(0, (len(sig) + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), len(sig), [None, pa.py_buffer(offsets), pa.py_buffer(sig.tobytes())])


def signatures_from_binary(column, num_perm: int) -> np.ndarray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    column = column.cast(pa.binary())
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(buffers[2], dtype="<u4") if len(column) else np.zeros(0, dtype="<u4")
    start = offsets[0] // 4
    if not (np.diff(offsets) == num_perm * 4).all():
        raise ValueError(f"signatures are not all {num_perm} x 4 bytes")
    return data[start : start + len(column) * num_perm].reshape(len(column), num_perm)


def _distinct_sizes(pair: np.ndarray, hashes: np.ndarray, n: int) -> np.ndarray:
    order = np.lexsort((hashes, pair))
    p, h = pair[order], hashes[order]
    first = np.ones(len(p), dtype=bool)
    first[1:] = (p[1:] != p[:-1]) | (h[1:] != h[:-1])
    return np.bincount(p[first], minlength=n)


def exact_jaccard(hashes_a, offsets_a, hashes_b, offsets_b, use_kernel: bool = True) -> np.ndarray:
    """Jaccard of the shingle-hash sets of row i of A and row i of B, for all rows at once.

    The NumPy reference: |A ∩ B| = |A| + |B| - |A ∪ B|, each a count of distinct (row, hash)
    keys; the kernel sorts and merges row by row (same numbers, ~50x faster)."""
    if use_kernel and kernels is not None:
        hashes_a, hashes_b = (np.ascontiguousarray(h, dtype=np.uint64) for h in (hashes_a, hashes_b))
        offsets_a, offsets_b = (np.ascontiguousarray(o, dtype=np.int64) for o in (offsets_a, offsets_b))
        return kernels.exact_jaccard(hashes_a, offsets_a, hashes_b, offsets_b)
    n = len(offsets_a) - 1
    pair_a = np.repeat(np.arange(n), np.diff(offsets_a))
    pair_b = np.repeat(np.arange(n), np.diff(offsets_b))
    size_a = _distinct_sizes(pair_a, hashes_a, n)
    size_b = _distinct_sizes(pair_b, hashes_b, n)
    size_union = _distinct_sizes(np.concatenate([pair_a, pair_b]), np.concatenate([hashes_a, hashes_b]), n)
    inter = size_a + size_b - size_union
    return np.where(size_union > 0, inter / np.maximum(size_union, 1), 0.0)
