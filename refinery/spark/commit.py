"""Atomic commit of a stage's output: write aside, publish at the end.

Everything is written under a hidden staging directory next to the output. Publishing is
four steps: the staging directory is renamed *ready* (it is complete), the old output (if
any) is moved aside, the ready directory is renamed into place, the old one is deleted. A
reader therefore sees the old complete output or the new complete one, never half of one.

A run killed part-way leaves siblings that say how far it got, and the next run of the same
output settles them before it starts (one writer per output is assumed): a ready directory
is published (the killed run had finished writing it), an old output moved aside with
nothing ready to replace it is put back, and only then are a half-written staging directory
and a replaced old output deleted. A kill between the two renames of a publish therefore
never loses the committed output.
"""
from __future__ import annotations

import contextlib
import uuid

from refinery.spark.paths import HadoopFS, parent_and_name, qualify

STAGING_MARK = ".staging-"
READY_MARK = ".ready-"
OLD_MARK = ".replaced-"


def _siblings(fs: HadoopFS, out_uri: str, mark: str) -> list[str]:
    parent, name = parent_and_name(out_uri)
    prefix = f".{name}{mark}"
    return [f"{parent}/{n}" for n in fs.list_names(parent) if n.startswith(prefix)]


def stale_siblings(fs: HadoopFS, out_uri: str) -> list[str]:
    return [p for mark in (STAGING_MARK, READY_MARK, OLD_MARK) for p in _siblings(fs, out_uri, mark)]


def recover(fs: HadoopFS, out_uri: str) -> str | None:
    """Settle a publish a killed run left half done; returns what was done, or None."""
    parent, name = parent_and_name(out_uri)
    ready = _siblings(fs, out_uri, READY_MARK)
    old = _siblings(fs, out_uri, OLD_MARK)
    done = None
    if ready:
        # A complete output whose publish did not finish (one writer per output: at most one).
        if fs.exists(out_uri):
            fs.rename(out_uri, f"{parent}/.{name}{OLD_MARK}recovered")
        fs.rename(ready[-1], out_uri)
        done = "published %s" % ready[-1]
    elif old and not fs.exists(out_uri):
        fs.rename(old[-1], out_uri)  # killed after moving the old output aside, before anything was ready
        done = "restored %s" % old[-1]
    for leftover in stale_siblings(fs, out_uri):
        fs.delete(leftover)
    return done


@contextlib.contextmanager
def atomic_output(spark, out_uri: str):
    """Yield a staging URI; publish it to ``out_uri`` when the block ends without error."""
    out_uri = qualify(out_uri)
    fs = HadoopFS(spark, out_uri)
    parent, name = parent_and_name(out_uri)
    fs.mkdirs(parent)
    recover(fs, out_uri)
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
    ready = f"{parent}/.{name}{READY_MARK}{run}"
    old = f"{parent}/.{name}{OLD_MARK}{run}"
    fs.rename(staging, ready)  # from here on the new output counts as written
    if fs.exists(out_uri):
        fs.rename(out_uri, old)
    fs.rename(ready, out_uri)
    if fs.exists(old):
        fs.delete(old)


def is_committed(spark, out_uri: str) -> bool:
    """A committed output has its ``_stats.json``, which is written before publishing."""
    return HadoopFS(spark, out_uri).exists(qualify(out_uri) + "/_stats.json")
