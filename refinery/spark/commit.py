"""Atomic commit of a stage's output: write aside, publish at the end.

Everything is written under a hidden staging directory next to the output; on success
the old output (if any) is moved away, the staging directory is renamed into place and
the old one deleted. A reader therefore sees the old complete output or the new complete
one, never half of one. A job killed mid-write leaves only a staging directory, which the
next run of the same output removes before it starts (one writer per output is assumed).
"""
from __future__ import annotations

import contextlib
import uuid

from refinery.spark.paths import HadoopFS, parent_and_name, qualify

STAGING_MARK = ".staging-"
OLD_MARK = ".replaced-"


def stale_siblings(fs: HadoopFS, out_uri: str) -> list[str]:
    parent, name = parent_and_name(out_uri)
    prefixes = (f".{name}{STAGING_MARK}", f".{name}{OLD_MARK}")
    return [f"{parent}/{n}" for n in fs.list_names(parent) if n.startswith(prefixes)]


@contextlib.contextmanager
def atomic_output(spark, out_uri: str):
    """Yield a staging URI; publish it to ``out_uri`` when the block ends without error."""
    out_uri = qualify(out_uri)
    fs = HadoopFS(spark, out_uri)
    parent, name = parent_and_name(out_uri)
    fs.mkdirs(parent)
    for leftover in stale_siblings(fs, out_uri):
        fs.delete(leftover)
    run = uuid.uuid4().hex[:12]
    staging = f"{parent}/.{name}{STAGING_MARK}{run}"
    try:
        yield staging
    except BaseException:
        fs.delete(staging)
        raise
    publish(fs, staging, out_uri, run)


def publish(fs: HadoopFS, staging: str, out_uri: str, run: str) -> None:
    parent, name = parent_and_name(out_uri)
    old = f"{parent}/.{name}{OLD_MARK}{run}"
    if fs.exists(out_uri):
        fs.rename(out_uri, old)
    fs.rename(staging, out_uri)
    if fs.exists(old):
        fs.delete(old)


def is_committed(spark, out_uri: str) -> bool:
    """A committed output has its ``_stats.json``, which is written before publishing."""
    return HadoopFS(spark, out_uri).exists(qualify(out_uri) + "/_stats.json")
