import pyarrow as pa
import pytest

from schemas import DOCUMENT, REJECTED, SchemaError, document_to_rejected, validate_manifest, validate_stats, validate_table


def _docs(n=3):
    return pa.RecordBatch.from_pylist(
        [{"doc_id": f"d{i}", "source": "s", "source_file": "f", "offset": i, "text": "hello"} for i in range(n)],
        schema=DOCUMENT,
    )


def test_document_batch_conforms_and_extra_columns_allowed():
    table = pa.Table.from_batches([_docs()]).append_column("category", pa.array(["news"] * 3))
    validate_table(table, DOCUMENT)


def test_missing_column_wrong_type_and_nulls_are_errors():
    docs = pa.Table.from_batches([_docs()])
    with pytest.raises(SchemaError, match="missing column 'text'"):
        validate_table(docs.drop_columns(["text"]), DOCUMENT)
    with pytest.raises(SchemaError, match="'offset' is string"):
        validate_table(docs.set_column(docs.schema.get_field_index("offset"), "offset", pa.array(["0", "1", "2"])), DOCUMENT)
    nullable = pa.schema([f.with_nullable(True) for f in DOCUMENT])
    with_null = pa.Table.from_pylist([{"doc_id": None, "source": "s", "source_file": "f", "offset": 0, "text": "x"}], schema=nullable)
    with pytest.raises(SchemaError, match="'doc_id' holds 1 nulls"):
        validate_table(with_null, DOCUMENT)


def test_document_to_rejected_keeps_document_and_decision():
    rejected = document_to_rejected(_docs(2), "clean", "gopher.word_count", value=pa.array([3.0, 4.0]), threshold=50.0)
    validate_table(rejected, REJECTED)
    assert rejected.column("reason").to_pylist() == ["gopher.word_count"] * 2
    assert rejected.column("value").to_pylist() == [3.0, 4.0]
    assert rejected.column("text").to_pylist() == ["hello", "hello"]


def test_stats_must_account_for_every_row():
    ok = {"stage": "x", "rows_in": 5, "rows_kept": 3, "rows_rejected": 2, "rejected_by_reason": {"a": 2}}
    validate_stats(ok)
    with pytest.raises(SchemaError, match="does not account"):
        validate_stats(dict(ok, rows_in=6))
    with pytest.raises(SchemaError, match="rejected_by_reason"):
        validate_stats(dict(ok, rejected_by_reason={"a": 1}))
    validate_stats(dict(ok, rows_in=7, rows_duplicate=2))


def test_manifest_counts_must_add_up():
    m = {
        "chunk_id": "chunk-00000",
        "tokenizer_hash": "abc",
        "num_tokens": 30,
        "num_documents": 3,
        "tokens_per_channel": {"zh": 20, "en": 10},
        "documents_per_channel": {"zh": 2, "en": 1},
        "channels": {"zh": 0, "en": 1},
        "mixture": {"zh": 0.5, "en": 0.5},
        "doc_ids_file": "doc_ids.txt",
    }
    validate_manifest(m)
    with pytest.raises(SchemaError, match="tokens_per_channel"):
        validate_manifest(dict(m, num_tokens=31))
    with pytest.raises(SchemaError, match="undeclared channels"):
        validate_manifest(dict(m, channels={"zh": 0}))
