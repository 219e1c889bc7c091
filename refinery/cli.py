"""``refinery`` command: inspect filtered-out samples (more subcommands join as stages land)."""
from __future__ import annotations

import argparse
import sys

from refinery.inspect import main_inspect


def main(argv=None) -> int:
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
    args = p.parse_args(argv)

    if args.command == "inspect":
        return main_inspect(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
