"""Checkpoints: ``run_dir/ckpt-N/`` written by DeepSpeed (each rank its own ZeRO shard), plus the
loop's state (step, sampler position, spike history, RNG of every rank) and, written last, a
``COMPLETE`` marker. A checkpoint without the marker was cut short (a kill mid-write) and is
never resumed from; auto-resume takes the newest complete one, so a crash costs at most
``every_steps`` steps. Loading is parallel: every rank reads only its own shard files.

``run_dir`` must be storage every rank sees (as DeepSpeed itself assumes for multi-node saves).
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import time

import numpy as np
import torch
import torch.distributed as dist

COMPLETE = "COMPLETE"
SAVE_REQUEST = "save"       # `touch run_dir/save` → checkpoint after the current step
_TAG = re.compile(r"^ckpt-(\d+)$")


def tag_for(step: int) -> str:
    return f"ckpt-{step}"


def list_checkpoints(run_dir: str, complete_only: bool = True) -> list[tuple[int, str]]:
    """(step, path) sorted by step; only those with the COMPLETE marker unless asked otherwise."""
    out = []
    if not os.path.isdir(run_dir):
        return out
    for name in os.listdir(run_dir):
        m = _TAG.match(name)
        path = os.path.join(run_dir, name)
        if m and os.path.isdir(path) and (not complete_only or os.path.isfile(os.path.join(path, COMPLETE))):
            out.append((int(m.group(1)), path))
    return sorted(out)


def latest_complete(run_dir: str) -> str | None:
    found = list_checkpoints(run_dir)
    return found[-1][1] if found else None


def rng_state() -> dict:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])


def save(engine, run_dir: str, step: int, loop_state: dict, keep_last: int, reason: str,
         metadata: dict | None = None) -> str:
    """Collective: every rank writes its shard and RNG; rank 0 writes ``metadata`` (file name → JSON:
    the HF model config and the trainer config, for export) and, after a barrier, the marker."""
    rank = dist.get_rank()
    tag = tag_for(step)
    path = os.path.join(run_dir, tag)
    if rank == 0 and os.path.isdir(path):  # a cut-short attempt at the same step
        shutil.rmtree(path)
    dist.barrier()
    engine.save_checkpoint(run_dir, tag=tag, client_state={"loop": loop_state}, save_latest=False)
    os.makedirs(path, exist_ok=True)  # ZeRO-0: ranks other than 0 write no DeepSpeed file
    torch.save(rng_state(), os.path.join(path, f"rng-rank{rank}.pt"))
    dist.barrier()
    if rank == 0:
        for name, content in (metadata or {}).items():
            with open(os.path.join(path, name), "w", encoding="utf-8") as f:
                json.dump(content, f, indent=2, default=str)
        marker = os.path.join(path, COMPLETE)
        with open(marker + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"step": step, "reason": reason, "time": time.time(),
                       "world_size": dist.get_world_size()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(marker + ".tmp", marker)
        prune(run_dir, keep_last)
    dist.barrier()
    return path


def prune(run_dir: str, keep_last: int) -> None:
    """Keep the newest ``keep_last`` complete checkpoints; drop older ones and stale partial ones."""
    complete = list_checkpoints(run_dir)
    keep = {p for _, p in complete[-keep_last:]}
    newest = complete[-1][0] if complete else -1
    for step, p in list_checkpoints(run_dir, complete_only=False):
        if p not in keep and step < newest:
            shutil.rmtree(p, ignore_errors=True)


def load(engine, path: str, restore_rng: bool = True) -> dict:
    """Restore engine (weights, optimizer, ZeRO partitions) from ``path``; returns the loop state."""
    run_dir, tag = os.path.split(path.rstrip("/"))
    _, client = engine.load_checkpoint(run_dir, tag=tag, load_optimizer_states=True,
                                       load_lr_scheduler_states=False)
    if client is None:
        raise RuntimeError(f"{path}: DeepSpeed could not load this checkpoint")
    rng_file = os.path.join(path, f"rng-rank{dist.get_rank()}.pt")
    if restore_rng and os.path.isfile(rng_file):
        set_rng_state(torch.load(rng_file, weights_only=False))
    return client["loop"]


def remove_partial(run_dir: str) -> None:
    """Rank 0 at start: delete checkpoints newer than the newest complete one (cut-short writes)."""
    complete = list_checkpoints(run_dir)
    newest = complete[-1][0] if complete else -1
    for step, p in list_checkpoints(run_dir, complete_only=False):
        if step > newest:
            shutil.rmtree(p, ignore_errors=True)


class SaveRequests:
    """Polls for ``run_dir/save`` on rank 0 and shares the answer with every rank (CPU gloo group,
    so on GPUs this never synchronises the device stream)."""

    def __init__(self, run_dir: str):
        self.path = os.path.join(run_dir, SAVE_REQUEST)
        self.rank = dist.get_rank()
        self.group = None if dist.get_backend() == "gloo" else dist.new_group(backend="gloo")

    def requested(self) -> bool:
        flag = torch.tensor([1 if self.rank == 0 and os.path.exists(self.path) else 0], dtype=torch.int32)
        if dist.get_world_size() > 1:
            dist.all_reduce(flag, group=self.group)
        return bool(flag.item())

    def done(self) -> None:
        if self.rank == 0:
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass
