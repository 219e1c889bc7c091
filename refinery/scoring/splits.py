"""Deterministic held-out splits: a document's side depends on a hash of its text, so a
re-run (or a duplicate of the same text) always lands on the same side."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def holdout_mask(texts: pa.Array | pa.ChunkedArray, fraction: float, seed: int = 0) -> np.ndarray:
    """True for rows in the held-out split (about ``fraction`` of them)."""
    import hashlib

    # hashlib over each text: training-time only, a few thousand to a few million rows.
    digests = np.array([int.from_bytes(hashlib.blake2b(f"{seed}:{t}".encode(), digest_size=8).digest(), "little")
                        for t in pc.fill_null(texts.cast(pa.string()), "").to_pylist()], dtype=np.uint64)
    return (digests % np.uint64(10_000)) < np.uint64(int(fraction * 10_000))
