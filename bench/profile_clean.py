"""taskset -c 1 python bench/profile_clean.py DOCS.parquet [...] [--top N] [--callers PATTERN]

The clean operator without Spark (``make_cleaner``, the job's default config: lines, rules, PII,
the shipped domain model) over ingest output files (``kept/*.parquet``), 1,024-row batches as
the job's Arrow batches: wall per document of a warm pass (the model loaded, regexes compiled),
then a cProfile of another pass. Where the clean job's per-document cost goes, before any Spark
overhead (BENCHMARKS.md, "Session 26").
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

from refinery.config import load_config
from refinery.filters.config import CleanConfig
from refinery.filters.pipeline import make_cleaner

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from profile_ingest import print_profile  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/profile_clean.py", description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--top", type=int, default=25, help="functions to list, by own time")
    p.add_argument("--callers", help="also list the callers of functions matching this (e.g. compute.py)")
    p.add_argument("--passes", type=int, default=3, help="timed warm passes (min and median printed)")
    args = p.parse_args(argv)
    table = pa.concat_tables([pq.read_table(f) for f in args.files])
    batches = table.to_batches(max_chunksize=1024)
    clean = make_cleaner(load_config(None, CleanConfig))
    clean(batches[0].slice(0, 50))  # warm-up: the domain model, regex compilation, class table

    def run() -> int:
        return sum(clean(b).num_rows for b in batches)

    walls = []
    for _ in range(args.passes):
        started = time.perf_counter()
        run()
        walls.append(time.perf_counter() - started)
    walls.sort()
    n = table.num_rows
    print(f"{n} documents; warm pass min {walls[0]:.2f} s ({1000 * walls[0] / n:.3f} ms/doc), "
          f"median {walls[len(walls) // 2]:.2f} s ({1000 * walls[len(walls) // 2] / n:.3f} ms/doc)")
    print_profile(run, args.top, args.callers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
