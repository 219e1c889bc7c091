"""Texts for tokenizer training and compression reports, grouped into channels.

Reads Parquet dataset directories (a Spark stage's ``kept/``, a mix output) or JSONL files
(plain, ``.gz``, ``.zst``) on one machine with pyarrow; no Spark. A channel is the value of
one or more columns (``lang``, ``category`` …), so a sample can be balanced across them.
"""
from __future__ import annotations

import gzip
import io
import json
import os
from collections import defaultdict

import numpy as np
import pyarrow.dataset as ds

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".json.zst")
UNKNOWN = "unknown"


def _open_text(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if path.endswith(".zst"):
        import zstandard

        return io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")), encoding="utf-8")
    return open(path, encoding="utf-8")


def _dotted(record: dict, path: str):
    node = record
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _jsonl_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    found = []
    for root, _, names in os.walk(path):
        found += [os.path.join(root, n) for n in names if n.endswith(JSONL_SUFFIXES)]
    return sorted(found)


def _is_parquet_input(path: str) -> bool:
    if os.path.isfile(path):
        return path.endswith(".parquet")
    for _, _, names in os.walk(path):
        if any(n.endswith(".parquet") for n in names):
            return True
    return False


def read_channel_texts(inputs: list[str], channel_columns: list[str], text_column: str = "text") -> dict[str, list[str]]:
    """All texts of the inputs, grouped by channel (the ``/``-joined values of ``channel_columns``).

    In JSONL a channel column may be a dotted path (``meta.lang``). A missing value is ``unknown``;
    a channel column absent from a Parquet dataset is an error that names it.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for path in inputs:
        if not os.path.exists(path):
            raise FileNotFoundError(f"input {path} does not exist")
        if _is_parquet_input(path):
            dataset = ds.dataset(path, format="parquet", partitioning="hive", exclude_invalid_files=True)
            missing = [c for c in [text_column, *channel_columns] if c not in dataset.schema.names]
            if missing:
                raise ValueError(f"{path}: no column(s) {missing} (have {dataset.schema.names})")
            for batch in dataset.to_batches(columns=[text_column, *channel_columns]):
                texts = batch.column(text_column).to_pylist()
                keys = _channel_keys([batch.column(c).to_pylist() for c in channel_columns], len(texts))
                for key, text in zip(keys, texts):
                    if text:
                        groups[key].append(text)
        else:
            files = _jsonl_files(path)
            if not files:
                raise ValueError(f"{path}: neither a Parquet dataset nor JSONL files")
            for f in files:
                with _open_text(f) as lines:
                    for line in lines:
                        try:
                            record = json.loads(line)
                        except json.JSONDecodeError:
                            continue  # a tokenizer sample may skip a broken line; ingest accounts for them
                        text = record.get(text_column) if isinstance(record, dict) else None
                        if isinstance(text, str) and text:
                            values = [[_dotted(record, c)] for c in channel_columns]
                            groups[_channel_keys(values, 1)[0]].append(text)
    return dict(groups)


def _channel_keys(columns: list[list], n: int) -> list[str]:
    if not columns:
        return ["all"] * n
    return ["/".join(UNKNOWN if v is None else str(v) for v in values) for values in zip(*columns)]


def balanced_sample(groups: dict[str, list[str]], total_chars: int, seed: int = 0) -> dict[str, list[str]]:
    """Up to ``total_chars / channels`` characters of randomly chosen documents per channel.

    Balancing keeps the big channel (usually English web text) from taking the vocabulary: a
    channel with less text than its share gives all it has.
    """
    if not groups:
        return {}
    share = max(1, total_chars // len(groups))
    rng = np.random.default_rng(seed)
    out = {}
    for key in sorted(groups):
        texts = groups[key]
        order = rng.permutation(len(texts))
        lengths = np.fromiter((len(texts[i]) for i in order), dtype=np.int64, count=len(texts))
        # documents whose start lies within the share: at least one, at most the share plus one document
        take = int(np.searchsorted(np.cumsum(lengths) - lengths, share, side="left"))
        out[key] = [texts[i] for i in order[: max(1, take)]]
    return out
