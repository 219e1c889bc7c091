"""Gather what a pipeline run left on disk into one plain dict the report draws from.

Everything comes from files each stage already writes (`_stats.json`, the scored Parquet's
two columns, the tokenizer's compression report, the trainer's `metrics.jsonl`), so the
report needs no Spark and can be re-made at any time.
"""
from __future__ import annotations

import glob
import json
import os

import pyarrow.dataset as ds

from refinery.report.jsonl import read_jsonl

STAGE_ORDER = ["ingest", "clean", "score", "dedup", "mix", "tokenize"]


def _read_json(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def stage_stats(run_dir: str) -> dict[str, dict]:
    """`_stats.json` of every stage directory directly under ``run_dir``, in pipeline order."""
    found = {}
    for path in glob.glob(os.path.join(run_dir, "*", "_stats.json")):
        stats = _read_json(path)
        if stats and stats.get("stage"):  # a stage output (the mix's usage table has no stage)
            found[stats["stage"]] = dict(stats, _dir=os.path.dirname(path))
    rank = {s: i for i, s in enumerate(STAGE_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def quality_by_category(scored_dir: str, max_rows: int = 200_000) -> dict[str, list[float]]:
    """`quality_score` values per `category` from a scored dataset's kept rows (two columns only)."""
    kept = os.path.join(scored_dir, "kept")
    if not os.path.isdir(kept):
        return {}
    dataset = ds.dataset(kept, format="parquet", partitioning="hive")
    if not {"category", "quality_score"} <= set(dataset.schema.names):
        return {}
    table = dataset.head(max_rows, columns=["category", "quality_score"])
    out: dict[str, list[float]] = {}
    for cat, score in zip(table.column("category").to_pylist(), table.column("quality_score").to_pylist()):
        if score is not None:
            out.setdefault(cat or "unknown", []).append(float(score))
    return out


def training_metrics(run_dir: str) -> list[dict]:
    """Rows of the trainer's `metrics.jsonl`, wherever under ``run_dir`` it lies (first found)."""
    for path in sorted(glob.glob(os.path.join(run_dir, "**", "metrics.jsonl"), recursive=True)):
        return read_jsonl(path)
    return []


def tokenizer_report(run_dir: str) -> dict | None:
    """The tokenizer's compression report (``compression.json``), if the run trained one."""
    for path in sorted(glob.glob(os.path.join(run_dir, "**", "compression.json"), recursive=True)):
        return _read_json(path)
    return None


def eval_history(run_dir: str) -> list[dict]:
    """Rows of ``eval_history.jsonl`` (``trainer.evaluate --run``), wherever under ``run_dir`` (first found)."""
    for path in sorted(glob.glob(os.path.join(run_dir, "**", "eval_history.jsonl"), recursive=True)):
        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut by a killed evaluation
                if isinstance(row, dict) and "tokens" in row:
                    rows.append(row)
        return sorted(rows, key=lambda r: r["tokens"])
    return []


def collect_run(run_dir: str) -> dict:
    stages = stage_stats(run_dir)
    score_dir = stages.get("score", {}).get("_dir")
    return {
        "run_dir": os.path.abspath(run_dir),
        "stages": stages,
        "quality_by_category": quality_by_category(score_dir) if score_dir else {},
        "tokenizer": tokenizer_report(run_dir),
        "training": training_metrics(run_dir),
        "eval_history": eval_history(run_dir),
    }
