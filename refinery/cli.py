"""``refinery`` command: run a pipeline, inspect filtered-out samples, write a run report."""
from __future__ import annotations

import argparse
import sys

from refinery.inspect import main_inspect


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["run"]:  # `refinery run pipeline.yaml [--from S] [--until S] [--set k=v]`
        from refinery.pipeline.run import main as run_pipeline

        return run_pipeline(argv[1:])
    if argv[:1] == ["sweep"]:  # `refinery sweep sweep.yaml [--set k=v]`
        from refinery.sweep import main as run_sweep

        return run_sweep(argv[1:])
    p = argparse.ArgumentParser(prog="refinery")
    sub = p.add_subparsers(dest="command", required=True)
    ins = sub.add_parser("inspect", help="print filtered-out samples of a stage output")
    ins.add_argument("output", help="a stage's output directory (holding rejected/ and _stats.json)")
    ins.add_argument("--reason", help="a dotted reason id, e.g. ingest.http_status (default: list reasons)")
    ins.add_argument("--summary", action="store_true", help="reasons with counts and rates, edits, kept rate per group")
    ins.add_argument("--lang", help="only rows of this language (e.g. zh)")
    ins.add_argument("--n", type=int, default=5)
    ins.add_argument("--seed", type=int, default=0)
    ins.add_argument("--max-chars", type=int, default=400)
    sub.add_parser("run", help="run the pipeline of a pipeline.yaml (refinery run -h)")
    sub.add_parser("sweep", help="small trainings over mixtures, one table of their evaluations (refinery sweep -h)")
    rep = sub.add_parser("report", help="write a self-contained HTML report of a pipeline run directory")
    rep.add_argument("run_dir")
    rep.add_argument("--out", help="default: RUN_DIR/report.html")
    args = p.parse_args(argv)

    if args.command == "report":
        from refinery.report.page import write_report  # matplotlib only when a report is asked for

        print(write_report(args.run_dir, args.out))
        return 0

    if args.command == "inspect":
        return main_inspect(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
