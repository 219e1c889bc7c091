"""The GPU fast path's pieces, checked on CPU in-process against independent references."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from trainer.config import ModelConfig


def _loader_batch(tmp_path, micro: int, seq_len: int = 48):
    """One micro-batch the way the trainer gets it: sampler + prefetch thread, document masking on."""
    from trainer.data import ChannelRegistry, PackedSampler, Prefetcher, SamplerState
    from trainer.synthetic import write_synthetic_shards

    write_synthetic_shards(str(tmp_path), n_chunks=1, tokens_per_chunk=2000, vocab_size=512, seed=3, doc_len=(5, 30))
    sampler = PackedSampler(str(tmp_path), seq_len, micro, True, SamplerState(seed=1), ChannelRegistry(8),
                            document_mask=True)
    loader = Prefetcher(sampler, rank=0, micro=micro, depth=1, pin=False)
    try:
        return loader.next().tensors
    finally:
        loader.close()


@pytest.mark.parametrize("micro", [1, 4])
def test_document_varlen_equals_each_document_run_alone(tmp_path, micro):
    from trainer.attention import model_inputs
    from trainer.model import build_model

    tensors = _loader_batch(tmp_path, micro)
    cfg = ModelConfig(num_kv_heads=2)
    packed = build_model(cfg, seed=0, document_mask=True).eval()
    plain = build_model(cfg, seed=0).eval()      # stock HF SDPA, no packing: the reference
    plain.load_state_dict(packed.state_dict())
    ids, labels = tensors["input_ids"], tensors["labels"]
    # reference segments from the token stream itself: a document ends after its EOS (511) and
    # every window (row) starts a new one, independently of the loader's cu_seqlens
    expected, n_docs = [], 0
    with torch.no_grad():
        for row in range(micro):
            ends = [i + 1 for i in np.flatnonzero(ids[row].numpy() == 511)]
            bounds = sorted({0, *[e for e in ends if e < ids.shape[1]], ids.shape[1]})
            for a, b in zip(bounds[:-1], bounds[1:]):
                expected.append(plain(input_ids=ids[row:row + 1, a:b]).logits[0])
                n_docs += 1
        expected = torch.cat(expected).reshape(micro, ids.shape[1], -1)
        got = packed(**model_inputs(tensors, "cpu")).logits.reshape(micro, ids.shape[1], -1)
        unmasked = plain(input_ids=ids).logits
    assert len(tensors["cu_seqlens"]) - 1 == n_docs > micro      # the windows do hold several documents
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()
    assert not torch.allclose(unmasked, expected, atol=1e-3)      # the mask matters for this batch
    loss = F.cross_entropy(got.flatten(0, 1), labels.flatten())
    ref_loss = F.cross_entropy(expected.flatten(0, 1), labels.flatten())
    assert abs(loss.item() - ref_loss.item()) < 1e-5


def test_document_varlen_gradients_match_the_reference(tmp_path):
    from trainer.attention import model_inputs
    from trainer.model import build_model

    tensors = _loader_batch(tmp_path, micro=2, seq_len=32)
    cfg = ModelConfig(num_kv_heads=2, num_layers=1)
    packed = build_model(cfg, seed=0, document_mask=True)
    plain = build_model(cfg, seed=0)
    plain.load_state_dict(packed.state_dict())
    ids, labels = tensors["input_ids"], tensors["labels"]
    F.cross_entropy(packed(**model_inputs(tensors, "cpu")).logits[0], labels.flatten()).backward()
    cu = tensors["cu_seqlens"].tolist()
    flat = ids.reshape(-1)
    logits = torch.cat([plain(input_ids=flat[a:b][None]).logits[0] for a, b in zip(cu[:-1], cu[1:])])
    F.cross_entropy(logits, labels.flatten()).backward()
    for (name, p), q in zip(packed.named_parameters(), plain.parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-5), name


def test_device_spike_gate_decides_like_the_host_detector_without_reading_the_device(monkeypatch):
    from trainer.config import StabilityConfig
    from trainer.spike_gate import DeviceSpikeGate, apply_drained
    from trainer.stability import SpikeDetector

    class Events:
        def __init__(self):
            self.rows = []

        def event(self, step, name, **fields):
            self.rows.append((step, name, fields))

    cfg = StabilityConfig(window=10, min_history=5, sigma=4.0)
    rng = np.random.default_rng(0)
    values = list(5.0 - 0.01 * np.arange(40) + 0.05 * rng.standard_normal(40))
    values[20], values[21], values[33] = 50.0, float("nan"), 9.0       # two spikes and a NaN
    host, device_policy, gate, log = SpikeDetector(cfg), SpikeDetector(cfg), DeviceSpikeGate(1, "cpu"), Events()
    host_kept, device_kept = [], []
    for start in range(0, 40, 4):                 # a log step every 4 micro-batches
        block = values[start:start + 4]
        # the oracle: the host path's decision with the threshold as of the last log step
        limit = host.threshold()
        for v in block:
            kept = bool(np.isfinite(v)) and (limit is None or v <= limit)
            host_kept.append(kept)
            host.record_loss(v) if kept else host.record_spike(0)
        # the gate: no host read allowed while gating
        with monkeypatch.context() as m:
            for name in ("item", "tolist", "__bool__", "__float__"):
                m.setattr(torch.Tensor, name, lambda *a, **k: pytest.fail("host read in gate()"))
            losses = [torch.tensor(v, requires_grad=True) for v in block]
            out = [gate.gate(x, step=start + i) for i, x in enumerate(losses)]
        for x, y in zip(losses, out):
            y.backward()
            device_kept.append(bool(x.grad == 1.0))
            assert x.grad.item() in (0.0, 1.0)
        apply_drained(gate, device_policy, log)
    assert device_kept == host_kept and host_kept.count(False) == 3
    assert [s for s, name, _ in log.rows if name == "skip_batch"] == [20, 21, 33]
    assert np.allclose(device_policy.losses, host.losses, rtol=1e-6)


def test_init_from_applies_the_yaml_rope_and_context(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    from trainer.config import RopeConfig
    from trainer.model import build_model, load_pretrained

    base = build_model(ModelConfig(num_kv_heads=2, max_seq_len=64), seed=0)
    base.save_pretrained(tmp_path)
    yaml_cfg = ModelConfig(num_kv_heads=2, max_seq_len=64, rope=RopeConfig(theta=500000.0, type="linear", factor=4.0))
    loaded = load_pretrained(str(tmp_path), yaml_cfg, dtype=torch.float32).eval()
    assert loaded.config.max_position_embeddings == 256
    assert loaded.config.rope_parameters["rope_theta"] == 500000.0
    # reference: stock HF built from a hand-written config with that RoPE, the same weights
    ref_cfg = LlamaConfig.from_pretrained(tmp_path)
    ref_cfg.rope_parameters = {"rope_type": "linear", "rope_theta": 500000.0, "factor": 4.0}
    ref_cfg.max_position_embeddings = 256
    ref = LlamaForCausalLM(ref_cfg).eval()
    ref.load_state_dict(base.state_dict())
    ids = torch.arange(100)[None] % 500
    with torch.no_grad():
        got, want, old = loaded(input_ids=ids).logits, ref(input_ids=ids).logits, base.eval()(input_ids=ids).logits
    assert torch.allclose(got, want, atol=1e-5)
    assert not torch.allclose(got, old, atol=1e-3)


def test_shard_fingerprint_eos_and_the_resume_check(tmp_path):
    import os

    from refinery.tokenize.shards import list_chunks
    from trainer import shard_info
    from trainer.synthetic import write_synthetic_shards

    write_synthetic_shards(str(tmp_path / "a"), n_chunks=2, tokens_per_chunk=500, vocab_size=300, seed=0)
    write_synthetic_shards(str(tmp_path / "b"), n_chunks=2, tokens_per_chunk=500, vocab_size=300, seed=1)
    a, b = list_chunks(str(tmp_path / "a")), list_chunks(str(tmp_path / "b"))
    assert shard_info.eos_id(a) == 299                      # synthetic documents end with vocab_size - 1
    saved = shard_info.describe("a", a)
    assert shard_info.describe("a", a) == saved and shard_info.describe("a", a[:1])["fingerprint"] != saved["fingerprint"]
    shard_info.check_resume(saved, shard_info.describe("a2", a), "ckpt-5")    # same chunks elsewhere: fine
    shard_info.check_resume(None, saved, "ckpt-5")                            # a checkpoint from before
    with pytest.raises(ValueError, match=r"^ckpt-5 was trained on shards a \(2 chunks.*data.shards is b") as e:
        shard_info.check_resume(saved, shard_info.describe("b", b), "ckpt-5")
    assert "\n" not in str(e.value)
    os.utime(a[0])                                           # touching a chunk changes nothing
    assert shard_info.describe("a", a) == saved


def _loss_and_grads(model, tensors, z_loss=0.0):
    from trainer.attention import model_inputs
    from trainer.loss import causal_lm_loss

    model.zero_grad()
    loss, token_losses = causal_lm_loss(model, model_inputs(tensors, tensors["input_ids"].device), tensors["labels"], z_loss)
    loss.backward()
    return loss.item(), token_losses.detach(), {n: p.grad.clone() for n, p in model.named_parameters()}


def test_compiled_layers_give_the_eager_loss_and_gradients(tmp_path):
    """Dynamo capture + AOT autograd (``aot_eager``) by default: a cold inductor compile costs ~30 s
    of CPU; ``TRAINER_TEST_INDUCTOR=1`` checks the inductor kernels too (the GPU check does)."""
    import os

    from trainer.model import build_model, compile_layers

    tensors = _loader_batch(tmp_path, micro=2, seq_len=32)
    del tensors["position_ids"], tensors["cu_seqlens"]      # the plain (SDPA) path
    cfg = ModelConfig(num_kv_heads=2, num_layers=2, hidden_size=64, intermediate_size=128, num_heads=4)
    eager, compiled = build_model(cfg, seed=0), build_model(cfg, seed=0)
    compile_layers(compiled, "inductor" if os.environ.get("TRAINER_TEST_INDUCTOR") else "aot_eager")
    assert all(layer._compiled_call_impl is not None for layer in compiled.model.layers)
    ref_loss, ref_tokens, ref_grads = _loss_and_grads(eager, tensors, z_loss=1e-4)
    loss, tokens, grads = _loss_and_grads(compiled, tensors, z_loss=1e-4)
    assert abs(loss - ref_loss) < 1e-5 and torch.allclose(tokens, ref_tokens, atol=1e-5)
    for name, g in ref_grads.items():
        assert torch.allclose(grads[name], g, atol=1e-5, rtol=1e-4), name


def test_fused_cross_entropy_gives_the_plain_loss_and_gradients(tmp_path):
    from trainer.loss import install_fused_cross_entropy, liger_available
    from trainer.model import build_model

    if not (liger_available() and torch.cuda.is_available()):
        pytest.skip("liger-kernel's Triton kernels need a GPU (on CPU the package installs but finds no driver)")
    tensors = {k: v.cuda() for k, v in _loader_batch(tmp_path, micro=2, seq_len=32).items() if k != "cu_seqlens"}
    cfg = ModelConfig(num_kv_heads=2)
    plain, fused = build_model(cfg, seed=0, device="cuda"), build_model(cfg, seed=0, device="cuda")
    install_fused_cross_entropy(fused, z_loss=1e-4)
    ref_loss, ref_tokens, ref_grads = _loss_and_grads(plain, tensors, z_loss=1e-4)
    loss, tokens, grads = _loss_and_grads(fused, tensors, z_loss=1e-4)
    assert abs(loss - ref_loss) < 1e-4 and torch.allclose(tokens, ref_tokens, atol=1e-4)
    for name, g in ref_grads.items():
        assert torch.allclose(grads[name], g, atol=1e-4, rtol=1e-3), name
