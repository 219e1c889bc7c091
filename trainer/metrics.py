"""Training metrics: ``run_dir/metrics.jsonl`` (one JSON object per logged step or event) and TensorBoard.

Losses are summed on the device per micro-batch (overall and per channel) and brought to the host
only at log steps, after one all-reduce, so the hot loop does not synchronise for logging.

MFU (model FLOPs utilisation, PaLM appendix B):
    MFU = tokens_per_s × flops_per_token / (num_devices × peak_flops_per_device)
    flops_per_token = 6·N + 12·L·H·S      (N: matmul weights, L layers, H hidden, S seq_len)
see ``trainer.model.flops_per_token``. Peak FLOP/s: ``log.peak_flops``, else the dense bf16 figure
of a known GPU; on CPU MFU is not logged.
"""
from __future__ import annotations

import json
import os
import resource
import time

import torch
import torch.distributed as dist

# dense bf16 tensor-core peak, FLOP/s (vendor datasheets)
PEAK_BF16_FLOPS = {"H100": 989e12, "H200": 989e12, "H800": 989e12, "A100": 312e12, "A800": 312e12,
                   "L40S": 362e12, "A10": 125e12, "4090": 165e12}


def peak_flops(configured: float | None) -> float | None:
    if configured:
        return configured
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    for key, flops in PEAK_BF16_FLOPS.items():
        if key in name:
            return flops
    return None


class LossTracker:
    """Device-side sums: [loss·tokens, tokens, per-channel loss sums…, per-channel token counts…]."""

    def __init__(self, max_channels: int, device):
        self.c = max_channels
        self.sums = torch.zeros(2 + 2 * max_channels, dtype=torch.float64, device=device)

    @torch.no_grad()
    def add(self, token_losses: torch.Tensor, channels: torch.Tensor) -> None:
        flat = token_losses.detach().reshape(-1).double()
        ch = channels.reshape(-1)
        self.sums[0] += flat.sum()
        self.sums[1] += flat.numel()
        self.sums[2:2 + self.c].index_add_(0, ch, flat)
        self.sums[2 + self.c:].index_add_(0, ch, torch.ones_like(flat))

    def reduce_and_reset(self) -> tuple[float, dict[int, float], int]:
        """All-reduce, read to host once: (mean loss, {channel id: mean loss}, tokens)."""
        sums = self.sums.clone()
        if dist.is_initialized() and dist.get_world_size() > 1:
            dist.all_reduce(sums)
        self.sums.zero_()
        values = sums.tolist()
        tokens = values[1]
        per_channel = {}
        for i in range(self.c):
            n = values[2 + self.c + i]
            if n > 0:
                per_channel[i] = values[2 + i] / n
        return (values[0] / tokens if tokens else float("nan")), per_channel, int(tokens)


def memory_gb(device) -> dict:
    if device.type == "cuda":
        return {"mem_gb": torch.cuda.max_memory_allocated(device) / 2**30,
                "mem_reserved_gb": torch.cuda.max_memory_reserved(device) / 2**30}
    return {"mem_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}  # peak RSS (Linux: KiB)


class MetricsLogger:
    """Rank 0 writes; other ranks' calls are no-ops. Events (skip, rollback, checkpoint) go to the same file."""

    def __init__(self, run_dir: str, rank: int, tensorboard: bool):
        self.rank = rank
        self.file = None
        self.tb = None
        self.tb_missing = False
        if rank != 0:
            return
        self.file = open(os.path.join(run_dir, "metrics.jsonl"), "a", encoding="utf-8")
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
                self.tb = SummaryWriter(os.path.join(run_dir, "tensorboard"))
            except ImportError:  # the tensorboard package is not installed
                self.tb_missing = True

    def log(self, record: dict) -> None:
        if self.file is None:
            return
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.file.flush()
        if self.tb is not None and "step" in record and "event" not in record:
            for key, value in record.items():
                if key != "step" and isinstance(value, (int, float)):
                    self.tb.add_scalar(key, value, record["step"])

    def event(self, step: int, name: str, **fields) -> None:
        self.log({"step": step, "event": name, "time": time.time(), **fields})
        if self.rank == 0:
            print(f"[trainer] step {step}: {name} {fields}", flush=True)

    def close(self) -> None:
        if self.file:
            self.file.close()
        if self.tb:
            self.tb.close()
