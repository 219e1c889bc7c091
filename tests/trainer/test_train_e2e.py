"""End to end through the deepspeed launcher: 2 CPU ranks (DS_ACCELERATOR=cpu, gloo), tiny model.

Each launch costs tens of seconds of imports, so scenarios are combined into three launches
(B's two are the session fixture of tests/trainer/conftest.py):
  B  ZeRO-3, document masking (loader-built cu_seqlens), SIGKILL after step 9: its steps 1–9 are the
     uninterrupted reference; relaunched with a `save` request waiting and loss spikes injected at
     steps 11–13: auto-resume from ckpt-5 retraces steps 6–9 of the first launch exactly, the request
     makes a checkpoint, the spikes are skipped (decided on the device), then a rollback to the newest
     checkpoint; the loss falls over the 14 steps (the source of the export)
  R  relaunched on other shards: refused in one line (shard fingerprint)
The export of B gives the trainer's logits; test_curriculum_e2e continues pretraining from it
with ZeRO-2 (starts at the exported model's loss, keeps learning, its checkpoints export exactly).
"""
import numpy as np
import pytest
import torch

from tests.trainer.launch import TINY, deepspeed, metrics, zero3_args
from trainer.synthetic import write_synthetic_shards

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("zero3-run")]  # they share tests/trainer/conftest.py's run


def test_zero3_sigkill_resume_is_exact_then_save_request_spikes_and_rollback(zero3_run, tmp_path):
    run_dir, (first, first_events) = zero3_run
    assert max(first) == 9 and not any(e["event"] == "resume" for e in first_events)
    assert first[9]["consumed_tokens"] == 9 * 2 * 4 * 64
    resumed, events = metrics(run_dir)
    assert [e["checkpoint"] for e in events if e["event"] == "resume"] == [str(run_dir / "ckpt-5")]
    for step in range(6, 10):  # the resumed run retraces the first launch's steps after ckpt-5 exactly
        assert resumed[step]["lr"] == first[step]["lr"]
        assert abs(resumed[step]["loss"] - first[step]["loss"]) <= 1e-6, step
    losses = [resumed[s]["loss"] for s in range(1, 15)]
    assert np.mean(losses[-3:]) < losses[0] - 0.4, losses
    assert {"loss/zh", "loss/en", "loss/code"} <= set(resumed[14]) and resumed[14]["consumed_tokens"] == 14 * 2 * 4 * 64
    assert any(e["event"] == "checkpoint" and e["reason"] == "chunk_boundary" for e in events)

    saves = [(e["step"], e["reason"]) for e in events if e["event"] == "checkpoint"]
    assert (6, "requested") in saves and not (run_dir / "save").exists()
    skips = [e for e in events if e["event"] == "skip_batch"]
    assert [e["step"] for e in skips] == [11, 12, 13] and all(e["loss"] > e["threshold"] for e in skips)
    rollbacks = [e for e in events if e["event"] == "rollback"]
    newest_before = max(s for s, _ in saves if s <= 13)
    assert len(rollbacks) == 1 and rollbacks[0]["step"] == 13 and rollbacks[0]["to_step"] == newest_before
    assert rollbacks[0]["skipped_to"] != rollbacks[0]["skipped_from"]   # the data since that checkpoint is skipped
    assert max(resumed) == 14 and (run_dir / "ckpt-14" / "COMPLETE").exists()

    other = tmp_path / "other-shards"
    write_synthetic_shards(str(other), n_chunks=2, tokens_per_chunk=6000, vocab_size=512, seed=9)
    refused = deepspeed(zero3_args(str(other), run_dir, "train.max_steps=20"))
    assert refused.returncode != 0
    errors = [line for line in refused.stderr.splitlines() if line.startswith("pretrain: ")]
    assert len(errors) == 1 and "was trained on shards" in errors[0] and str(other) in errors[0], refused.stderr[-2000:]


def test_export_gives_the_trainer_logits(zero3_shards, zero3_run, zero3_export, tmp_path):
    """(test_curriculum_e2e continues from this export with ZeRO-2 and checks it starts at its loss.)"""
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint
    from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig

    from refinery.config import load_config, parse_overrides
    from trainer.config import TrainerConfig
    from trainer.data import ChannelRegistry, PackedSampler, SamplerState
    from trainer.model import build_model

    run_dir, _ = zero3_run
    out, info = zero3_export
    assert (out / "model.safetensors").exists() and info["shards"] == 1
    assert AutoConfig.from_pretrained(out).eos_token_id == 511 == GenerationConfig.from_pretrained(out).eos_token_id
    hf = AutoModelForCausalLM.from_pretrained(out).eval()
    cfg = load_config(TINY, TrainerConfig, parse_overrides([f"data.shards={zero3_shards}", f"run_dir={tmp_path}"]))
    trained = build_model(cfg.model, seed=0)
    trained.load_state_dict(get_fp32_state_dict_from_zero_checkpoint(str(run_dir), tag="ckpt-14"), strict=False)
    trained.eval()
    # the first global batch of a 2-rank run (2 × micro-batch 4)
    sampler = PackedSampler(zero3_shards, 64, 8, cfg.data.shuffle, SamplerState(seed=cfg.train.seed), ChannelRegistry(8))
    samples, _, _ = sampler.next_global_micro()
    ids = torch.from_numpy(np.stack([s["input_ids"] for s in samples]))
    with torch.no_grad():
        ours, theirs = trained(input_ids=ids).logits, hf(input_ids=ids).logits
    assert torch.allclose(ours, theirs, atol=1e-5)
