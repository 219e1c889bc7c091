"""Phases, held-out eval, schedule.total_steps, drop detection and the rollback tool, end to end.

2 CPU ranks through the deepspeed launcher (ZeRO-2), four launches in all, each continuing
pretraining (--init-from) from the export of test_train_e2e's ZeRO-3 run (tests/trainer/conftest.py):
  R   80 steps uninterrupted, starting at the exported model's loss: phase "main" (shards A) then phase "anneal" (shards B, a new channel,
      RoPE theta and LR scale changed) from step 50; held-out shards E every 20 steps; a drop injected
  S   the same config stopped at 40 (schedule.total_steps=80), then relaunched to 80: the resume
      crosses the phase switch and equals R step for step
  K   `python -m trainer.rollback R --to ckpt-70 --skip-chunks 1`, relaunched: resumes at ckpt-70
      one chunk further on
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from tests.trainer.launch import REPO, check, deepspeed, env, metrics
from trainer.synthetic import write_synthetic_shards

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("zero3-run")]  # they share tests/trainer/conftest.py's run

TINY = "trainer/configs/tiny.yaml"
SWITCH = 50                   # phase "anneal" from step 50 (0-based: optimizer step 51 is its first)
WINDOWS_PER_STEP = 2 * 4      # 2 ranks × micro-batch 4, grad_accum 1


@pytest.fixture(scope="module")
def data(tmp_path_factory, zero3_export):
    root = tmp_path_factory.mktemp("curriculum")
    dirs = {name: str(root / name) for name in ("main", "anneal", "heldout")}
    dirs["init"] = str(zero3_export[0])
    write_synthetic_shards(dirs["main"], n_chunks=3, tokens_per_chunk=6000, seed=0)
    write_synthetic_shards(dirs["anneal"], n_chunks=3, tokens_per_chunk=6000, seed=1, channels=["en", "math"])
    write_synthetic_shards(dirs["heldout"], n_chunks=1, tokens_per_chunk=3000, seed=2)
    return dirs


def _args(data, run_dir, max_steps, *extra):
    phases = [{"name": "main", "shards": data["main"]},
              {"name": "anneal", "shards": data["anneal"], "start": SWITCH, "lr_scale": 0.5,
               "rope": {"theta": 50000.0}}]
    return ["--config", TINY, "--init-from", data["init"], f"run_dir={run_dir}", f"data.shards={data['main']}",
            f"data.eval_shards={data['heldout']}", "eval.every_steps=20", "eval.max_tokens=1024",
            f"phases={json.dumps(phases)}", "schedule.total_steps=80", f"train.max_steps={max_steps}",
            "checkpoint.every_steps=10", "checkpoint.keep_last=6", "stability.window=10",
            "debug.drop_steps=[60]", *extra]


@pytest.fixture(scope="module")
def reference(data, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("reference")
    check(deepspeed(_args(data, run_dir, 80)))
    return run_dir


def _cosine(step, peak=3e-3, warmup=4, total=80, floor=0.1):
    """The tiny config's schedule, written out: warmup 4, cosine to 10 % over total_steps."""
    if step < warmup:
        return peak * (step + 1) / warmup
    frac = (step - warmup) / (total - warmup)
    return peak * floor + 0.5 * (peak - peak * floor) * (1 + math.cos(math.pi * frac))


def test_stop_at_40_and_extend_to_80_equals_one_run_across_the_phase_switch(data, reference, tmp_path):
    ref, ref_events = metrics(reference)
    assert sorted(ref) == list(range(1, 81))
    # continue-pretrain from the export: starts at the exported model's loss on the first global
    # batch (2 ranks × micro-batch 4 of the main shards, in order), and learns
    from transformers import AutoModelForCausalLM

    from trainer.data import ChannelRegistry, PackedSampler, SamplerState

    assert [e["path"] for e in ref_events if e["event"] == "init_from"] == [data["init"]]
    samples, _, _ = PackedSampler(data["main"], 64, 8, False, SamplerState(seed=1234), ChannelRegistry(8)).next_global_micro()
    ids = torch.from_numpy(np.stack([s["input_ids"] for s in samples]))
    labels = torch.from_numpy(np.stack([s["labels"] for s in samples]))
    with torch.no_grad():
        logits = AutoModelForCausalLM.from_pretrained(data["init"]).eval()(input_ids=ids).logits
    expected_loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten()).item()
    assert abs(ref[1]["loss"] - expected_loss) < 1e-5, (ref[1]["loss"], expected_loss)
    losses = [ref[s]["loss"] for s in range(1, 11)]
    assert np.mean(losses[-3:]) < losses[0] - 0.2, losses
    assert (reference / "tensorboard").is_dir()
    for step in (1, 10, 40, 50, 51, 80):  # one curve of 80 steps; the anneal phase at half the LR
        assert ref[step]["lr"] == pytest.approx(_cosine(step - 1) * (0.5 if step > SWITCH else 1.0), rel=1e-12)
    # the switch: phase events, and the new channel appears only from the anneal phase on
    switches = [(e["step"], e["phase"]) for e in ref_events if e["event"] == "phase"]
    assert switches == [(0, "main"), (SWITCH, "anneal")]
    assert not any("loss/math" in ref[s] for s in range(1, SWITCH + 1))
    assert all("loss/zh" not in ref[s] for s in range(SWITCH + 1, 81))
    assert sum("loss/math" in ref[s] for s in range(SWITCH + 1, 81)) > 20   # a batch may hold no math document

    run_dir = tmp_path / "stopped"
    check(deepspeed(_args(data, run_dir, 40)))
    first, _ = metrics(run_dir)
    assert max(first) == 40 and (run_dir / "ckpt-40" / "COMPLETE").exists()
    check(deepspeed(_args(data, run_dir, 80)))
    resumed, events = metrics(run_dir)
    assert [e["checkpoint"] for e in events if e["event"] == "resume"] == [str(run_dir / "ckpt-40")]
    assert [(e["step"], e["phase"]) for e in events if e["event"] == "phase"] == [(0, "main"), (40, "main"),
                                                                                  (SWITCH, "anneal")]
    for step in range(1, 81):
        assert resumed[step]["lr"] == ref[step]["lr"], step
        assert abs(resumed[step]["loss"] - ref[step]["loss"]) <= 1e-6, step
    for step in (20, 40, 60, 80):
        assert abs(resumed[step]["eval_loss"] - ref[step]["eval_loss"]) <= 1e-6, step

    # held-out rows: every 20 steps, per channel, and equal to trainer.evaluate on the export
    # (which reads only the held-out shards) — so the eval pass never drew from training chunks
    evals = sorted(s for s, r in ref.items() if "eval_loss" in r)
    assert evals == [20, 40, 60, 80]
    assert {"eval_loss/zh", "eval_loss/en", "eval_loss/code"} <= set(ref[80]) and ref[80]["eval_tokens"] == 1024
    assert ref[80]["eval_loss"] < ref[20]["eval_loss"]
    from trainer.evaluate import channel_perplexity, load_model
    from trainer.export import export

    export(str(reference / "ckpt-80"), str(tmp_path / "hf"))
    hf_config = json.loads((tmp_path / "hf" / "config.json").read_text())
    assert hf_config["rope_parameters"]["rope_theta"] == 50000.0     # the anneal phase's RoPE
    oracle = channel_perplexity(load_model(str(tmp_path / "hf")), data["heldout"], 64, max_windows=16)
    for name, r in oracle["channels"].items():
        assert abs(r["loss"] - ref[80][f"eval_loss/{name}"]) < 1e-4, name
    # the ZeRO-2 checkpoint exports to the same tensors as DeepSpeed's own consolidation
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

    consolidated = get_fp32_state_dict_from_zero_checkpoint(str(reference), tag="ckpt-80")
    exported = AutoModelForCausalLM.from_pretrained(tmp_path / "hf").state_dict()
    assert all(torch.equal(exported[k], v) for k, v in consolidated.items() if k in exported)
    assert set(consolidated) - set(exported) <= {"lm_head.weight"}

    # the injected drop is detected and logged with the chunk and windows of its batch: step 60 is
    # the anneal phase's 10th step, with shuffle off windows 72–79 of its first chunk
    # (the new phase's loss also falls fast enough to flag a natural drop or two: that is logged too)
    drops = [e for e in ref_events if e["event"] == "loss_drop" and e["step"] == 60]
    assert len(drops) == 1 and drops[0]["loss"] < drops[0]["threshold"]
    first_window = (60 - SWITCH - 1) * WINDOWS_PER_STEP
    assert drops[0]["data"] == [["chunk-00000", w] for w in range(first_window, first_window + WINDOWS_PER_STEP)]
    assert drops[0]["phase"] == "anneal"


def test_rollback_tool_restarts_from_an_older_checkpoint_skipping_a_chunk(data, reference):
    before = json.loads((reference / "ckpt-70" / "loop.json").read_text())
    # anneal steps 51–70 read 160 windows: ckpt-70 is inside the second chunk (~93 windows each)
    assert before["phase"] == 1 and before["sampler"]["chunk_pos"] == 1 and before["sampler"]["window_pos"] > 0
    newer = sorted(n for n in os.listdir(reference) if n.startswith("ckpt-") and int(n[5:]) > 70)
    out = subprocess.run([sys.executable, "-m", "trainer.rollback", str(reference), "--to", "ckpt-70",
                          "--skip-chunks", "1"], cwd=REPO, env=env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert sorted(os.listdir(reference / "rolled_back")) == newer and "ckpt-80" in newer
    # relaunch with the drop hook moved to the first steps after the rollback, to see the windows read
    check(deepspeed(_args(data, reference, 80, "debug.drop_steps=[71,72]")))
    steps, events = metrics(reference)
    manual = [e for e in events if e["event"] == "manual_rollback"]
    assert len(manual) == 1 and manual[0]["step"] == 70
    assert manual[0]["sampler"]["chunk_pos"] == 2 and manual[0]["sampler"]["window_pos"] == 0
    drops = {e["step"]: e["data"] for e in events if e["event"] == "loss_drop" and e["step"] in (71, 72)}
    # the anneal shards' third chunk from its first window: the rest of chunk-00001 is skipped
    assert drops[71] == [["chunk-00002", w] for w in range(0, 8)]
    assert drops[72] == [["chunk-00002", w] for w in range(8, 16)]
    assert (reference / "ckpt-80" / "COMPLETE").exists()

    bad = subprocess.run([sys.executable, "-m", "trainer.rollback", str(reference), "--to", "ckpt-3"],
                         cwd=REPO, env=env(), capture_output=True, text=True)
    assert bad.returncode == 2 and "not a complete checkpoint" in bad.stderr
