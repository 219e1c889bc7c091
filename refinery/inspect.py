"""Print filtered-out samples of a stage output: what a rule threw away, with its measure.

Reads ``rejected/reason=R/`` directly (the partition layout makes one reason cheap), so it
needs no Spark and works on a laptop against a copied or mounted output.
"""
from __future__ import annotations

import json
import os

import pyarrow.dataset as ds


def rejected_dataset(output: str):
    path = os.path.join(output, "rejected")
    if not os.path.isdir(path) and "://" not in output:
        raise FileNotFoundError(f"{output} has no rejected/ directory (is it a stage output?)")
    return ds.dataset(path, format="parquet", partitioning="hive")


def sample_rejected(output: str, reason: str | None, n: int, seed: int = 0) -> list[dict]:
    """Up to ``n`` rejected rows (all reasons when ``reason`` is None), chosen deterministically."""
    data = rejected_dataset(output)
    filt = (ds.field("reason") == reason) if reason else None
    table = data.to_table(filter=filt)
    if table.num_rows > n:
        import numpy as np

        idx = np.sort(np.random.default_rng(seed).choice(table.num_rows, n, replace=False))
        table = table.take(idx)
    return table.to_pylist()


def reason_counts(output: str) -> dict:
    with open(os.path.join(output, "_stats.json")) as f:
        return json.load(f)["rejected_by_reason"]


def format_row(row: dict, max_chars: int = 400) -> str:
    text = row.get("text")
    body = (text[:max_chars] + ("…" if len(text) > max_chars else "")) if text else ""
    if not body and row.get("raw_prefix"):
        body = "raw bytes: " + repr(bytes(row["raw_prefix"])[:120])
    head = f"── {row['reason']}  value={row.get('value')}  threshold={row.get('threshold')}"
    if row.get("detail"):
        head += f"  detail={row['detail']}"
    where = f"   {row.get('url') or ''}  {row.get('source_file')}@{row.get('offset')}  doc_id={row.get('doc_id')}"
    return "\n".join([head, where, body])
