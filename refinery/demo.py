"""``make demo``: run the refinery end to end on the bundled sample and say where things are.

Each stage runs through ``spark-submit`` exactly as a user would run it on a cluster
(here with ``--master local[*]``). Stages join the demo as they land.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import pyspark

from refinery.inspect import format_row, sample_rejected

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample" / "data"


def spark_submit(job: str, args: list[str], master: str) -> None:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    env.setdefault("SPARK_CONF_DIR", str(REPO / "conf" / "spark"))
    cmd = [str(pathlib.Path(pyspark.__file__).parent / "bin" / "spark-submit"), "--master", master,
           "--conf", f"spark.pyspark.python={sys.executable}", str(REPO / "jobs" / job), *args]
    print("$ " + " ".join(["spark-submit", "--master", master, f"jobs/{job}", *args]), flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=REPO)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.demo")
    p.add_argument("--out", default="runs/demo")
    p.add_argument("--master", default="local[*]")
    args = p.parse_args(argv)
    out = pathlib.Path(args.out).resolve()
    started = time.time()

    ingest_out = out / "ingest"
    spark_submit("ingest.py", ["--input", str(SAMPLE / "warc"), str(SAMPLE / "jsonl"), "--output", str(ingest_out)],
                 args.master)
    stats = json.loads((ingest_out / "_stats.json").read_text())
    print("\nA filtered-out sample of each reason (refinery inspect OUT --reason R):")
    for reason in stats["rejected_by_reason"]:
        for row in sample_rejected(str(ingest_out), reason, 1):
            print(format_row(row, max_chars=160))
    score_out = out / "score"
    spark_submit("score.py", ["--input", str(ingest_out), "--output", str(score_out)], args.master)
    bias = json.loads((score_out / "_stats.json").read_text())["bias_check"]["summary"]
    print("\nScore bias check, keep rate with per-category thresholds / with one global threshold:")
    for group, e in bias.items():
        if e["rows"]:
            print(f"  {group:<14} {e['keep_rate']:.2f} / {e['global_threshold_keep_rate']:.2f}  ({e['rows']} docs)")
    print(f"\nDone in {time.time() - started:.0f}s. Outputs:")
    print(f"  {ingest_out}/kept            documents (Parquet)")
    print(f"  {ingest_out}/rejected        rejected rows, one directory per reason")
    print(f"  {ingest_out}/_stats.json     rows in = kept + rejected, per reason, source, language")
    print(f"  {score_out}/kept             scored documents (+ category, quality_score, ...)")
    print(f"Try: .venv/bin/refinery inspect {ingest_out} --reason ingest.http_status --n 3")
    return 0


if __name__ == "__main__":
    sys.exit(main())
