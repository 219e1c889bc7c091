"""taskset -c 1 python bench/profile_ingest.py FILE.warc.gz [...] [--top N] [--callers PATTERN]

The ingest operator without Spark (``make_file_ingester``, the job's default config) over
the given files: wall per row of a first pass, then a cProfile of a second pass (warm: the
language-id model and the script class table loaded). Where the job's per-page cost goes,
before any Spark overhead (BENCHMARKS.md, "Session 25: where the 1.6 ms per page went").
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import pyarrow as pa

from refinery.ingest.config import IngestConfig
from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/profile_ingest.py", description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--top", type=int, default=25, help="functions to list, by own time")
    p.add_argument("--callers", help="also list the callers of functions matching this (e.g. compute.py)")
    args = p.parse_args(argv)
    ingest = make_file_ingester(IngestConfig(), tuple(args.files))
    batch = pa.RecordBatch.from_pydict({FILE_INDEX_COLUMN: list(range(len(args.files)))})

    def run() -> int:
        return sum(b.num_rows for b in ingest(batch))

    started = time.perf_counter()
    rows = run()
    wall = time.perf_counter() - started
    print(f"first pass: {rows} rows, {wall:.2f} s, {1000 * wall / max(rows, 1):.3f} ms/row")
    print_profile(run, args.top, args.callers)
    return 0


def print_profile(run, top: int, callers: str | None) -> None:
    """cProfile of one call of ``run``: the ``top`` functions by own time, and the callers of
    those matching ``callers``."""
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    stats = pstats.Stats(prof).sort_stats("tottime")
    stats.print_stats(top)
    if callers:
        stats.print_callers(callers)


if __name__ == "__main__":
    raise SystemExit(main())
