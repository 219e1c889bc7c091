"""Random and similarity keys of documents, vectorised over Arrow batches.

* ``uniform(doc_ids, seed, salt)`` — a deterministic uniform in (0, 1) per document: the same
  document gets the same draw in every run with the same seed, whatever the partitioning.
* ``sampling_keys`` — Efraimidis & Spirakis (2006) weighted sampling: key = -ln(u) / weight; the
  documents with the smallest keys form a sample drawn with probability ∝ weight, so taking
  documents in key order until a token budget is met is a weighted sample of that budget.
* ``similarity_keys`` — MinHash of a document's term set (Latin words of ≥ 4 letters, CJK
  character bigrams): two documents get the same key with probability equal to the Jaccard
  similarity of their term sets, so sorting by it places related documents next to each other.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
CJK_CHAR = r"[\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}]"


def _hash_strings(values, salt: str) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    return pd.util.hash_array(arr, hash_key=(salt + "0123456789abcdef")[:16], categorize=False).astype(np.uint64)


def uniform(doc_ids: pa.Array, seed: int, salt: str = "") -> np.ndarray:
    """A uniform draw in (0, 1) per document, from its id and the seed."""
    h = _hash_strings(doc_ids.to_pylist(), f"{seed}:{salt}")
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)


def sampling_keys(doc_ids: pa.Array, weights: np.ndarray, seed: int) -> np.ndarray:
    return -np.log(uniform(doc_ids, seed, "sample")) / np.maximum(weights, 1e-300)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection of uint64 that scrambles bits (one 'permutation')."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def term_hashes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(hashes of every term of every document, flat; offsets per document)."""
    lowered = pc.utf8_lower(texts.fill_null(""))
    spaced = pc.replace_substring_regex(lowered, f"({CJK_CHAR})", r" \1 ")
    words = pc.split_pattern_regex(spaced, r"[^\w]+")
    offsets = np.asarray(words.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    flat = pc.list_flatten(words)
    if len(flat) == 0:
        return np.zeros(0, np.uint64), np.zeros(len(texts) + 1, np.int64)
    hashes = _hash_strings(flat.to_pylist(), "terms")
    is_cjk = np.asarray(pc.match_substring_regex(flat, f"^{CJK_CHAR}$").to_numpy(zero_copy_only=False), dtype=bool)
    long_word = np.asarray(pc.greater_equal(pc.utf8_length(flat), 4).to_numpy(zero_copy_only=False), dtype=bool)
    doc = np.repeat(np.arange(len(texts)), np.diff(offsets))
    # a CJK bigram: this character and the next one in the same document
    nxt = np.zeros_like(is_cjk)
    nxt[:-1] = is_cjk[1:] & is_cjk[:-1] & (doc[1:] == doc[:-1])
    with np.errstate(over="ignore"):
        bigram = np.empty_like(hashes)
        bigram[:-1] = hashes[:-1] * np.uint64(0x9E3779B97F4A7C15) + hashes[1:]
        bigram[-1:] = hashes[-1:]
    keep = (long_word & ~is_cjk) | nxt
    terms = np.where(nxt, bigram, hashes)[keep]
    counts = np.bincount(doc[keep], minlength=len(texts))
    return terms, np.concatenate([[0], np.cumsum(counts)])


def similarity_keys(texts: pa.Array, permutation: np.ndarray | int, fallback: np.ndarray) -> np.ndarray:
    """MinHash per document under ``permutation`` (one int, or one per document: repeats of a
    document use another permutation, so each copy joins a different group). Documents with no
    terms get ``fallback``."""
    terms, offsets = term_hashes(texts)
    n = len(texts)
    perm = np.broadcast_to(np.asarray(permutation, dtype=np.uint64), (n,))
    out = np.asarray(fallback, dtype=np.uint64).copy()
    if len(terms) == 0:
        return out
    counts = np.diff(offsets)
    doc = np.repeat(np.arange(n), counts)
    with np.errstate(over="ignore"):
        permuted = _mix64(terms ^ _mix64(perm[doc] + np.uint64(0x51ED270B27A4F1E3)))
    has = counts > 0
    mins = np.minimum.reduceat(permuted, offsets[:-1][has]) if has.any() else np.zeros(0, np.uint64)
    out[has] = mins
    return out
