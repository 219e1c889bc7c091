"""MinHash signatures of Arrow string columns.

Hash family (seeded, documented): each shingle's 64-bit hash is cut to its top 32 bits
``x`` and permuted ``num_perm`` times by Dietzfelbinger's multiply-add-shift scheme,
``h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32`` with ``a_i`` odd and ``b_i`` uniform 64-bit
integers drawn from NumPy's PCG64 seeded with ``seed``. For 32-bit keys this family is
2-independent (strongly universal) with 32-bit outputs — the same guarantee as the
``(a*x + b) mod p`` family datasketch uses — but it needs no modulo, so the compiled loop
is one multiply, one add and one shift per permutation. A signature is the element-wise
minimum over the document's shingles, ``num_perm`` uint32; a document without shingles
has every value 2^32 - 1.

The Jaccard estimate is the share of equal positions (Broder 1997); tests hold it to
exact Jaccard and to datasketch's estimates on the same shingle sets.
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


@dataclasses.dataclass(frozen=True)
class ShingleSpec:
    """How text becomes shingles (see ``refinery.dedup.shingles``)."""

    word_ngram: int = 5
    char_ngram: int = 5
    cjk_ratio: float = 0.3


@dataclasses.dataclass(frozen=True)
class HashFamily:
    num_perm: int = 128
    seed: int = 1

    def coefficients(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.Generator(np.random.PCG64(self.seed))
        a = rng.integers(0, 1 << 64, size=self.num_perm, dtype=np.uint64, endpoint=False) | np.uint64(1)
        b = rng.integers(0, 1 << 64, size=self.num_perm, dtype=np.uint64, endpoint=False)
        return a, b


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
        return kernels.shingle_hashes(data, offsets, lower, klass, spec.word_ngram, spec.char_ngram, spec.cjk_ratio)
    return ref.shingle_hashes_numpy(_as_list(texts), spec.word_ngram, spec.char_ngram, spec.cjk_ratio)


def _as_list(texts):
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        return texts.to_pylist()
    return list(texts)


def signatures_from_hashes(hashes: np.ndarray, doc_offsets: np.ndarray, family: HashFamily = HashFamily(),
                           chunk: int = 1 << 15) -> np.ndarray:
    """uint32 [n_docs, num_perm] signatures of given shingle hashes, in NumPy (the reference)."""
    a, b = family.coefficients()
    n_docs = len(doc_offsets) - 1
    sig = np.full((n_docs, family.num_perm), EMPTY, dtype=np.uint32)
    x = hashes >> np.uint64(32)
    counts = np.diff(doc_offsets)
    d = 0
    while d < n_docs:  # chunks of whole documents, ~chunk shingles each
        e = int(np.searchsorted(doc_offsets, doc_offsets[d] + chunk, side="right"))
        e = min(max(e - 1, d + 1), n_docs)
        docs = np.arange(d, e)[counts[d:e] > 0]
        if len(docs):
            lo, hi = doc_offsets[d], doc_offsets[e]
            permuted = ((a[:, None] * x[None, lo:hi] + b[:, None]) >> np.uint64(32)).astype(np.uint32)
            sig[docs] = np.minimum.reduceat(permuted, doc_offsets[docs] - lo, axis=1).T
        d = e
    return sig


def minhash_signatures(texts, spec: ShingleSpec = ShingleSpec(), family: HashFamily = HashFamily(),
                       use_kernel: bool = True):
    """(signatures uint32 [n, num_perm], shingle counts int32, is_cjk bool) of a string column."""
    if use_kernel and kernels is not None:
        lower, klass = ref.char_tables()
        a, b = family.coefficients()
        data, offsets = _utf8_buffers(texts)
        return kernels.minhash_signatures(data, offsets, lower, klass, spec.word_ngram, spec.char_ngram,
                                          spec.cjk_ratio, a, b)
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


def exact_jaccard(hashes_a, offsets_a, hashes_b, offsets_b) -> np.ndarray:
    """Jaccard of the shingle-hash sets of row i of A and row i of B, for all rows at once:
    |A ∩ B| = |A| + |B| - |A ∪ B|, each a count of distinct (row, hash) keys."""
    n = len(offsets_a) - 1
    pair_a = np.repeat(np.arange(n), np.diff(offsets_a))
    pair_b = np.repeat(np.arange(n), np.diff(offsets_b))
    size_a = _distinct_sizes(pair_a, hashes_a, n)
    size_b = _distinct_sizes(pair_b, hashes_b, n)
    size_union = _distinct_sizes(np.concatenate([pair_a, pair_b]), np.concatenate([hashes_a, hashes_b]), n)
    inter = size_a + size_b - size_union
    return np.where(size_union > 0, inter / np.maximum(size_union, 1), 0.0)
