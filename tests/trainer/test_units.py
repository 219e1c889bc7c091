"""Spike detector, checkpoint bookkeeping, model helpers, the streaming safetensors writer, probes."""
import json
import math

import pytest
import torch

from trainer import checkpoint
from trainer.config import ModelConfig, StabilityConfig
from trainer.stability import SpikeDetector


def test_spike_detector_flags_outliers_and_asks_for_rollback_after_repeats():
    d = SpikeDetector(StabilityConfig(window=10, min_history=5, sigma=4.0, rollback_after=3, rollback_window=5))
    assert not d.is_loss_spike(1e6)                       # no verdict before min_history
    for x in [6.0, 5.8, 5.7, 5.5, 5.45, 5.4]:
        assert not d.is_loss_spike(x)
        d.record_loss(x)
    assert d.is_loss_spike(50.0) and d.is_loss_spike(float("nan")) and not d.is_loss_spike(5.6)
    d.record_spike(10)
    d.record_spike(11)
    assert not d.should_roll_back(11)
    d.record_spike(12)
    assert d.should_roll_back(12)
    assert not d.should_roll_back(40)                     # old spikes age out of the window
    restored = SpikeDetector(d.cfg, d.state_dict())
    assert restored.threshold() == d.threshold()
    for g in [1.0, 1.1, 0.9, 1.0, 1.2]:
        d.record_grad_norm(g)
    assert d.is_grad_spike(20.0) and not d.is_grad_spike(2.0)


def test_only_complete_checkpoints_count_and_pruning_keeps_the_newest(tmp_path):
    for step in (5, 10, 15, 20):
        (tmp_path / f"ckpt-{step}").mkdir()
        if step != 20:
            (tmp_path / f"ckpt-{step}" / checkpoint.COMPLETE).write_text("{}")
    (tmp_path / "ckpt-x").mkdir()
    assert checkpoint.latest_complete(str(tmp_path)) == str(tmp_path / "ckpt-15")   # 20 was cut short
    checkpoint.prune(str(tmp_path), keep_last=2)
    assert [s for s, _ in checkpoint.list_checkpoints(str(tmp_path), complete_only=False)] == [10, 15, 20]
    checkpoint.remove_partial(str(tmp_path))
    assert [s for s, _ in checkpoint.list_checkpoints(str(tmp_path), complete_only=False)] == [10, 15]


def test_flops_formula_counts_the_model_matmul_weights():
    from trainer.model import build_model, count_params, flops_per_token

    cfg = ModelConfig(num_kv_heads=2, tie_embeddings=False)
    model = build_model(cfg, seed=0)
    counts = count_params(model)
    norms = sum(p.numel() for n, p in model.named_parameters() if "norm" in n)
    n_matmul = counts["total"] - counts["embedding"] - norms
    assert flops_per_token(cfg, seq_len=64) == 6 * n_matmul + 12 * cfg.num_layers * cfg.hidden_size * 64


def test_extended_vocab_rows_start_at_the_mean(tmp_path):
    from trainer.model import build_model, load_pretrained

    cfg = ModelConfig(num_kv_heads=2, tie_embeddings=False)
    model = build_model(cfg, seed=0)
    model.save_pretrained(tmp_path)
    bigger = load_pretrained(str(tmp_path), ModelConfig(num_kv_heads=2, tie_embeddings=False, vocab_size=640),
                             dtype=torch.float32)
    old = model.get_input_embeddings().weight
    new = bigger.get_input_embeddings().weight
    assert new.shape[0] == 640 and torch.equal(new[:512], old)
    assert torch.allclose(new[600], old.mean(0), atol=1e-6)
    assert torch.allclose(bigger.get_output_embeddings().weight[513], model.get_output_embeddings().weight.mean(0),
                          atol=1e-6)
    with pytest.raises(ValueError, match="num_hidden_layers"):
        load_pretrained(str(tmp_path), ModelConfig(num_kv_heads=2, num_layers=3), dtype=torch.float32)


def test_streamed_safetensors_match_the_reference_reader(tmp_path):
    from safetensors.torch import load_file

    from trainer.export import write_safetensors

    tensors = {"a": torch.randn(3, 5), "b.c": torch.arange(7, dtype=torch.float32), "e": torch.zeros(0, 4)}
    lazy = {k: (tuple(v.shape), lambda v=v: v) for k, v in tensors.items()}
    for dtype in (torch.float32, torch.bfloat16):
        write_safetensors(str(tmp_path / "m.safetensors"), lazy, dtype)
        back = load_file(str(tmp_path / "m.safetensors"))
        assert set(back) == set(tensors)
        for k, v in tensors.items():
            assert back[k].dtype == dtype and torch.equal(back[k], v.to(dtype))


def test_probability_probe_and_rank(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    from trainer.evaluate import load_tokenizer, probe
    from trainer.model import build_model

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    tok.train_from_iterator(["中国的首都是北京", "上海"], trainers.WordLevelTrainer(special_tokens=["[UNK]"]))
    tok.save(str(tmp_path / "tokenizer.json"))
    encode = load_tokenizer(str(tmp_path / "tokenizer.json"))
    model = build_model(ModelConfig(num_kv_heads=2), seed=0).eval()
    out = probe(model, encode, "中国的首都是", "北京")
    with torch.no_grad():
        ids = torch.tensor([encode("中国的首都是北京")])
        logp = torch.log_softmax(model(input_ids=ids).logits[0], -1)
    p, t = encode("中国的首都是"), encode("北京")
    expected = logp[len(p) - 1, t[0]] + logp[len(p), t[1]]
    assert math.isclose(out["logprob"], float(expected), rel_tol=1e-5)
    assert out["first_token_rank"] == int((logp[len(p) - 1] > logp[len(p) - 1, t[0]]).sum()) + 1
    assert 0 < out["probability"] < 1


def test_evaluate_cli_per_channel_perplexity_and_probes(tmp_path):
    import numpy as np
    import yaml
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    from refinery.tokenize.shards import ShardChunk, list_chunks
    from trainer.evaluate import main
    from trainer.model import build_model
    from trainer.synthetic import write_synthetic_shards

    shards = tmp_path / "heldout"
    write_synthetic_shards(str(shards), n_chunks=2, tokens_per_chunk=600, vocab_size=512, seed=1)
    model = build_model(ModelConfig(num_kv_heads=2), seed=0).eval()
    model.save_pretrained(tmp_path / "hf")
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    tok.train_from_iterator(["中国的首都是北京"], trainers.WordLevelTrainer(special_tokens=["[UNK]"]))
    tok.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "probes.yaml").write_text(yaml.safe_dump({"probes": [{"prompt": "中国的首都是", "target": "北京"}]},
                                                         allow_unicode=True), encoding="utf-8")
    out = tmp_path / "eval.json"
    assert main(["--model", str(tmp_path / "hf"), "--shards", str(shards), "--seq-len", "32", "--batch-size", "4",
                 "--probes", str(tmp_path / "probes.yaml"), "--tokenizer", str(tmp_path / "tokenizer.json"),
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    held = result["heldout"]
    # reference: every window of every chunk, per-token loss attributed to the document's channel
    losses, names = [], []
    for path in list_chunks(str(shards)):
        chunk = ShardChunk(path)
        flat = np.concatenate([chunk.document(i) for i in range(len(chunk))]).astype(np.int64)
        doc_channel = np.repeat([chunk.channel(i) for i in range(len(chunk))], chunk.data.lengths)
        for w in range((len(flat) - 1) // 32):
            ids = torch.from_numpy(flat[w * 32:w * 32 + 33])
            with torch.no_grad():
                logits = model(input_ids=ids[None, :-1]).logits[0]
            losses.extend(torch.nn.functional.cross_entropy(logits, ids[1:], reduction="none").tolist())
            names.extend(doc_channel[w * 32:w * 32 + 32])
    losses, names = np.array(losses), np.array(names)
    assert held["tokens"] == len(losses)
    assert math.isclose(held["perplexity"], math.exp(losses.mean()), rel_tol=1e-4)
    for name, entry in held["channels"].items():
        assert entry["tokens"] == int((names == name).sum())
        assert math.isclose(entry["perplexity"], math.exp(losses[names == name].mean()), rel_tol=1e-4)
    assert result["probes"][0]["target"] == "北京" and result["probes"][0]["first_token_rank"] >= 1
