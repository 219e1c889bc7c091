"""Check datasets, `_stats.json` and shard manifests against the contract.

Every job's tests call these, so a stage that drifts from the contract fails loudly.
"""
import json
import os

import pyarrow as pa


class SchemaError(ValueError):
    pass


def _plain_type(t: pa.DataType) -> pa.DataType:
    # hive partition columns (reason=...) come back dictionary-encoded
    return t.value_type if pa.types.is_dictionary(t) else t


def validate_table(table: pa.Table | pa.RecordBatch, schema: pa.Schema) -> None:
    """The table holds every schema column with its type; non-nullable columns hold no null."""
    names = table.schema.names
    for field in schema:
        if field.name not in names:
            raise SchemaError(f"missing column {field.name!r} (have {names})")
        got = _plain_type(table.schema.field(field.name).type)
        if got != field.type:
            raise SchemaError(f"column {field.name!r} is {got}, contract says {field.type}")
        if not field.nullable and table.column(field.name).null_count:
            raise SchemaError(f"column {field.name!r} holds {table.column(field.name).null_count} nulls")


def validate_dataset(path: str, schema: pa.Schema) -> pa.Table:
    """Read a Parquet dataset directory (hive-partitioned or not), validate it, return it."""
    import pyarrow.dataset as ds  # here, not at the top: it imports pandas (~0.3 s) in every worker

    table = ds.dataset(path, format="parquet", partitioning="hive", exclude_invalid_files=True).to_table()
    validate_table(table, schema)
    return table


def _load_json(doc: dict | str, filename: str) -> dict:
    """A dict as given, or the JSON file at a path (or ``filename`` inside a directory)."""
    if not isinstance(doc, str):
        return doc
    with open(os.path.join(doc, filename) if os.path.isdir(doc) else doc) as f:
        return json.load(f)


def _require_keys(doc: dict, required: dict, filename: str) -> None:
    for key, typ in required.items():
        if not isinstance(doc.get(key), typ):
            raise SchemaError(f"{filename}: {key!r} missing or not {typ.__name__}")


STATS_REQUIRED = {"stage": str, "rows_in": int, "rows_kept": int, "rows_rejected": int, "rejected_by_reason": dict}


def validate_stats(stats: dict | str) -> dict:
    """`_stats.json` accounts for every row: rows_in = kept + rejected (+ duplicate)."""
    stats = _load_json(stats, "_stats.json")
    _require_keys(stats, STATS_REQUIRED, "_stats.json")
    dup = stats.get("rows_duplicate", 0)
    if stats["rows_in"] != stats["rows_kept"] + stats["rows_rejected"] + dup:
        raise SchemaError(
            f"_stats.json does not account for every row: in={stats['rows_in']} kept={stats['rows_kept']} "
            f"rejected={stats['rows_rejected']} duplicate={dup}"
        )
    if sum(stats["rejected_by_reason"].values()) != stats["rows_rejected"]:
        raise SchemaError("_stats.json: rejected_by_reason does not sum to rows_rejected")
    return stats


MANIFEST_REQUIRED = {
    "chunk_id": str,
    "tokenizer_hash": str,
    "num_tokens": int,
    "num_documents": int,
    "tokens_per_channel": dict,
    "documents_per_channel": dict,
    "channels": dict,  # channel name -> integer id stored per document
    "mixture": dict,  # channel name -> target ratio
    "doc_ids_file": str,  # file in the chunk listing the doc_id of every document, in order
}


def validate_manifest(manifest: dict | str) -> dict:
    """A token-shard chunk's manifest.json: counts per channel add up to the totals."""
    manifest = _load_json(manifest, "manifest.json")
    _require_keys(manifest, MANIFEST_REQUIRED, "manifest.json")
    if sum(manifest["tokens_per_channel"].values()) != manifest["num_tokens"]:
        raise SchemaError("manifest.json: tokens_per_channel does not sum to num_tokens")
    if sum(manifest["documents_per_channel"].values()) != manifest["num_documents"]:
        raise SchemaError("manifest.json: documents_per_channel does not sum to num_documents")
    unknown = set(manifest["tokens_per_channel"]) - set(manifest["channels"])
    if unknown:
        raise SchemaError(f"manifest.json: counts for undeclared channels {sorted(unknown)}")
    return manifest
