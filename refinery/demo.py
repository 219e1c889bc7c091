"""``make demo``: the whole pipeline on the bundled sample, then where everything is.

It is ``refinery run conf/pipeline.demo.yaml``: ingest → clean → score → dedup → tokenizer →
mix → tokenize in one local Spark session, a few training steps of the tiny model through
the deepspeed launcher on CPU, export, evaluation and the HTML report. A second run skips
every committed stage.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

from refinery.inspect import format_row, reason_counts, sample_rejected
from refinery.pipeline.run import main as run_pipeline

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample" / "data"


def summarize_eval(result: dict) -> str:
    lines = []
    held = result.get("heldout") or {}
    if held.get("perplexity"):
        per = ", ".join(f"{c} {r['perplexity']:.1f}" for c, r in (held.get("channels") or {}).items())
        lines.append(f"  perplexity {held['perplexity']:.1f} on the mix's held-out split, never trained on ({per})")
    for name, bench in (result.get("benchmarks") or {}).items():
        accs = ", ".join(f"{v} {r['accuracy']:.2f}" for v, r in bench["transforms"].items() if r["accuracy"] is not None)
        lines.append(f"  benchmark {name} ({bench['n_items']} items, {bench['shots']}-shot): {accs}")
    for p in result.get("probes") or []:
        value = {"target": f"P = {p.get('probability', 0):.3g}, rank {p.get('first_token_rank')}",
                 "ppl": f"PPL = {p.get('ppl', 0):.1f}",
                 "contrast": f"holds = {p.get('holds')} (margin {p.get('margin', 0):+.3f})"}[p.get("kind", "target")]
        lines.append(f"  probe {p.get('name', p.get('prompt'))}: {value}")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.demo")
    p.add_argument("--out", default="runs/demo")
    p.add_argument("--config", default=str(REPO / "conf" / "pipeline.demo.yaml"))
    p.add_argument("--master", default="local[2]")
    args = p.parse_args(argv)
    out = pathlib.Path(args.out).resolve()
    os.environ.setdefault("SPARK_CONF_DIR", str(REPO / "conf" / "spark"))  # quiet Spark logs
    os.chdir(REPO)  # the demo config's paths are relative to the repository
    started = time.time()
    rc = run_pipeline([args.config, "--set", f"run_dir={out}", f"master={args.master}"])
    if rc != 0:
        return rc

    clean = out / "clean"
    if (clean / "_stats.json").exists():
        counts = reason_counts(str(clean))
        print("\nWhat the clean rules threw away (one sample of the three biggest reasons):")
        for reason, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:3]:
            for row in sample_rejected(str(clean), reason, 1):
                print(format_row(row, max_chars=200))
    evaluation = out / "train" / "eval.json"
    if evaluation.exists():
        print("\nEvaluation of the tiny model (trainer.evaluate; near chance at this size, the plumbing is the point):")
        print(summarize_eval(json.loads(evaluation.read_text())))
    print(f"\nDone in {time.time() - started:.0f}s. Outputs under {out}:")
    for name, what in [("ingest", "documents (Parquet) + rejected/ + _stats.json"),
                       ("clean", "rule-filtered documents; rejected/reason=… with value and threshold"),
                       ("score", "category, quality_score; score.quality_below_threshold rejects"),
                       ("dedup", "kept/ and duplicates/ (cluster_id, duplicate_of, similarity)"),
                       ("tokenizer", "the trained tokenizer (AutoTokenizer loads it)"),
                       ("mix", "data/ in training order, heldout/ per channel, anneal/; usage/ counts uses per doc_id"),
                       ("shards", "token chunks (Megatron .bin/.idx + manifest.json); heldout/ and anneal/ shards"),
                       ("train", "checkpoints, metrics.jsonl (with held-out eval_loss/<channel>), hf/ export, eval.json, eval_history.jsonl"),
                       ("report.html", "the HTML report")]:
        if (out / name).exists():
            print(f"  {out / name}  —  {what}")
    print(f"Try: .venv/bin/refinery inspect {clean} --summary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
