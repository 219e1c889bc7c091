"""End to end through the deepspeed launcher: 2 CPU ranks (DS_ACCELERATOR=cpu, gloo), tiny model.

Each launch costs tens of seconds of imports, so scenarios are combined:
  A  ZeRO-3, uninterrupted (loss falls; reference for the resume and the export)
  B  ZeRO-3, same config, SIGKILL after step 7, then relaunched: auto-resume from ckpt-5
  D  ZeRO-2 with a `save` request and injected loss spikes: skip, then rollback
  E  one process, --init-from the export of A (continue-pretrain starts at the exported model's loss)
"""
import os

import numpy as np
import pytest
import torch

from tests.trainer.launch import check, deepspeed, metrics, single_process
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
            "checkpoint.every_steps=5", "deepspeed.zero_stage=3", *extra]


@pytest.fixture(scope="module")
def zero3_run(shards, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("zero3")
    check(deepspeed(_zero3_args(shards, run_dir)))
    return run_dir


def test_zero3_loss_falls_and_sigkill_resume_is_exact(shards, zero3_run, tmp_path):
    ref, ref_events = metrics(zero3_run)
    losses = [ref[s]["loss"] for s in range(1, 15)]
    assert np.mean(losses[-3:]) < losses[0] - 0.4, losses
    assert {"loss/zh", "loss/en", "loss/code"} <= set(ref[14]) and ref[14]["consumed_tokens"] == 14 * 2 * 4 * 64
    assert any(e["event"] == "checkpoint" and e["reason"] == "chunk_boundary" for e in ref_events)

    run_dir = tmp_path / "killed"
    killed = deepspeed(_zero3_args(shards, run_dir, "debug.kill_at_step=7"))
    assert killed.returncode != 0
    assert max(metrics(run_dir)[0]) == 7
    check(deepspeed(_zero3_args(shards, run_dir)))
    resumed, events = metrics(run_dir)
    assert [e["checkpoint"] for e in events if e["event"] == "resume"] == [str(run_dir / "ckpt-5")]
    for step in range(6, 15):  # steps 6–7 ran twice: the resumed run's values are the ones kept
        assert resumed[step]["lr"] == ref[step]["lr"]
        assert abs(resumed[step]["loss"] - ref[step]["loss"]) <= 1e-6, step


def test_zero2_save_request_spike_skip_and_rollback(shards, tmp_path):
    run_dir = tmp_path / "zero2"
    run_dir.mkdir()
    (run_dir / "save").touch()
    check(deepspeed(["--config", TINY, f"data.shards={shards}", f"run_dir={run_dir}", "train.max_steps=16",
                     "checkpoint.every_steps=4", "checkpoint.at_chunk_boundary=false", "checkpoint.keep_last=3",
                     "deepspeed.zero_stage=2", "debug.spike_steps=[9,10,11]", "stability.rollback_after=3"]))
    steps, events = metrics(run_dir)
    saves = [(e["step"], e["reason"]) for e in events if e["event"] == "checkpoint"]
    assert saves[0] == (1, "requested") and not (run_dir / "save").exists()
    skips = [e for e in events if e["event"] == "skip_batch"]
    assert [e["step"] for e in skips] == [9, 10, 11] and all(e["loss"] > e["threshold"] for e in skips)
    rollbacks = [e for e in events if e["event"] == "rollback"]
    assert len(rollbacks) == 1 and rollbacks[0]["to_step"] == 8 and rollbacks[0]["step"] == 11
    assert rollbacks[0]["skipped_to"] != rollbacks[0]["skipped_from"]   # the data since ckpt-8 is skipped
    assert max(steps) == 16 and steps[16]["loss"] < steps[1]["loss"] - 0.4
    kept = sorted(int(p.name.split("-")[1]) for p in run_dir.glob("ckpt-*"))
    assert kept == [8, 12, 16] and all((run_dir / f"ckpt-{s}" / "COMPLETE").exists() for s in kept)


def test_export_gives_the_trainer_logits_and_init_from_starts_at_the_same_loss(shards, zero3_run, tmp_path):
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
    hf = AutoModelForCausalLM.from_pretrained(out).eval()
    cfg = load_config(TINY, TrainerConfig, parse_overrides([f"data.shards={shards}", f"run_dir={tmp_path}"]))
    trained = build_model(cfg.model, seed=0)
    trained.load_state_dict(get_fp32_state_dict_from_zero_checkpoint(str(zero3_run), tag="ckpt-14"), strict=False)
    trained.eval()
    sampler = PackedSampler(shards, 64, 4, True, SamplerState(seed=cfg.train.seed), ChannelRegistry(8))
    samples, _, _ = sampler.next_global_micro()
    ids = torch.from_numpy(np.stack([s["input_ids"] for s in samples]))
    labels = torch.from_numpy(np.stack([s["labels"] for s in samples]))
    with torch.no_grad():
        ours, theirs = trained(input_ids=ids).logits, hf(input_ids=ids).logits
        expected_loss = torch.nn.functional.cross_entropy(theirs.flatten(0, 1), labels.flatten()).item()
    assert torch.allclose(ours, theirs, atol=1e-5)

    run_dir = tmp_path / "continued"
    check(single_process(["--config", TINY, "--init-from", str(out), f"data.shards={shards}", f"run_dir={run_dir}",
                          "train.max_steps=1", "deepspeed.zero_stage=0"]))
    steps, events = metrics(run_dir)
    assert any(e["event"] == "init_from" for e in events)
    assert abs(steps[1]["loss"] - expected_loss) < 1e-5, (steps[1]["loss"], expected_loss)
