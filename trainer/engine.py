"""DeepSpeed plumbing: process group, the generated ``ds_config``, the optimizer, the engine.

The DeepSpeed config is generated from the YAML (ZeRO stage, offload, micro batch, gradient
accumulation, clipping, bf16 with fp32 gradient reduction) so there is one place to change a run;
a user's own ``ds_config.json`` (``deepspeed.config_file``) is deep-merged over it with a printed
diff, except that batch sizes and precision must agree with the YAML (``trainer.ds_config``).
"""
from __future__ import annotations

import json
import os

import torch

from trainer.config import TrainerConfig
from trainer.ds_config import merge_user_config, precision_keys


def init_distributed(cfg: TrainerConfig) -> tuple[int, int, torch.device]:
    """Join the process group the launcher set up (or a world of one under plain ``python``)."""
    for key, default in (("RANK", "0"), ("LOCAL_RANK", "0"), ("WORLD_SIZE", "1"),
                         ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29511")):
        os.environ.setdefault(key, default)
    import importlib

    import deepspeed
    from deepspeed.accelerator import get_accelerator

    accel = get_accelerator()
    if accel.device_name() == "cpu" and not cfg.deepspeed.cpu_shm_comm:
        # DeepSpeed builds its CPU shared-memory allreduce with a JIT compile (~2 min) at the first
        # init; gloo does the collectives without it, so keep the build out of time-to-first-loss.
        importlib.import_module("deepspeed.comm.torch").build_shm_op = lambda: None
    deepspeed.init_distributed(dist_backend=accel.communication_backend_name())
    rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
    if accel.device_name() == "cpu" and "OMP_NUM_THREADS" not in os.environ:
        # ranks on one host share its cores; oversubscribed threads make every rank slower
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", os.environ.get("LOCAL_SIZE", world)))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, local_world)))
    if accel.device_name() == "cuda":
        local = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(local)
        return rank, world, torch.device("cuda", local)
    return rank, world, torch.device("cpu")


def deepspeed_config(cfg: TrainerConfig, world: int, report=print) -> dict:
    t, d = cfg.train, cfg.deepspeed
    zero: dict = {"stage": d.zero_stage, "overlap_comm": d.zero_stage > 0, "contiguous_gradients": True}
    if d.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": torch.cuda.is_available()}
    if d.offload_params:
        zero["offload_param"] = {"device": "cpu", "pin_memory": torch.cuda.is_available()}
    if d.zero_stage == 3:
        zero["stage3_gather_16bit_weights_on_model_save"] = False  # export consolidates offline
    zero.update(d.zero_extra)
    ds = {
        "train_micro_batch_size_per_gpu": t.micro_batch_size,
        "gradient_accumulation_steps": t.grad_accum,
        "train_batch_size": t.micro_batch_size * t.grad_accum * world,
        "gradient_clipping": t.grad_clip,
        **precision_keys(t.precision),
        "zero_optimization": zero,
        # our torch AdamW works with ZeRO (and offload) without DeepSpeed's JIT-built CPUAdam
        "zero_allow_untested_optimizer": True,
        "zero_force_ds_cpu_optimizer": False,
        "steps_per_print": 1 << 30,
        "wall_clock_breakdown": False,
    }
    if d.config_file:
        with open(d.config_file, encoding="utf-8") as f:
            user = json.load(f)
        ds, diff = merge_user_config(ds, user, d.config_file)
        if report is not None:
            for line in diff or [f"{d.config_file}: no change to the generated config"]:
                report(f"[trainer] ds_config {line}")
    return ds


def build_optimizer(model, cfg: TrainerConfig) -> torch.optim.Optimizer:
    """AdamW (betas 0.9/0.95 by default); no weight decay on norms and biases (1-D tensors)."""
    o = cfg.optimizer
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
    groups = [{"params": decay, "weight_decay": o.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    fused = o.fused and torch.cuda.is_available() and not cfg.deepspeed.offload_optimizer
    return torch.optim.AdamW(groups, lr=o.lr, betas=tuple(o.betas), eps=o.eps, fused=fused or None)


def build_engine(model, cfg: TrainerConfig, world: int):
    import deepspeed

    optimizer = build_optimizer(model, cfg)
    report = print if torch.distributed.get_rank() == 0 else None
    engine, _, _, _ = deepspeed.initialize(model=model, optimizer=optimizer,
                                           config=deepspeed_config(cfg, world, report))
    return engine


def set_lr(engine, lr: float) -> None:
    for group in engine.optimizer.param_groups:
        group["lr"] = lr
