"""`refinery sweep sweep.yaml`: small-model experiments over mixtures before the big run (the seed
notes' 数据实验: several data ratios and orders on a small model, then pick the one whose held-out
loss falls lowest; at this size benchmarks are mostly guessing, which the page shows too).

    sweep_dir: runs/sweep
    documents: runs/demo/dedup          # a stage output (its kept/) or Parquet documents: mixed by every variant
    tokenizer: runs/demo/tokenizer
    heldout: runs/heldout-shards        # token shards (same tokenizer) every variant is evaluated on
    master: local[2]
    chunk_tokens: 100000
    mix: {config: null, set: {total_tokens: 300000, channels: [...]}}   # the base mix; variants override it
    train: {config: trainer/configs/tiny.yaml, ranks: 1, set: [train.max_steps=20, checkpoint.every_steps=10]}
    eval: {probes: conf/probes.demo.yaml, benchmarks: [trainer/benchmarks/data/demo.jsonl], shots: 1}
    variants:
      - {name: zh_heavy, mix: {channels: [{name: zh, ratio: 6, lang: [zh]}, {name: en, ratio: 2, lang: [en]}]}}
      - {name: by_quality, mix: {order: {method: quality}}}

Each variant gets ``SWEEP_DIR/<name>/``: ``mix/`` (its own usage table, so variants never see each
other's usage counts), ``shards/``, ``train/`` (checkpoints, metrics, ``eval_history.jsonl`` from
``trainer.evaluate --run`` over every checkpoint). A rerun skips committed mixes and shards,
training resumes, and only new checkpoints are evaluated. ``SWEEP_DIR/sweep.html`` tabulates the
last checkpoint of every variant side by side: held-out loss overall and per channel, benchmark
accuracy per paper variant, probe values; the best of each column is bold.
"""
from __future__ import annotations

import dataclasses
import html
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from refinery.config import ConfigError, _merge, check, load_config, parse_overrides

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class SweepMix:
    config: str | None = None             # a mix.yaml
    set: dict[str, Any] = field(default_factory=dict)


@dataclass
class SweepTrain:
    config: str = "trainer/configs/tiny.yaml"
    ranks: int = 1
    cpu: bool = True                      # DS_ACCELERATOR=cpu
    set: list[str] = field(default_factory=list)
    timeout_s: int = 3600

    def __post_init__(self):
        check(self.ranks >= 1, "ranks", "must be >= 1")


@dataclass
class SweepEval:
    probes: str | None = None
    benchmarks: list[str] = field(default_factory=list)
    shots: int = 1
    transforms: str | None = None
    max_new_tokens: int = 8
    max_windows: int | None = 200

    def __post_init__(self):
        for path in [self.probes, *self.benchmarks]:
            check(path is None or os.path.isfile(path), "probes" if path == self.probes else "benchmarks",
                  f"no such file: {path}")


@dataclass
class Variant:
    name: str = ""
    mix: dict[str, Any] = field(default_factory=dict)     # keys over the base mix (nested, as in mix.yaml)
    train: list[str] = field(default_factory=list)        # trainer overrides over train.set

    def __post_init__(self):
        check(bool(self.name) and "/" not in self.name and not self.name.startswith("."), "name",
              f"a directory name is needed, got {self.name!r}")


@dataclass
class SweepConfig:
    sweep_dir: str = "runs/sweep"
    documents: str = ""
    tokenizer: str = ""
    heldout: str = ""
    master: str | None = "local[2]"
    spark: dict[str, str] = field(default_factory=dict)
    chunk_tokens: int = 100_000
    mix: SweepMix = field(default_factory=SweepMix)
    train: SweepTrain = field(default_factory=SweepTrain)
    eval: SweepEval = field(default_factory=SweepEval)
    variants: list[Variant] = field(default_factory=list)

    def __post_init__(self):
        check(os.path.exists(self.documents), "documents", f"no such stage output or dataset: {self.documents!r}")
        check(os.path.isfile(os.path.join(self.tokenizer, "tokenizer.json")), "tokenizer",
              f"not a tokenizer directory: {self.tokenizer!r}")
        check(os.path.isdir(self.heldout), "heldout", f"not a token-shard directory: {self.heldout!r}")
        check(len(self.variants) >= 1, "variants", "at least one variant is needed")
        names = [v.name for v in self.variants]
        check(len(set(names)) == len(names), "variants", f"duplicate names in {names}")
        check(self.chunk_tokens > 0, "chunk_tokens", "must be positive")


def variant_mix_config(cfg: SweepConfig, variant: Variant, run_dir: str):
    """The variant's MixConfig, validated: base file, base ``set``, the variant's keys, then what the
    sweep decides (token counts with the sweep's tokenizer, a usage table per variant)."""
    from refinery.mix.config import MixConfig

    base = parse_overrides([f"{k}={json.dumps(v)}" for k, v in cfg.mix.set.items()])
    own = {"tokens": {"method": "exact", "tokenizer": cfg.tokenizer},
           "usage": {"table": os.path.join(run_dir, "usage"), "update": True}}
    try:
        return load_config(cfg.mix.config, MixConfig, _merge(_merge(base, variant.mix), own))
    except ConfigError as e:
        raise ConfigError(f"variants[{variant.name}].mix.{e}") from None


def _kept(path: str) -> str:
    return os.path.join(path, "kept") if os.path.isdir(os.path.join(path, "kept")) else path


def _vocab_size(tokenizer_dir: str) -> int:
    from refinery.pipeline.run import _vocab_size as rows

    with open(os.path.join(tokenizer_dir, "tokenizer.json"), encoding="utf-8") as f:
        return rows(json.load(f))


def run_variant(cfg: SweepConfig, variant: Variant, spark, log=print) -> dict:
    import refinery.spark.mix as mix_job
    from refinery.spark.shards import run as tokenize
    from trainer.evalsuite import EvalOptions
    from trainer.history import evaluate_run, read_history

    run_dir = os.path.abspath(os.path.join(cfg.sweep_dir, variant.name))
    mix_dir, shards, train_dir = (os.path.join(run_dir, d) for d in ("mix", "shards", "train"))
    os.makedirs(run_dir, exist_ok=True)
    mix_cfg = variant_mix_config(cfg, variant, run_dir)
    if os.path.isfile(os.path.join(mix_dir, "_stats.json")):
        log(f"[{variant.name}] mix: committed, skipped")
    else:
        log(f"[{variant.name}] mix → {mix_dir}")
        mix_job.run(spark, [_kept(cfg.documents)], mix_dir, mix_cfg)
    log(f"[{variant.name}] tokenize → {shards}")  # skips committed chunks by itself
    tokenize(spark, mix_dir, cfg.tokenizer, shards, cfg.chunk_tokens)

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    if cfg.train.cpu:
        env.update(DS_ACCELERATOR="cpu", OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "1"))
    cmd = [sys.executable, "-m", "deepspeed.launcher.runner", "--num_gpus", str(cfg.train.ranks),
           "--master_port", str(_free_port()), os.path.join(REPO, "trainer", "pretrain.py"),
           "--config", cfg.train.config, f"data.shards={shards}", f"run_dir={train_dir}",
           f"data.tokenizer={os.path.abspath(cfg.tokenizer)}", f"data.eval_shards={os.path.abspath(cfg.heldout)}",
           f"model.vocab_size={_vocab_size(cfg.tokenizer)}", *cfg.train.set, *variant.train]
    log(f"[{variant.name}] train → {train_dir}\n    $ {' '.join(cmd)}")
    proc = subprocess.run(cmd, env=env, cwd=REPO, timeout=cfg.train.timeout_s)
    if proc.returncode != 0:
        raise RuntimeError(f"variant {variant.name}: training failed with exit code {proc.returncode}")
    e = cfg.eval
    opts = EvalOptions(shards=os.path.abspath(cfg.heldout), max_windows=e.max_windows, probes=e.probes,
                       benchmarks=list(e.benchmarks), shots=e.shots, transforms=e.transforms,
                       max_new_tokens=e.max_new_tokens, batch_size=16)
    evaluate_run(train_dir, opts, log=lambda m: log(f"[{variant.name}] {m}"))
    with open(os.path.join(mix_dir, "_stats.json"), encoding="utf-8") as f:
        mix_stats = json.load(f)
    return {"name": variant.name, "run_dir": run_dir, "mixture": mix_cfg.ratios, "order": mix_cfg.order.method,
            "achieved": {c: s.get("achieved_ratio") for c, s in (mix_stats.get("channels") or {}).items()},
            "history": read_history(train_dir)}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_sweep(cfg: SweepConfig, spark=None, log=print) -> str:
    """Every variant in turn (one Spark session), then ``sweep.html``; returns the page's path."""
    own_session = spark is None
    if own_session:
        from refinery.spark.session import build_session

        spark = build_session("refinery-sweep", conf={"spark.ui.showConsoleProgress": "false", **cfg.spark},
                              master=cfg.master)
    try:
        results = [run_variant(cfg, v, spark, log) for v in cfg.variants]
    finally:
        if own_session:
            spark.stop()
    os.makedirs(cfg.sweep_dir, exist_ok=True)
    with open(os.path.join(cfg.sweep_dir, "sweep.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
    path = os.path.join(cfg.sweep_dir, "sweep.html")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(render_sweep(results))
    os.replace(path + ".tmp", path)
    return path


# -- the page --------------------------------------------------------------------------------------

def sweep_columns(results: list[dict]) -> list[tuple[str, str, str]]:
    """(group, column, better) for every number of the variants' last history rows; better is
    ``low`` (losses, PPL) or ``high`` (accuracy, probabilities, contrast margins)."""
    cols: dict[tuple[str, str], str] = {}
    for r in results:
        last = r["history"][-1] if r["history"] else {}
        if last.get("heldout"):
            cols[("held-out loss", "all")] = "low"
            for ch in last["heldout"]["channels"]:
                cols[("held-out loss", ch)] = "low"
        for bench, variants in (last.get("benchmarks") or {}).items():
            for v in variants:
                cols[(f"{bench} accuracy", v)] = "high"
        for name, kind in (last.get("probe_kinds") or {}).items():
            cols[(f"probe ({kind})", name)] = "low" if kind == "ppl" else "high"
    return [(g, c, b) for (g, c), b in cols.items()]


def _value(last: dict, group: str, col: str):
    if group == "held-out loss":
        held = last.get("heldout") or {}
        return held.get("loss") if col == "all" else (held.get("channels") or {}).get(col)
    if group.endswith(" accuracy"):
        return ((last.get("benchmarks") or {}).get(group[:-len(" accuracy")]) or {}).get(col)
    return (last.get("probes") or {}).get(col)


def render_sweep(results: list[dict]) -> str:
    cols = sweep_columns(results)
    lasts = [r["history"][-1] if r["history"] else {} for r in results]
    best = {}
    for g, c, better in cols:
        values = [v for v in (_value(last, g, c) for last in lasts) if v is not None]
        if len(values) > 1:
            best[(g, c)] = (min if better == "low" else max)(values)
    groups: list[tuple[str, int]] = []
    for g, _, _ in cols:
        if groups and groups[-1][0] == g:
            groups[-1] = (g, groups[-1][1] + 1)
        else:
            groups.append((g, 1))
    head1 = "<tr><th rowspan=2>variant</th><th rowspan=2>mixture (target)</th><th rowspan=2>order</th>" \
            "<th rowspan=2>step</th><th rowspan=2>tokens</th>" + \
            "".join(f"<th colspan={n}>{html.escape(g)}</th>" for g, n in groups) + "</tr>"
    head2 = "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for _, c, _ in cols) + "</tr>"
    rows = []
    for r, last in zip(results, lasts):
        cells = []
        for g, c, _ in cols:
            v = _value(last, g, c)
            text = "–" if v is None else f"{v:.4g}"
            cells.append(f"<td><b>{text}</b></td>" if v is not None and best.get((g, c)) == v else f"<td>{text}</td>")
        mixture = ", ".join(f"{k} {v:.0%}" for k, v in r["mixture"].items())
        rows.append(f"<tr><td>{html.escape(r['name'])}</td><td>{html.escape(mixture)}</td>"
                    f"<td>{html.escape(r['order'])}</td><td>{last.get('step', '–')}</td>"
                    f"<td>{last.get('tokens', '–'):,}</td>{''.join(cells)}</tr>" if last else
                    f"<tr><td>{html.escape(r['name'])}</td><td colspan=99>no evaluated checkpoint</td></tr>")
    style = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse;"
             "font-size:.85em} td,th{padding:.25em .6em;border:1px solid #ddd;text-align:right}"
             " td:first-child,td:nth-child(2){text-align:left}")
    note = ("<p>The last evaluated checkpoint of each variant (trainer.evaluate --run). Bold: the best of a "
            "column (lowest loss or PPL, highest accuracy, probability or contrast margin). At this model size "
            "benchmark accuracy is near chance: read the held-out loss first.</p>")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mixture sweep</title>"
            f"<style>{style}</style></head><body><h1>Mixture sweep</h1>{note}"
            f"<table>{head1}{head2}{''.join(rows)}</table></body></html>")


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="refinery sweep", description=__doc__.splitlines()[0])
    p.add_argument("config", help="sweep.yaml")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    a = p.parse_args(argv)
    try:
        cfg = load_config(a.config, SweepConfig, parse_overrides(a.set))
        for v in cfg.variants:
            variant_mix_config(cfg, v, os.path.join(cfg.sweep_dir, v.name))  # every variant valid before work
    except ConfigError as e:
        print(f"refinery sweep: config error: {e}", file=sys.stderr)
        return 2
    print(run_sweep(cfg, log=lambda m: print(m, flush=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
