"""End to end through the deepspeed launcher: 2 CPU ranks (DS_ACCELERATOR=cpu, gloo), tiny model.

Each launch costs tens of seconds of imports, so scenarios are combined into four launches:
  B  ZeRO-3, document masking (loader-built cu_seqlens), SIGKILL after step 9: its steps 1–9 are the
     uninterrupted reference; relaunched with a `save` request waiting and loss spikes injected at
     steps 11–13: auto-resume from ckpt-5 retraces steps 6–9 of the first launch exactly, the request
     makes a checkpoint, the spikes are skipped (decided on the device), then a rollback to the newest
     checkpoint; the loss falls over the 14 steps (the source of the export)
  R  relaunched on other shards: refused in one line (shard fingerprint)
  E  ZeRO-2, --init-from the export of B: starts at the exported model's loss and keeps learning
"""
import os

import numpy as np
import pytest
import torch

from tests.trainer.launch import check, deepspeed, metrics
from trainer.synthetic import write_synthetic_shards

pytestmark = pytest.mark.slow

TINY = "trainer/configs/tiny.yaml"


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    out = tmp_path_factory.mktemp("shards")
    # 3 small chunks: the runs cross chunk boundaries (checkpoints there) and epochs
    write_synthetic_shards(str(out), n_chunks=3, tokens_per_chunk=6000, vocab_size=512, seed=0)
    return str(out)


def _zero3_args(shards, run_dir, *extra):
    return ["--config", TINY, f"data.shards={shards}", f"run_dir={run_dir}", "train.max_steps=14",
            "checkpoint.every_steps=5", "deepspeed.zero_stage=3", "data.document_mask=true",
            "data.shuffle=true", *extra]  # shuffled chunks: every channel in every log interval


@pytest.fixture(scope="module")
def zero3_run(shards, tmp_path_factory):
    """(run_dir, the first launch's metrics up to its SIGKILL): the resumed, spiked, rolled-back run to step 14."""
    run_dir = tmp_path_factory.mktemp("zero3")
    killed = deepspeed(_zero3_args(shards, run_dir, "debug.kill_at_step=9"))
    assert killed.returncode != 0
    before_kill = metrics(run_dir)
    # relaunch: auto-resume; a `save` request is waiting; loss spikes are injected at steps 11–13
    (run_dir / "save").touch()
    check(deepspeed(_zero3_args(shards, run_dir, "debug.spike_steps=[11,12,13]", "stability.rollback_after=3")))
    return run_dir, before_kill


def test_zero3_sigkill_resume_is_exact_then_save_request_spikes_and_rollback(shards, zero3_run, tmp_path):
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
    refused = deepspeed(_zero3_args(str(other), run_dir, "train.max_steps=20"))
    assert refused.returncode != 0
    errors = [line for line in refused.stderr.splitlines() if line.startswith("pretrain: ")]
    assert len(errors) == 1 and "was trained on shards" in errors[0] and str(other) in errors[0], refused.stderr[-2000:]


def test_export_gives_the_trainer_logits_and_zero2_continues_from_it_at_the_same_loss(shards, zero3_run, tmp_path):
    zero3_run, _ = zero3_run
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint
    from transformers import AutoModelForCausalLM

    from refinery.config import load_config, parse_overrides
    from trainer.config import TrainerConfig
    from trainer.data import ChannelRegistry, PackedSampler, SamplerState
    from trainer.export import export
    from trainer.model import build_model

    out = tmp_path / "hf"
    info = export(str(zero3_run / "ckpt-14"), str(out))
    assert (out / "model.safetensors").exists() and info["shards"] == 1
    from transformers import AutoConfig, GenerationConfig
    assert AutoConfig.from_pretrained(out).eos_token_id == 511 == GenerationConfig.from_pretrained(out).eos_token_id
    hf = AutoModelForCausalLM.from_pretrained(out).eval()
    cfg = load_config(TINY, TrainerConfig, parse_overrides([f"data.shards={shards}", f"run_dir={tmp_path}"]))
    trained = build_model(cfg.model, seed=0)
    trained.load_state_dict(get_fp32_state_dict_from_zero_checkpoint(str(zero3_run), tag="ckpt-14"), strict=False)
    trained.eval()
    # the first global batch of a 2-rank run (2 × micro-batch 4)
    sampler = PackedSampler(shards, 64, 8, cfg.data.shuffle, SamplerState(seed=cfg.train.seed), ChannelRegistry(8))
    samples, _, _ = sampler.next_global_micro()
    ids = torch.from_numpy(np.stack([s["input_ids"] for s in samples]))
    labels = torch.from_numpy(np.stack([s["labels"] for s in samples]))
    with torch.no_grad():
        ours, theirs = trained(input_ids=ids).logits, hf(input_ids=ids).logits
        expected_loss = torch.nn.functional.cross_entropy(theirs.flatten(0, 1), labels.flatten()).item()
    assert torch.allclose(ours, theirs, atol=1e-5)

    # continue-pretrain from the export with ZeRO-2: starts at the exported model's loss, and learns
    run_dir = tmp_path / "continued"
    check(deepspeed(["--config", TINY, "--init-from", str(out), f"data.shards={shards}", f"run_dir={run_dir}",
                     "train.max_steps=10", "deepspeed.zero_stage=2"]))
    steps, events = metrics(run_dir)
    assert any(e["event"] == "init_from" for e in events)
    assert abs(steps[1]["loss"] - expected_loss) < 1e-5, (steps[1]["loss"], expected_loss)
    losses = [steps[s]["loss"] for s in range(1, 11)]
    assert np.mean(losses[-3:]) < losses[0] - 0.2, losses
    assert (run_dir / "tensorboard").is_dir()
    # the ZeRO-2 checkpoint exports to the same tensors as DeepSpeed's own consolidation
    export(str(run_dir / "ckpt-10"), str(tmp_path / "hf2"))
    reference = get_fp32_state_dict_from_zero_checkpoint(str(run_dir), tag="ckpt-10")
    exported = AutoModelForCausalLM.from_pretrained(tmp_path / "hf2").state_dict()
    assert all(torch.equal(exported[k], v) for k, v in reference.items() if k in exported)
    assert set(reference) - set(exported) <= {"lm_head.weight"}
