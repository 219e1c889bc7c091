"""jobs/shards.py on the sample mix: shards decode to the mixed texts in order; reruns skip chunks."""
import json
import os
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from refinery.tokenize.chunk_sink import write_chunks
from refinery.tokenize.encode import encode_texts, eos_id, tokenizer_hash
from refinery.tokenize.shards import ShardChunk, list_chunks

CHUNK_TOKENS = 60_000


@pytest.fixture(scope="module")
def shards(spark, sample_mix, sample_tokenizer, tmp_path_factory):
    from refinery.spark.shards import run

    out = tmp_path_factory.mktemp("shards") / "out"
    stats = run(spark, str(sample_mix[0]), str(sample_tokenizer), str(out), CHUNK_TOKENS)
    return out, stats


def _mixed_in_order(mix_out):
    table = ds.dataset(str(mix_out / "data"), format="parquet").to_table().sort_by("order")
    return table.column("doc_id").to_pylist(), table.column("text").to_pylist(), table.column("channel").to_pylist()


def test_shards_decode_to_the_mixed_texts_in_order(shards, sample_mix, sample_tokenizer):
    from tokenizers import Tokenizer

    out, stats = shards
    tok = Tokenizer.from_file(str(sample_tokenizer / "tokenizer.json"))
    eos = eos_id(str(sample_tokenizer))
    doc_ids, texts, channels = _mixed_in_order(sample_mix[0])
    got_ids, got_texts, got_channels = [], [], []
    for path in list_chunks(str(out)):
        chunk = ShardChunk(path)
        for i in range(len(chunk)):
            tokens = chunk.document(i)
            assert tokens[-1] == eos and eos not in tokens[:-1]
            got_texts.append(tok.decode(tokens[:-1].tolist(), skip_special_tokens=False))
            got_channels.append(chunk.channel(i))
        got_ids += chunk.doc_ids()
    assert got_ids == doc_ids and got_channels == channels
    assert got_texts == texts


def test_chunks_have_the_budget_and_manifests_add_up(shards, sample_mix, sample_tokenizer):
    out, stats = shards
    mix_stats = sample_mix[1]
    chunks = [ShardChunk(p) for p in list_chunks(str(out))]
    assert stats["num_chunks"] == len(chunks) >= 3 and stats["chunks_written"] == list(range(len(chunks)))
    longest = max(int(c.data.lengths.max()) for c in chunks)
    for c in chunks[:-1]:
        # a document belongs to the chunk its first token falls in: N, give or take one document
        assert abs(c.num_tokens - CHUNK_TOKENS) < longest
    m = chunks[0].manifest
    assert m["tokenizer_hash"] == tokenizer_hash(str(sample_tokenizer)) and m["chunk_tokens"] == CHUNK_TOKENS
    assert m["mixture"] == mix_stats["mixture"] and len(m["source_fingerprint"]) == 32
    assert chunks[0].data.dtype == np.uint16  # vocab 4096 fits
    # the mix counted tokens with the same tokenizer (+EOS): the shards hold exactly that many per channel
    for name, r in mix_stats["channels"].items():
        assert sum(c.manifest["tokens_per_channel"][name] for c in chunks) == r["achieved_tokens"]
    assert sum(c.num_tokens for c in chunks) == stats["num_tokens"]


def test_heldout_and_anneal_get_shard_directories_of_their_own(shards, sample_mix):
    out, stats = shards
    mix_out, mix_stats = sample_mix[0], sample_mix[1]
    main_ids = {d for p in list_chunks(str(out)) for d in ShardChunk(p).doc_ids()}
    main_channels = ShardChunk(list_chunks(str(out))[0]).manifest["channels"]
    assert set(stats["parts"]) == {"heldout", "anneal"}
    for part in ("heldout", "anneal"):
        table = ds.dataset(str(mix_out / part), format="parquet").to_table().sort_by("order")
        chunks = [ShardChunk(p) for p in list_chunks(str(out / part))]
        assert chunks and stats["parts"][part]["num_chunks"] == len(chunks)
        got = [(d, c.channel(i)) for c in chunks for i, d in enumerate(c.doc_ids())]
        assert got == list(zip(table.column("doc_id").to_pylist(), table.column("channel").to_pylist()))
        assert all(c.manifest["channels"] == main_channels for c in chunks)  # one channel id per name
        assert json.loads((out / part / "_stats.json").read_text())["num_tokens"] == stats["parts"][part]["num_tokens"]
    held = [ShardChunk(p) for p in list_chunks(str(out / "heldout"))]
    assert not main_ids & {d for c in held for d in c.doc_ids()}
    # the mix counted the held-out tokens with the same tokenizer (+EOS)
    for name, r in mix_stats["heldout"]["channels"].items():
        assert sum(c.manifest["tokens_per_channel"].get(name, 0) for c in held) == r["tokens"]


@pytest.mark.slow
def test_rerun_skips_committed_chunks_and_rewrites_the_same_bytes(spark, shards, sample_mix, sample_tokenizer):
    from refinery.spark.shards import run

    out, stats = shards
    target = out / "chunk-00001"
    before = (target / "tokens.bin").read_bytes(), (target / "doc_ids.txt").read_text()
    others = {p: os.path.getmtime(os.path.join(p, "manifest.json")) for p in list_chunks(str(out)) if p != str(target)}
    shutil.rmtree(target)
    os.makedirs(out / ".chunk-00001.staging-dead")  # a killed writer's leftover
    again = run(spark, str(sample_mix[0]), str(sample_tokenizer), str(out), CHUNK_TOKENS)
    assert again["chunks_written"] == [1] and again["parts"]["heldout"]["num_chunks"] == 1
    assert again["chunks_skipped"] == sorted(set(range(stats["num_chunks"])) - {1})
    assert ((target / "tokens.bin").read_bytes(), (target / "doc_ids.txt").read_text()) == before
    assert {p: os.path.getmtime(os.path.join(p, "manifest.json")) for p in others} == others
    with pytest.raises(ValueError, match="another input, tokenizer or chunk size"):
        run(spark, str(sample_mix[0]), str(sample_tokenizer), str(out), CHUNK_TOKENS * 2)


def test_encode_appends_eos_and_sink_streams_into_chunks(tmp_path, sample_tokenizer):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(sample_tokenizer / "tokenizer.json"))
    texts = ["你好，世界 2024", "", "def f(x):\n    return x"]
    tokens = encode_texts(tok, texts, eos=7)
    assert [t[-1] for t in tokens.to_pylist()] == [7, 7, 7] and len(tokens[1]) == 1
    assert tok.decode(tokens[0].values.to_pylist()[:-1]) == texts[0]
    batch = pa.RecordBatch.from_pydict({
        "chunk": pa.array([0, 0, 2], pa.int64()), "order": pa.array([0, 1, 2], pa.int64()),
        "doc_id": ["a", "b", "c"], "channel": ["zh", "en", "code"], "tokens": tokens})
    summaries = list(write_chunks(iter([batch]), str(tmp_path), ["zh", "en", "code"], 4096, "h", {"mixture": {}}))
    assert [(s.column("chunk")[0].as_py(), s.column("written")[0].as_py()) for s in summaries] == [(0, True), (2, True)]
    assert ShardChunk(str(tmp_path / "chunk-00000")).doc_ids() == ["a", "b"]
    again = list(write_chunks(iter([batch]), str(tmp_path), ["zh", "en", "code"], 4096, "h", {}))
    assert [s.column("written")[0].as_py() for s in again] == [False, False]
    assert json.loads(again[1].column("manifest")[0].as_py())["num_documents"] == 1


def test_any_document_dataset_tokenises_as_one_channel_in_input_order(spark, sample_mix, sample_tokenizer, tmp_path):
    """No mix: a plain document file (one row group, so one Spark partition) keeps its row order."""
    import pyarrow.parquet as pq
    from tokenizers import Tokenizer

    import refinery.spark.shards as tokenize_job
    from refinery.spark.job import job_main

    doc_ids, texts, _ = _mixed_in_order(sample_mix[0])
    doc_ids, texts = doc_ids[::-1][:200], texts[::-1][:200]  # an order no mix wrote
    (tmp_path / "docs").mkdir()
    pq.write_table(pa.table({"doc_id": doc_ids, "text": texts}), tmp_path / "docs" / "part-0.parquet")
    out = tmp_path / "shards"
    assert job_main(tokenize_job.STAGE, ["--input", str(tmp_path / "docs"), "--tokenizer", str(sample_tokenizer),
                              "--output", str(out), "--chunk-tokens", "1000000000", "--master", "local[2]"]) == 0
    tok = Tokenizer.from_file(str(sample_tokenizer / "tokenizer.json"))
    [path] = list_chunks(str(out))
    chunk = ShardChunk(path)
    assert chunk.doc_ids() == doc_ids
    assert {chunk.channel(i) for i in range(len(chunk))} == {"all"}
    assert [tok.decode(chunk.document(i)[:-1].tolist(), skip_special_tokens=False) for i in range(len(chunk))] == texts
