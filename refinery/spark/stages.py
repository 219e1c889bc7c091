"""The stage registry: every stage in pipeline order, each described once (``refinery.spark.job.Stage``).

``jobs/<name>.py`` runs ``stage(name)`` through ``job_main``; ``refinery run`` loops over ``STAGES``
(crawl is a job only: it feeds ingest from the web, not from a run directory).
"""
from __future__ import annotations

from refinery.spark import clean, crawl, dedup, ingest, mix, score, shards
from refinery.spark.job import Stage

STAGES: list[Stage] = [ingest.STAGE, clean.STAGE, score.STAGE, dedup.STAGE, mix.STAGE, shards.STAGE]
JOBS: dict[str, Stage] = {s.name: s for s in [crawl.STAGE, *STAGES]}


def stage(name: str) -> Stage:
    return JOBS[name]
