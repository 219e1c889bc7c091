"""Assign each document to the first channel whose filters it matches (vectorised over a batch)."""
from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.mix.config import ChannelSpec


def _dotted(record, path: str):
    node = record
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _column_matches(batch: pa.RecordBatch, column: str, values: list[str]) -> np.ndarray:
    if column not in batch.schema.names:
        return np.zeros(batch.num_rows, dtype=bool)  # e.g. no ``category`` before the score stage
    hit = pc.is_in(batch.column(column).cast(pa.string()), value_set=pa.array(values, pa.string()))
    return np.asarray(hit.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _metadata_matches(batch: pa.RecordBatch, path: str, values: list[str]) -> np.ndarray:
    if "metadata" not in batch.schema.names:
        return np.zeros(batch.num_rows, dtype=bool)
    accepted = set(values)
    out = np.zeros(batch.num_rows, dtype=bool)
    for i, raw in enumerate(batch.column("metadata").to_pylist()):  # one small JSON object per row
        if raw:
            try:
                value = _dotted(json.loads(raw), path)
            except json.JSONDecodeError:
                continue
            out[i] = value is not None and str(value) in accepted
    return out


def channel_mask(batch: pa.RecordBatch, spec: ChannelSpec) -> np.ndarray:
    mask = np.ones(batch.num_rows, dtype=bool)
    for column in ("lang", "category", "source"):
        values = getattr(spec, column)
        if values is not None:
            mask &= _column_matches(batch, column, values)
    for path, values in spec.metadata.items():
        mask &= _metadata_matches(batch, path, values)
    return mask


def assign_channels(batch: pa.RecordBatch, specs: list[ChannelSpec]) -> pa.Array:
    """Channel name per row (null where no channel matches); earlier channels win."""
    names = np.full(batch.num_rows, None, dtype=object)
    free = np.ones(batch.num_rows, dtype=bool)
    for spec in specs:
        hit = free & channel_mask(batch, spec)
        names[hit] = spec.name
        free &= ~hit
    return pa.array(names, pa.string())
