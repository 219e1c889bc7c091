"""Packing, the resumable sampler, per-token channels, document positions, prefetch."""
import numpy as np
import pytest

from refinery.tokenize.shards import ShardChunk, list_chunks
from trainer.data import ChannelRegistry, PackedSampler, Prefetcher, SamplerState
from trainer.synthetic import write_synthetic_shards

SEQ = 32


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    out = tmp_path_factory.mktemp("shards")
    write_synthetic_shards(str(out), n_chunks=3, tokens_per_chunk=1500, vocab_size=512, seed=3)
    return str(out)


def _sampler(shards, state=None, global_micro=4, shuffle=True, document_mask=False):
    return PackedSampler(shards, SEQ, global_micro, shuffle, state or SamplerState(seed=7),
                         ChannelRegistry(8), document_mask)


def test_windows_are_the_flat_stream_shifted_by_one(shards):
    chunk = ShardChunk(list_chunks(shards)[0])
    flat = np.concatenate([chunk.document(i) for i in range(len(chunk))])
    s = _sampler(shards, shuffle=False)
    sample = s.sample(0, 5)
    assert np.array_equal(sample["input_ids"], flat[5 * SEQ:6 * SEQ])
    assert np.array_equal(sample["labels"], flat[5 * SEQ + 1:6 * SEQ + 1])
    # per-token channel = the channel of the token's document
    doc_of_token = np.repeat(np.arange(len(chunk)), chunk.data.lengths)[5 * SEQ:6 * SEQ]
    names = [chunk.channel(d) for d in doc_of_token]
    assert [s.registry.names[c] for c in sample["channels"]] == names


def test_document_positions_restart_after_each_eos(shards):
    s = _sampler(shards, shuffle=False, document_mask=True)
    chunk = ShardChunk(list_chunks(shards)[0])
    eos = 511
    for w in range(10):
        sample = s.sample(0, w)
        pos, ids = sample["position_ids"], sample["input_ids"]
        for t in range(1, SEQ):
            assert pos[t] == (0 if ids[t - 1] == eos else pos[t - 1] + 1)
    assert chunk.document(0)[-1] == eos


def test_sampler_resumes_exactly_from_its_state_and_covers_each_epoch_once(shards):
    a = _sampler(shards)
    seen, states = [], []
    for _ in range(60):  # several epochs (3 chunks × ~46 windows / 4 per micro-batch)
        samples, state, where = a.next_global_micro()
        seen.append(where)
        states.append(state)
    b = _sampler(shards, state=states[20])
    for k in range(21, 40):
        _, state, where = b.next_global_micro()
        assert where == seen[k] and state == states[k]
    windows_per_epoch = sum((ShardChunk(p).num_tokens - 1) // SEQ for p in list_chunks(shards))
    flat = [w for batch in seen for w in batch]
    first_epoch = flat[:windows_per_epoch]
    assert len(set(first_epoch)) == windows_per_epoch                 # every window once per epoch
    assert flat[windows_per_epoch:2 * windows_per_epoch] != first_epoch   # reshuffled next epoch
    assert states[-1].epoch >= 1


def test_prefetcher_gives_each_rank_its_slice(shards):
    reference = _sampler(shards, global_micro=4)
    expected = [reference.next_global_micro() for _ in range(3)]
    for rank in (0, 1):
        loader = Prefetcher(_sampler(shards, global_micro=4), rank=rank, micro=2, depth=2, pin=False)
        for samples, state, _ in expected:
            batch = loader.next()
            mine = samples[2 * rank:2 * rank + 2]
            assert np.array_equal(batch.tensors["input_ids"].numpy(), np.stack([s["input_ids"] for s in mine]))
            assert batch.state == state
        loader.close()


def test_clear_errors_for_empty_dirs_and_too_short_chunks(tmp_path, shards):
    with pytest.raises(FileNotFoundError, match="no complete chunk"):
        _sampler(str(tmp_path))
    s = PackedSampler(shards, 10**6, 1, False, SamplerState(), ChannelRegistry(8))
    with pytest.raises(ValueError, match="no chunk holds a full window"):
        s.next_global_micro()
