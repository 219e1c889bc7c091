"""Decontamination: which documents share n-grams with evaluation sets.

The eval items are shingled exactly like documents (``refinery.dedup.shingles``, with
``n`` = 13 by default as in GPT-3's contamination study) and their hashes kept in one
sorted array with a bit per eval set, so a batch of documents is checked with one
``searchsorted``. An item shorter than ``n`` tokens gives a single shorter shingle, which
matches only a document made of exactly that text.
"""
from __future__ import annotations

import gzip
import json
import os

import numpy as np
import pyarrow as pa

from refinery.dedup.minhash import ShingleSpec, shingle_hashes


def read_eval_texts(path: str, text_field: str = "text") -> list[str]:
    """Texts of one eval set file: JSONL(.gz), Parquet, or plain text (one item per line)."""
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return [t for t in pq.read_table(path, columns=[text_field]).column(0).to_pylist() if t]
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        if ".jsonl" in path or ".json" in path:
            texts = []
            for i, line in enumerate(f):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row, dict) or not isinstance(row.get(text_field), str):
                        raise ValueError(f"{path}:{i + 1}: no string field {text_field!r}")
                    texts.append(row[text_field])
            return texts
        return [line.rstrip("\n") for line in f if line.strip()]


class EvalNgramIndex:
    """Sorted n-gram hashes of the eval sets, each with a bitmask of the sets holding it."""

    def __init__(self, eval_sets: dict[str, list[str]], spec: ShingleSpec):
        if len(eval_sets) > 63:
            raise ValueError("at most 63 eval sets per run")
        self.names = sorted(eval_sets)
        self.spec = spec
        hashes, masks = [], []
        for bit, name in enumerate(self.names):
            h, _, _ = shingle_hashes(pa.array(eval_sets[name], type=pa.string()), spec)
            h = np.unique(h)
            hashes.append(h)
            masks.append(np.full(len(h), 1 << bit, dtype=np.int64))
        allh = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
        allm = np.concatenate(masks) if masks else np.zeros(0, np.int64)
        order = np.argsort(allh, kind="stable")
        allh, allm = allh[order], allm[order]
        self.hashes, first = np.unique(allh, return_index=True)
        self.masks = np.bitwise_or.reduceat(allm, first) if len(allh) else allm
        self.items = {name: len(eval_sets[name]) for name in self.names}

    @classmethod
    def from_files(cls, paths: list[str], spec: ShingleSpec, text_field: str = "text") -> "EvalNgramIndex":
        sets = {}
        for path in paths:
            name = os.path.basename(path).split(".")[0]
            while name in sets:
                name += "_"
            sets[name] = read_eval_texts(path, text_field)
        return cls(sets, spec)

    def matches(self, texts) -> tuple[np.ndarray, list[str | None]]:
        """Per document: distinct n-grams shared with any eval set, and those sets' names."""
        hashes, offsets, _ = shingle_hashes(texts, self.spec)
        n_docs = len(offsets) - 1
        counts = np.zeros(n_docs, dtype=np.int32)
        names: list[str | None] = [None] * n_docs
        if not len(self.hashes) or not len(hashes):
            return counts, names
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        hit = self.hashes[pos] == hashes
        doc = np.repeat(np.arange(n_docs), np.diff(offsets))
        # distinct matching n-grams per document
        pairs = np.unique(np.stack([doc[hit].astype(np.uint64), hashes[hit]]), axis=1)
        counts = np.bincount(pairs[0].astype(np.int64), minlength=n_docs).astype(np.int32)
        mask = np.zeros(n_docs, dtype=np.int64)
        np.bitwise_or.at(mask, doc[hit], self.masks[pos[hit]])
        for d in np.flatnonzero(mask):
            names[d] = ",".join(n for bit, n in enumerate(self.names) if mask[d] >> bit & 1)
        return counts, names
