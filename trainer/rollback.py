"""Roll a run back to an older checkpoint and skip the data that followed it.

    python -m trainer.rollback RUN --to ckpt-N [--skip-chunks K]

PaLM's fix for a spike that the skip-a-batch rule did not catch (Chowdhery et al. 2022, §5.1):
restart from a checkpoint before it and skip the batches that came after. This tool does the
bookkeeping; the next launch of the same command does the restart:

* checkpoints newer than ``ckpt-N`` move to ``RUN/rolled_back/`` (kept, not deleted), so
  auto-resume takes ``ckpt-N``;
* ``RUN/rollback.json`` names ``ckpt-N`` and the data position to resume at: by default where the
  newest checkpoint had got to (everything read after ``ckpt-N`` is skipped); with
  ``--skip-chunks K`` the start of the K-th chunk after the one ``ckpt-N`` was reading.
  The trainer applies it only when it resumes from exactly ``ckpt-N``; later checkpoints carry
  the new position themselves.

Light on purpose (no DeepSpeed): it reads the loop state (``loop.json``) saved with each checkpoint.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

from trainer.checkpoint import COMPLETE, list_checkpoints

ROLLBACK_FILE = "rollback.json"


def loop_state(path: str) -> dict:
    """The loop state (step, phase, sampler) saved in a checkpoint's DeepSpeed client state."""
    readable = os.path.join(path, "loop.json")
    if os.path.isfile(readable):
        with open(readable, encoding="utf-8") as f:
            return json.load(f)
    import torch  # older checkpoints: the DeepSpeed client state in a torch pickle

    files = sorted(f for f in os.listdir(path) if f.endswith("model_states.pt"))
    if not files:
        raise FileNotFoundError(f"{path}: no DeepSpeed model_states file")
    state = torch.load(os.path.join(path, files[0]), map_location="cpu", weights_only=False)
    return state["loop"]


def _phase_shards(path: str, phase: int) -> str:
    with open(os.path.join(path, "trainer_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    phases = cfg.get("phases") or []
    if phases and phases[phase].get("shards"):
        return phases[phase]["shards"]
    return cfg["data"]["shards"]


def skip_chunks(sampler: dict, k: int, n_chunks: int) -> dict:
    """The position at the start of the k-th chunk after the current one (wrapping into epochs)."""
    pos = sampler["chunk_pos"] + k
    return {**sampler, "epoch": sampler["epoch"] + pos // n_chunks, "chunk_pos": pos % n_chunks, "window_pos": 0}


def plan(run_dir: str, to: str, k: int | None) -> dict:
    from refinery.tokenize.shards import list_chunks

    found = dict((os.path.basename(p), (s, p)) for s, p in list_checkpoints(run_dir))
    if to not in found:
        raise ValueError(f"{to}: not a complete checkpoint of {run_dir} (have {sorted(found, key=lambda n: found[n][0])})")
    step, path = found[to]
    target = loop_state(path)
    newer = [(s, p) for s, p in list_checkpoints(run_dir, complete_only=False) if s > step]
    if k is not None:
        n = len(list_chunks(_phase_shards(path, target.get("phase", 0))))
        phase, sampler = target.get("phase", 0), skip_chunks(target["sampler"], k, n)
    else:
        newest = [p for s, p in newer if os.path.isfile(os.path.join(p, COMPLETE))]
        if newest:
            last = loop_state(newest[-1])
            phase, sampler = last.get("phase", 0), last["sampler"]
        else:  # nothing newer was saved: nothing known to skip
            phase, sampler = target.get("phase", 0), target["sampler"]
    return {"checkpoint": to, "step": step, "phase": phase, "sampler": sampler,
            "from_sampler": target["sampler"], "moved": [os.path.basename(p) for _, p in newer]}


def apply(run_dir: str, decision: dict) -> None:
    aside = os.path.join(run_dir, "rolled_back")
    os.makedirs(aside, exist_ok=True)
    for name in decision["moved"]:
        dest = os.path.join(aside, name)
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.rename(os.path.join(run_dir, name), dest)
    tmp = os.path.join(run_dir, ROLLBACK_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(decision, f, indent=2)
    os.replace(tmp, os.path.join(run_dir, ROLLBACK_FILE))


def pending(run_dir: str, resumed_from: str) -> dict | None:
    """The trainer's side: the position to use when resuming from the checkpoint the tool named."""
    path = os.path.join(run_dir, ROLLBACK_FILE)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        decision = json.load(f)
    if decision["checkpoint"] != os.path.basename(resumed_from.rstrip("/")):
        return None
    return {"checkpoint": decision["checkpoint"], "phase": decision["phase"], "sampler": decision["sampler"],
            "skipped_from": decision["from_sampler"]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m trainer.rollback", description=__doc__.splitlines()[0])
    p.add_argument("run_dir")
    p.add_argument("--to", required=True, help="checkpoint name, e.g. ckpt-400")
    p.add_argument("--skip-chunks", type=int, help="resume at the start of the K-th chunk after ckpt-N's")
    a = p.parse_args(argv)
    if a.skip_chunks is not None and a.skip_chunks < 0:
        print("rollback: --skip-chunks must be >= 0", file=sys.stderr)
        return 2
    try:
        decision = plan(a.run_dir, a.to, a.skip_chunks)
    except (ValueError, FileNotFoundError, KeyError) as e:
        print(f"rollback: {e}", file=sys.stderr)
        return 2
    apply(a.run_dir, decision)
    print(f"rollback: {a.run_dir} resumes from {a.to} (step {decision['step']}) at data position "
          f"{decision['sampler']} (was {decision['from_sampler']}); moved aside: {decision['moved'] or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
