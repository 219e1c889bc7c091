"""What ``bench/ingest.py --scale`` and ``bench/clean.py --scale`` share: the replica archives and whole-process timing.

Replicas: Common Crawl-layout WARC.gz (corpus/warc.py's writer: warcinfo, then request / response /
metadata per page, one gzip member per record) of every real page of the corpus's ``site/``, in one
seeded shuffled order, replica after replica, so any prefix of the files is a mix of the whole site.
Replica k has its own URLs and record ids (``?replica=k``) and ``r<k> `` at the start of every block,
so no two replicas share a paragraph. Files are cut at ``FILE_BYTES``; an input size is the shortest
prefix of the files reaching it, hard-linked into its own folder (datatrove reads a folder). The
files are made once and grow on demand (``MANIFEST.json`` records where each file ends).

Members are compressed at zlib level 6 (warcio's writer uses 9): Java's ``GZIPOutputStream``, which
Common Crawl's crawler writes with, uses the default level, 6; it also halves the writing time.

Timing: a pipeline is one subprocess tree pinned with ``taskset``; wall = launch to exit; CPU =
user + system of every process of the tree. This process makes itself a child subreaper, so the
JVM and Spark's Python workers, which their parents never wait for, are reaped here and their CPU
counted. On a loaded machine wall includes waiting for the CPU; CPU seconds do not (much).
CPU seconds come from a cpuacct cgroup around the tree where one can be made (``run_tree``):
RUSAGE_CHILDREN alone missed half of a Spark job's CPU (s24: 22 of 46 s; pyspark's daemon ignores
SIGCHLD, so its forked workers are reaped by the kernel and their CPU is counted nowhere).
"""
from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import pathlib
import random
import re
import resource
import statistics
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FILE_BYTES = 4 * 2**20
COMPRESS_LEVEL = 6
SEED = 13
_REPLICA_TAGS = re.compile(rb"(<(?:p|li|pre|td|dd|h[1-6])(?:\s[^>]*)?>)", re.I)


# --------------------------------------------------------------------------- replicas


class _Level6:
    """``zlib`` as warcio's writer sees it, with compression level COMPRESS_LEVEL instead of its 9."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=-1, *args):
        return zlib.compressobj(COMPRESS_LEVEL, *args)


def _pages(site: pathlib.Path) -> list[str]:
    sys.path.insert(0, ROOT)
    from corpus.warc import site_pages

    pages = site_pages(site)
    random.Random(SEED).shuffle(pages)
    return pages


def ensure_replicas(site: str, folder: str, target_bytes: int, log=print) -> list[dict]:
    """Grow ``folder``'s replica files until they hold ``target_bytes``; the manifest's entries."""
    sys.path.insert(0, ROOT)
    import warcio.warcwriter

    from corpus.warc import CCFile, http_response

    os.makedirs(folder, exist_ok=True)
    manifest_path = os.path.join(folder, "MANIFEST.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else []
    written = sum(e["bytes"] for e in manifest)
    if written >= target_bytes:
        return manifest
    site_path = pathlib.Path(site)
    pages = _pages(site_path)
    k, i = manifest[-1]["next"] if manifest else (0, 0)
    started, at_start = time.perf_counter(), written
    saved = warcio.warcwriter.zlib
    warcio.warcwriter.zlib = _Level6()
    try:
        while written < target_bytes:
            name = f"replica-{len(manifest):05d}.warc.gz"
            current, responses, html = CCFile(pathlib.Path(folder) / name), 0, 0
            while current.size() < FILE_BYTES:
                rel = pages[i]
                body = _REPLICA_TAGS.sub(lambda m: m.group(1) + b"r%d " % k, (site_path / rel).read_bytes())
                page = http_response(rel, body)
                current.add(dataclasses.replace(page, url=f"{page.url}?replica={k}"))
                responses += 1
                html += len(body)
                i += 1
                if i == len(pages):
                    k, i = k + 1, 0
            size = current.size()
            current.close()
            manifest.append({"file": name, "bytes": size, "responses": responses, "html_bytes": html, "next": [k, i]})
            written += size
            with open(manifest_path, "w") as f:
                json.dump(manifest, f)
    finally:
        warcio.warcwriter.zlib = saved
    log(f"replicas: {(written - at_start) / 1e6:.0f} MB written in {time.perf_counter() - started:.0f} s "
        f"(load {os.getloadavg()[0]:.1f}); {len(manifest)} files, {written / 1e6:.0f} MB in all")
    return manifest


def size_folder(folder: str, manifest: list[dict], target_bytes: int, out: str) -> dict:
    """Hard links to the shortest prefix of the replica files reaching ``target_bytes``."""
    os.makedirs(out, exist_ok=True)
    total = responses = html = 0
    files = []
    for entry in manifest:
        target = os.path.join(out, entry["file"])
        if not os.path.exists(target):
            os.link(os.path.join(folder, entry["file"]), target)
        files.append(target)
        total += entry["bytes"]
        responses += entry["responses"]
        html += entry["html_bytes"]
        if total >= target_bytes:
            break
    return {"folder": out, "files": files, "bytes": total, "responses": responses, "html_bytes": html}


# --------------------------------------------------------------------------- timing


def become_subreaper() -> None:
    """Orphaned descendants (the JVM, pyspark's daemon) are re-parented to us, so we reap them."""
    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _reap_all(deadline_s: float = 30.0) -> None:
    end = time.monotonic() + deadline_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > end:
                return
            time.sleep(0.05)


CPUACCT = "/sys/fs/cgroup/cpuacct"  # cgroup v1 CPU accounting, where the machine lets us make a group


def cpu_group() -> str | None:
    """A fresh cpuacct cgroup for one run, or None where none can be made (no root, no cgroup v1)."""
    path = os.path.join(CPUACCT, f"refinery-bench-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.mkdir(path)
        return path
    except OSError:
        return None


def joiner(group: str | None):
    """A ``preexec_fn`` putting the child (and so its whole tree) into ``group``; None without one.
    A failed join leaves the group empty, and ``group_cpu_seconds`` then gives None."""
    if group is None:
        return None

    def join():
        try:
            with open(os.path.join(group, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        except OSError:
            pass
    return join


def group_cpu_seconds(group: str | None) -> float | None:
    """CPU seconds of everything that ran in ``group`` (None: no group, or nothing ran in it); removes it."""
    if group is None:
        return None
    with open(os.path.join(group, "cpuacct.usage")) as f:
        usage = int(f.read()) / 1e9
    try:
        os.rmdir(group)
    except OSError:  # a process of the tree still alive: the group stays (it is empty once it exits)
        pass
    return usage or None


class TreeCpu:
    """CPU seconds of one process tree started after it: a cpuacct cgroup holding the tree where
    one can be made (``preexec`` puts the child in it), else RUSAGE_CHILDREN, which misses
    pyspark's workers: its daemon ignores SIGCHLD, so the kernel reaps them itself and their CPU
    never reaches anyone's RUSAGE_CHILDREN (a Spark job's count came out at half its pinned
    core's busy time)."""

    def __init__(self):
        self.group = cpu_group()
        self.preexec = joiner(self.group)
        self._before = resource.getrusage(resource.RUSAGE_CHILDREN)

    def stop(self) -> tuple[float, str, float]:
        """(CPU seconds, "cgroup" or "rusage", the RUSAGE_CHILDREN figure); removes the group."""
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rusage = (after.ru_utime - self._before.ru_utime) + (after.ru_stime - self._before.ru_stime)
        in_group = group_cpu_seconds(self.group)
        return (rusage, "rusage", rusage) if in_group is None else (in_group, "cgroup", rusage)


def run_tree(cmd: list[str], cpus: set[int], env: dict | None = None, cwd: str | None = None) -> dict:
    """Run ``taskset -c CPUS cmd``; wall (launch → exit of the whole tree) and CPU of every
    process in it (``TreeCpu``; "cpu_method" says how it was counted)."""
    meter = TreeCpu()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.run(["taskset", "-c", ",".join(map(str, sorted(cpus))), *cmd], env=env, cwd=cwd,
                          capture_output=True, text=True, preexec_fn=meter.preexec)
    exited = time.perf_counter()
    _reap_all()
    wall = time.perf_counter() - start
    cpu, method, rusage = meter.stop()
    return {"wall": wall, "wall_to_exit": exited - start, "cpu": cpu, "cpu_rusage": rusage, "cpu_method": method,
            "load": load, "rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def spark_env() -> dict:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def runs_by_pipeline(results: list[dict], sizes, pipelines):
    """(size, pipeline, its runs) for each size and pipeline that has runs, in that order."""
    for size in sizes:
        for name in pipelines:
            rs = [r for r in results if r["size"] == size and r["pipeline"] == name]
            if rs:
                yield size, name, rs


def paired_ratio_line(results: list[dict], size, ours: str, theirs: str, label: str) -> str | None:
    """theirs / ours per core, by wall and by CPU seconds, over the rounds both ran (same round,
    same machine drift); None when no round holds both."""
    pairs = [(o, d) for o in results for d in results if o["size"] == d["size"] == size and o["run"] == d["run"]
             and o["pipeline"] == ours and d["pipeline"] == theirs]
    if not pairs:
        return None
    by_wall = [d["wall"] / (o["wall"] * o["cores"]) for o, d in pairs]
    by_cpu = [d["cpu"] / o["cpu"] for o, d in pairs]
    return (f"{label}, per core: {statistics.median(by_wall):.2f}x by wall (runs {', '.join(f'{x:.2f}' for x in by_wall)}), "
            f"{statistics.median(by_cpu):.2f}x by CPU seconds")


def machine() -> str:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return f"nproc={os.cpu_count()}, CPU {model!r}, RAM {mem_kb / 2**20:.0f} GiB"
