"""Order keys of the selected copies: seeded random, quality curriculum, or similarity groups.

The job sorts by (order_key, doc_id, copy) and numbers the rows; that number is ``order``.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.mix.config import Order
from refinery.mix.keys import _mix64, similarity_keys, uniform

ORDER_KEY = "order_key"


def copy_ids(batch: pa.RecordBatch) -> pa.Array:
    """``doc_id:copy``: each copy of a repeated document gets its own draw."""
    return pc.binary_join_element_wise(batch.column("doc_id"), batch.column("copy").cast(pa.string()), ":")


def order_keys(batch: pa.RecordBatch, order: Order, quality_splits: np.ndarray | None = None) -> np.ndarray:
    u = uniform(copy_ids(batch), order.seed, "order")
    if order.method == "random":
        return u
    if order.method == "quality":
        # curriculum: quality quantile bins from worst to best, random inside a bin (copies of one
        # document fall in the same bin but not next to each other)
        q = np.asarray(batch.column("quality_score").cast(pa.float64()).fill_null(-np.inf)
                       .to_numpy(zero_copy_only=False))
        return np.searchsorted(quality_splits, q, side="right").astype(np.float64) + u
    # similarity: a document's copies use different MinHash permutations, so each copy joins another group
    copies = np.asarray(batch.column("copy").to_numpy(zero_copy_only=False), dtype=np.uint64)
    fallback = (u * float(1 << 53)).astype(np.uint64) << np.uint64(11)
    keys = similarity_keys(batch.column("text"), copies + np.uint64(order.seed) * np.uint64(1000003), fallback)
    # a raw MinHash is smaller for bigger term sets (long documents, one language) and would sort
    # those first; scrambling it keeps equal values together but puts the groups in random order
    return (_mix64(keys) >> np.uint64(11)).astype(np.float64)


def make_orderer(order: Order, quality_splits: list[float] | None = None):
    splits = np.asarray(quality_splits or [], dtype=np.float64)

    def add_order_key(batch: pa.RecordBatch) -> pa.RecordBatch:
        return batch.append_column(ORDER_KEY, pa.array(order_keys(batch, order, splits), pa.float64()))

    return add_order_key
