"""Trainer config validation, the shipped configs, DeepSpeed config generation, LR schedules."""
import json
import math

import pytest

from refinery.config import ConfigError, load_config, parse_overrides
from trainer.config import ScheduleConfig, TrainerConfig
from trainer.engine import deepspeed_config
from trainer.schedule import build_schedule

CONFIGS = ["tiny", "125m", "1b", "continue_7b"]


def _load(name, tmp_path, *overrides):
    return load_config(f"trainer/configs/{name}.yaml", TrainerConfig,
                       parse_overrides([f"data.shards={tmp_path}", *overrides]))


@pytest.mark.parametrize("name", CONFIGS)
def test_shipped_configs_load_and_have_gpu_friendly_shapes(name, tmp_path):
    cfg = _load(name, tmp_path)
    m = cfg.model
    assert m.hidden_size % 128 == 0 and m.vocab_size % 128 == 0 and m.intermediate_size % 128 == 0
    if name != "tiny":
        assert m.num_heads % 8 == 0 and cfg.train.precision == "bf16"
    assert cfg.optimizer.betas == [0.9, 0.95]


def test_bad_keys_and_values_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"^train\.max_step: unknown key"):
        _load("tiny", tmp_path, "train.max_step=3")
    with pytest.raises(ConfigError, match=r"^train\.max_steps: must be positive"):
        _load("tiny", tmp_path, "train.max_steps=0")
    with pytest.raises(ConfigError, match=r"^deepspeed\.zero_stage: expected one of"):
        _load("tiny", tmp_path, "deepspeed.zero_stage=4")
    with pytest.raises(ConfigError, match=r"^model\.num_kv_heads: must divide"):
        _load("tiny", tmp_path, "model.num_kv_heads=3")
    with pytest.raises(ConfigError, match=r"^data\.shards: not a directory"):
        _load("tiny", tmp_path, f"data.shards={tmp_path}/missing")
    with pytest.raises(ConfigError, match=r"^deepspeed\.offload_params: needs zero_stage 3"):
        _load("tiny", tmp_path, "deepspeed.offload_params=true")


def test_pretrain_exits_2_on_config_error_before_any_heavy_work(tmp_path, capsys):
    from trainer.pretrain import main

    assert main(["--config", "trainer/configs/tiny.yaml", f"data.shards={tmp_path}", "optimizer.betas=[0.9]"]) == 2
    assert "optimizer.betas" in capsys.readouterr().err


def test_generated_deepspeed_config_and_user_file(tmp_path):
    cfg = _load("tiny", tmp_path, "deepspeed.zero_stage=3", "deepspeed.offload_optimizer=true",
                "train.grad_accum=4", "train.precision=bf16")
    ds = deepspeed_config(cfg, world=2)
    assert ds["train_batch_size"] == cfg.train.micro_batch_size * 4 * 2
    assert ds["zero_optimization"]["stage"] == 3 and ds["zero_optimization"]["offload_optimizer"]["device"] == "cpu"
    assert ds["bf16"]["enabled"] and ds["gradient_clipping"] == 1.0
    user = tmp_path / "ds.json"
    user.write_text(json.dumps({"zero_optimization": {"stage": 1}, "train_micro_batch_size_per_gpu": 99}))
    cfg = _load("tiny", tmp_path, f"deepspeed.config_file={user}")
    with pytest.raises(ConfigError, match="train_micro_batch_size_per_gpu"):
        deepspeed_config(cfg, world=2)
    user.write_text(json.dumps({"zero_optimization": {"stage": 1, "reduce_bucket_size": 2e8},
                                "train_micro_batch_size_per_gpu": "auto", "bf16": {"enabled": "auto"}}))
    printed = []
    merged = deepspeed_config(cfg, world=2, report=printed.append)
    generated = deepspeed_config(_load("tiny", tmp_path), world=2)
    # deep merge: the user's two keys change, the rest of the section stays as generated
    assert merged["zero_optimization"] == {**generated["zero_optimization"], "stage": 1, "reduce_bucket_size": 2e8}
    assert {k: v for k, v in merged.items() if k != "zero_optimization"} == \
        {k: v for k, v in generated.items() if k != "zero_optimization"}
    assert sorted(line.split(": ", 1)[1] for line in printed) == [
        "zero_optimization.reduce_bucket_size: (unset) -> 200000000.0", "zero_optimization.stage: 2 -> 1"]


def test_user_ds_config_cannot_turn_bf16_off_and_bf16_reduces_gradients_in_fp32(tmp_path):
    import torch
    from deepspeed.runtime.config import DeepSpeedConfig

    user = tmp_path / "ds.json"
    user.write_text(json.dumps({"bf16": {"enabled": False}}))
    cfg = _load("1b", tmp_path, f"deepspeed.config_file={user}")
    with pytest.raises(ConfigError, match=r"bf16.enabled=false disagrees with train.precision"):
        deepspeed_config(cfg, world=1)
    user.write_text(json.dumps({"fp16": {"enabled": True}}))
    with pytest.raises(ConfigError, match="fp16.enabled"):
        deepspeed_config(cfg, world=1)
    # DeepSpeed's own parser reads the generated config: bf16 model, fp32 gradient communication
    parsed = DeepSpeedConfig(deepspeed_config(_load("1b", tmp_path), world=1))
    assert parsed.bfloat16_config.enabled and parsed.zero_optimization_stage == 2
    assert parsed.communication_data_type == torch.float32
    assert DeepSpeedConfig(deepspeed_config(_load("tiny", tmp_path), world=1)).communication_data_type is None


def test_cosine_wsd_constant_are_pure_functions_of_step():
    cos = build_schedule(ScheduleConfig(kind="cosine", warmup_steps=10, min_lr_ratio=0.1), 1e-3, 110, 1)
    assert cos.lr_at(0) == pytest.approx(1e-4) and cos.lr_at(9) == pytest.approx(1e-3)
    assert cos.lr_at(60) == pytest.approx(1e-4 + 0.5 * 9e-4)        # half-way through the cosine
    assert cos.lr_at(110) == pytest.approx(1e-4) and cos.lr_at(500) == pytest.approx(1e-4)
    lrs = [cos.lr_at(s) for s in range(10, 110)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))                  # never re-warms after the peak
    wsd = build_schedule(ScheduleConfig(kind="wsd", warmup_steps=10, decay_fraction=0.2, min_lr_ratio=0.0), 1e-3, 100, 1)
    assert wsd.lr_at(50) == wsd.lr_at(79) == 1e-3
    assert wsd.lr_at(89) == pytest.approx(5e-4) and wsd.lr_at(99) == pytest.approx(0.0)
    const = build_schedule(ScheduleConfig(kind="constant", warmup_steps=0), 1e-3, 100, 1)
    assert {const.lr_at(s) for s in range(100)} == {1e-3}
    # resume: a fresh Schedule object gives the identical value at the same step
    again = build_schedule(ScheduleConfig(kind="cosine", warmup_steps=10, min_lr_ratio=0.1), 1e-3, 110, 1)
    assert [again.lr_at(s) for s in range(37, 45)] == [cos.lr_at(s) for s in range(37, 45)]


def test_continue_pretrain_preset():
    cfg = ScheduleConfig(preset="continue_pretrain", pretrain_lr=3e-4, pretrain_batch_tokens=4_000_000)
    s = build_schedule(cfg, 1.0, 1000, batch_tokens=16_000_000)
    assert s.peak_lr == pytest.approx(3e-5 * 2)             # 10 % of pretraining's, × sqrt(4)
    assert s.warmup_steps == 50                              # warmup ratio raised to 5 %
    same = build_schedule(ScheduleConfig(preset="continue_pretrain", pretrain_lr=3e-4, same_data=True),
                          1.0, 1000, batch_tokens=1)
    assert same.kind == "constant" and same.warmup_steps == 0 and same.lr_at(0) == pytest.approx(3e-5)
    with pytest.raises(ConfigError, match="pretrain_lr"):
        ScheduleConfig(preset="continue_pretrain")
    assert math.isclose(s.lr_at(999), s.min_lr, rel_tol=1e-3)
