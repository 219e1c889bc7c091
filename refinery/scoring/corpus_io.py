"""Read training documents from what a user has: refinery output (Parquet), JSONL or text.

Training commands accept any mix of: a stage's output directory (its ``kept/`` is read), a
Parquet file or directory (e.g. Spark output), ``.jsonl[.gz|.zst]`` (a ``text`` field plus
optional ``url``/``source``/``category`` and any other fields, which become ``metadata``),
or ``.txt`` (one document per line).
"""
from __future__ import annotations

import gzip
import io
import json
import os

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

KEEP_COLUMNS = ("text", "url", "source", "metadata", "category", "lang")


def _parquet(path: str) -> pa.Table:
    if os.path.isdir(os.path.join(path, "kept")):
        path = os.path.join(path, "kept")
    if os.path.isdir(path):
        table = ds.dataset(path, format="parquet", exclude_invalid_files=True).to_table()
    else:
        table = pq.read_table(path)
    if "text" not in table.schema.names:
        raise ValueError(f"{path}: no 'text' column (columns: {table.schema.names})")
    return table.select([c for c in KEEP_COLUMNS if c in table.schema.names])


def _open_text(path: str):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    if path.endswith(".zst"):
        import zstandard

        return io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")), encoding="utf-8")
    return open(path, encoding="utf-8")


def _jsonl(path: str) -> pa.Table:
    rows = []
    with _open_text(path) as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{line_no}: not JSON ({e.msg})") from None
            text = rec.pop("text", None)
            if not isinstance(text, str):
                continue
            row = {"text": text, "url": rec.pop("url", None), "source": rec.pop("source", None),
                   "category": rec.pop("category", None)}
            row["metadata"] = json.dumps({"source": row["source"], **rec}, ensure_ascii=False, sort_keys=True)
            rows.append(row)
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in ("text", "url", "source", "category", "metadata")]))


def _lines(path: str) -> pa.Table:
    with _open_text(path) as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    return pa.table({"text": pa.array(texts, pa.string())})


def read_documents(paths: list[str]) -> pa.Table:
    """All documents under ``paths`` as one table with ``text`` and whatever of
    url/source/metadata/category/lang the inputs carry (missing ones are null)."""
    tables = []
    for path in paths:
        if not os.path.exists(path):
            raise FileNotFoundError(f"no such file or directory: {path}")
        name = path.lower()
        if os.path.isdir(path) or name.endswith(".parquet"):
            tables.append(_parquet(path))
        elif ".jsonl" in name or name.endswith((".json", ".json.gz", ".json.zst")):
            tables.append(_jsonl(path))
        elif name.endswith((".txt", ".txt.gz", ".txt.zst")):
            tables.append(_lines(path))
        else:
            raise ValueError(f"{path}: expected Parquet, .jsonl[.gz|.zst] or .txt")
    fields = [pa.field(c, pa.string()) for c in KEEP_COLUMNS]
    out = []
    for t in tables:
        n = t.num_rows
        cols = [t.column(f.name).cast(pa.string()) if f.name in t.schema.names else pa.nulls(n, pa.string()) for f in fields]
        out.append(pa.Table.from_arrays(cols, schema=pa.schema(fields)))
    if not out:
        return pa.Table.from_arrays([pa.array([], pa.string()) for _ in fields], schema=pa.schema(fields))
    return pa.concat_tables(out).combine_chunks()
