"""The token-shard chunk container: round trip, atomic publish, Megatron-Core compatibility."""
import json
import os

import numpy as np
import pytest

from refinery.tokenize.indexed_dataset import IndexedDataset, IndexedDatasetWriter, token_dtype
from refinery.tokenize.shards import ChunkWriter, ShardChunk, is_complete_chunk, list_chunks


def _docs(n=50, vocab=40000, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, vocab, rng.integers(1, 80)) for _ in range(n)]


def _write_chunk(path, docs, vocab=40000):
    w = ChunkWriter(path, ["zh", "en", "code"], vocab, "tok-hash")
    for i, d in enumerate(docs):
        w.add_document(d, ["zh", "en", "code"][i % 3], f"doc-{i}")
    return w.close({"mixture": {"zh": 0.4, "en": 0.4, "code": 0.2}})


def test_chunk_round_trip_and_manifest(tmp_path):
    docs = _docs()
    manifest = _write_chunk(str(tmp_path / "chunk-00000"), docs)
    chunk = ShardChunk(list_chunks(str(tmp_path))[0])
    assert len(chunk) == len(docs) and chunk.num_tokens == sum(map(len, docs)) == manifest["num_tokens"]
    for i, d in enumerate(docs):
        assert np.array_equal(chunk.document(i), d)
        assert chunk.channel(i) == ["zh", "en", "code"][i % 3]
    assert chunk.doc_ids() == [f"doc-{i}" for i in range(len(docs))]
    assert manifest["tokens_per_channel"]["en"] == sum(len(d) for d in docs[1::3])
    assert chunk.data.dtype == np.uint16
    # per-token channels follow document boundaries
    first = len(docs[0])
    assert (chunk.channels_for_range(0, first) == 0).all()
    assert chunk.channels_for_range(first, 1)[0] == 1


def test_int32_tokens_when_vocab_does_not_fit(tmp_path):
    assert token_dtype(65536) == np.uint16 and token_dtype(65537) == np.int32
    docs = _docs(vocab=100000)
    _write_chunk(str(tmp_path / "chunk-00000"), docs, vocab=100000)
    chunk = ShardChunk(str(tmp_path / "chunk-00000"))
    assert chunk.data.dtype == np.int32
    assert all(np.array_equal(chunk.document(i), d) for i, d in enumerate(docs))


def test_unfinished_chunk_is_invisible_and_ids_are_checked(tmp_path):
    w = ChunkWriter(str(tmp_path / "chunk-00000"), ["zh"], 1000, "h")
    w.add_document([1, 2, 3], "zh", "a")
    with pytest.raises(ValueError, match="out of range"):
        w.add_document([5000], "zh", "b")
    with pytest.raises(ValueError, match="not declared"):
        w.add_document([1], "en", "c")
    assert list_chunks(str(tmp_path)) == [] and not is_complete_chunk(str(tmp_path / "chunk-00000"))
    w.close()
    assert list_chunks(str(tmp_path)) == [str(tmp_path / "chunk-00000")]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]  # staging renamed away
    with pytest.raises(FileExistsError):
        ChunkWriter(str(tmp_path / "chunk-00000"), ["zh"], 1000, "h")


def test_corrupt_index_is_a_clear_error(tmp_path):
    w = IndexedDatasetWriter(str(tmp_path / "x"), np.uint16)
    w.add_document([1, 2, 3])
    w.finalize()
    with open(tmp_path / "x.bin", "ab") as f:
        f.write(b"\0\0")
    with pytest.raises(ValueError, match="index says"):
        IndexedDataset(str(tmp_path / "x"))
    (tmp_path / "x.idx").write_bytes(b"NOTMAGIC" + b"\0" * 40)
    with pytest.raises(ValueError, match="bad magic"):
        IndexedDataset(str(tmp_path / "x"))


def test_megatron_core_reads_our_chunks(tmp_path):
    pytest.importorskip("megatron.core")
    from megatron.core.datasets.indexed_dataset import IndexedDataset as MegatronIndexedDataset

    docs = _docs(n=30)
    _write_chunk(str(tmp_path / "chunk-00000"), docs)
    theirs = MegatronIndexedDataset(str(tmp_path / "chunk-00000" / "tokens"))
    assert len(theirs) == len(docs)
    assert list(theirs.document_indices) == list(range(len(docs) + 1))
    for i, d in enumerate(docs):
        assert np.array_equal(theirs[i], d)
    manifest = json.loads((tmp_path / "chunk-00000" / "manifest.json").read_text())
    assert manifest["channels"] == {"zh": 0, "en": 1, "code": 2}
