"""Probes and benchmarks as a trend: every complete checkpoint of a run, evaluated once, one row each
in ``RUN_DIR/eval_history.jsonl`` (the notes: what matters is whether a score keeps rising, not its
value).

    python -m trainer.evaluate --run RUN_DIR [--benchmark B.jsonl] [--probes P.yaml] [--shards HELD_OUT] [--all]

Each checkpoint without a row is exported on the fly (``trainer.export``, streamed one tensor at a
time, fp32) into a temporary directory inside the run, evaluated, and the export removed; run it
again later (cron, a loop next to training) and only the new checkpoints are evaluated. ``--all``
re-evaluates every complete checkpoint and replaces their rows. The full result of each
checkpoint is kept as ``RUN_DIR/evals/ckpt-N.json`` for case analysis.

A row: ``{step, tokens, checkpoint, heldout: {loss, channels: {name: loss}}, benchmarks: {name:
{variant: accuracy}}, probes: {name: value}, probe_kinds: {name: kind}}``; ``tokens`` is
step × tokens per step (micro batch × grad accum × world × seq_len), which is what the trainer
counts as consumed (a rollback restores both).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time

from refinery.report.jsonl import read_jsonl
from trainer import checkpoint
from trainer.evalsuite import EvalOptions, evaluate_model

HISTORY = "eval_history.jsonl"


def read_history(run_dir: str) -> list[dict]:
    path = os.path.join(run_dir, HISTORY)
    return read_jsonl(path) if os.path.isfile(path) else []


def _tokens_seen(ckpt: str, step: int) -> int:
    with open(os.path.join(ckpt, "trainer_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    with open(os.path.join(ckpt, checkpoint.COMPLETE), encoding="utf-8") as f:
        world = int(json.load(f).get("world_size", 1))
    t = cfg["train"]
    return step * t["micro_batch_size"] * t["grad_accum"] * world * cfg["data"]["seq_len"]


def summarize(result: dict) -> dict:
    """The numbers a trend plot needs, from one ``evaluate_model`` result."""
    from trainer.probes import trend_value

    row: dict = {}
    held = result.get("heldout")
    if held and held.get("tokens"):
        row["heldout"] = {"loss": math.log(held["perplexity"]),
                          "channels": {name: c["loss"] for name, c in held["channels"].items()}}
    if result.get("benchmarks"):
        row["benchmarks"] = {name: {v: r["accuracy"] for v, r in b["transforms"].items()}
                             for name, b in result["benchmarks"].items()}
    if result.get("probes"):
        row["probes"] = {p["name"]: trend_value(p) for p in result["probes"]}
        row["probe_kinds"] = {p["name"]: p["kind"] for p in result["probes"]}
    return row


def _run_defaults(opts: EvalOptions, ckpt: str, seq_len_given: bool) -> EvalOptions:
    """The run's own held-out shards, sequence length and tokenizer where the caller gave none."""
    import dataclasses

    with open(os.path.join(ckpt, "trainer_config.json"), encoding="utf-8") as f:
        data = json.load(f)["data"]
    changes = {}
    if opts.shards is None and data.get("eval_shards"):
        changes["shards"] = data["eval_shards"]
    if not seq_len_given:
        changes["seq_len"] = data["seq_len"]
    if opts.tokenizer is None and data.get("tokenizer"):
        changes["tokenizer"] = data["tokenizer"]
    return dataclasses.replace(opts, **changes)


def evaluate_run(run_dir: str, opts: EvalOptions, all_checkpoints: bool = False, seq_len_given: bool = False,
                 log=print) -> list[dict]:
    """Evaluate the complete checkpoints that have no history row (all with ``all_checkpoints``);
    returns the new rows."""
    import torch

    from trainer.export import export

    if not os.path.isdir(run_dir):
        raise FileNotFoundError(f"{run_dir}: no such run directory")
    found = checkpoint.list_checkpoints(run_dir)
    if not found:
        raise FileNotFoundError(f"{run_dir}: no complete checkpoint (ckpt-N/ with a COMPLETE marker)")
    history = read_history(run_dir)
    done = {r["step"] for r in history}
    todo = [(s, p) for s, p in found if all_checkpoints or s not in done]
    log(f"{run_dir}: {len(found)} complete checkpoint(s), {len(todo)} to evaluate")
    new_rows = []
    os.makedirs(os.path.join(run_dir, "evals"), exist_ok=True)
    for step, ckpt in todo:
        run_opts = _run_defaults(opts, ckpt, seq_len_given)
        tmp = tempfile.mkdtemp(prefix=".eval-export-", dir=run_dir)
        try:
            started = time.time()
            export(ckpt, tmp, torch.float32)
            result = evaluate_model(tmp, run_opts, log=lambda m: log(f"  ckpt-{step}: {m}"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result["model"] = ckpt
        with open(os.path.join(run_dir, "evals", f"ckpt-{step}.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, ensure_ascii=False)
        row = {"step": step, "tokens": _tokens_seen(ckpt, step), "checkpoint": os.path.basename(ckpt),
               "time": time.time(), "seconds": round(time.time() - started, 2), **summarize(result)}
        new_rows.append(row)
        if all_checkpoints:
            history = [r for r in history if r["step"] != step]
        else:
            _append(run_dir, row)
        log(f"  ckpt-{step}: done in {row['seconds']} s")
    if all_checkpoints:
        _rewrite(run_dir, sorted(history + new_rows, key=lambda r: r["step"]))
    return new_rows


def _append(run_dir: str, row: dict) -> None:
    with open(os.path.join(run_dir, HISTORY), "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _rewrite(run_dir: str, rows: list[dict]) -> None:
    path = os.path.join(run_dir, HISTORY)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)
