"""Launch the trainer the way a user does (the deepspeed launcher, 2 CPU ranks on gloo) from tests."""
import json
import os
import socket
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict:
    e = dict(os.environ, DS_ACCELERATOR="cpu", PYTHONPATH=REPO, OMP_NUM_THREADS="1")
    e.pop("CUDA_VISIBLE_DEVICES", None)
    return e


def deepspeed(args: list[str], ranks: int = 2, timeout: int = 600) -> subprocess.CompletedProcess:
    """``deepspeed --num_gpus N trainer/pretrain.py ARGS`` (the CPU accelerator takes --num_gpus as ranks)."""
    cmd = [sys.executable, "-m", "deepspeed.launcher.runner", "--num_gpus", str(ranks),
           "--master_port", str(free_port()), "trainer/pretrain.py", *args]
    return subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True, timeout=timeout)


def metrics(run_dir) -> tuple[dict, list]:
    """({step: record} merging the rows of a step (train, eval), the last value per key, [events])."""
    steps, events = {}, []
    with open(os.path.join(run_dir, "metrics.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            (events.append(r) if "event" in r else steps.setdefault(r["step"], {}).update(r))
    return steps, events


def check(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


TINY = "trainer/configs/tiny.yaml"


def zero3_args(shards, run_dir, *extra) -> list[str]:
    """The ZeRO-3 run of the e2e tests (tests/trainer/conftest.py), 14 steps."""
    return ["--config", TINY, f"data.shards={shards}", f"run_dir={run_dir}", "train.max_steps=14",
            "checkpoint.every_steps=5", "deepspeed.zero_stage=3", "data.document_mask=true",
            "data.shuffle=true", *extra]  # shuffled chunks: every channel in every log interval
