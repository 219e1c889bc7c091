"""The stage registry: every stage in pipeline order, each described once (``refinery.spark.job.Stage``).

``jobs/<name>.py`` runs ``stage(name)`` through ``job_main``; ``refinery run`` loops over ``stages()``
(crawl is a job only: it feeds ingest from the web, not from a run directory). A stage's module is
imported only when asked for, so a job starts without importing the others (dedup's numba, ...).
"""
from __future__ import annotations

import importlib

from refinery.spark.job import Stage

ORDER = ("ingest", "clean", "score", "dedup", "mix", "shards")  # refinery/spark/<name>.py, each with STAGE
JOB_NAMES = ("crawl", *ORDER)


def stage(name: str) -> Stage:
    if name not in JOB_NAMES:
        raise KeyError(f"no stage {name!r} (stages: {', '.join(JOB_NAMES)})")
    return importlib.import_module(f"refinery.spark.{name}").STAGE


def stages() -> list[Stage]:
    return [stage(name) for name in ORDER]
