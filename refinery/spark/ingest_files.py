"""Per-input-file accounting of the ingest job, for ``_stats.json["files"]``.

Each file's reader fills a ``FileReport`` (size, bytes read, rows); the ingest operator
emits it as one bookkeeping row. Only those rows (one per file) reach the driver.
"""
from __future__ import annotations

import json
import urllib.parse

from refinery.ingest.pipeline import FILE_REPORT_REASON

# Above this many files, list only the ones a user must look at (failed, or not read to the end).
MAX_LISTED_FILES = 10_000


def file_report_stats(outcomes) -> dict:
    """``files`` (per file: size, bytes_read, records, rejected, failed) and their totals."""
    from pyspark.sql import functions as F

    rows = outcomes.filter(F.col("reason") == FILE_REPORT_REASON).select("source_file", "detail").collect()
    files = {r["source_file"]: json.loads(r["detail"]) for r in rows}
    incomplete = [p for p, f in files.items() if f["failed"] or f["size"] is None or f["bytes_read"] != f["size"]]
    listed = files if len(files) <= MAX_LISTED_FILES else {p: files[p] for p in incomplete}
    return {
        "files": dict(sorted(listed.items())),
        "files_total": len(files),
        "files_failed": sum(f["failed"] for f in files.values()),
        "files_not_read_to_end": len(incomplete),
        "input_bytes": sum(f["size"] or 0 for f in files.values()),
        "input_bytes_read": sum(f["bytes_read"] or 0 for f in files.values()),
    }


def filesystem_of(path: str) -> str:
    """``hdfs://nn:8020`` for a URI, ``the local filesystem`` for a plain path."""
    parsed = urllib.parse.urlparse(path)
    if len(parsed.scheme) <= 1 or parsed.scheme == "file":
        return "the local filesystem"
    return f"{parsed.scheme}://{parsed.netloc}"


def _cause(path: str, error: str | None) -> str:
    """The first line of a file's error with the file's own path taken out (same cause, any file)."""
    line = (error or "").strip().splitlines()[0] if (error or "").strip() else ""
    for form in (path, urllib.parse.urlparse(path).path):
        if form:
            line = line.replace(form, "<file>")
    return line


def unreadable_filesystem(files: dict[str, dict]) -> str | None:
    """One line when the input's filesystem could not be read at all: every file failed before
    a byte of it was read, all on one filesystem, with the same cause (e.g. ``hdfs://`` on
    executors without libhdfs). None otherwise: damaged files are rejected rows, not a dead job."""
    if not files or any(not f["failed"] or f["bytes_read"] for f in files.values()):
        return None
    causes = {_cause(p, f["error"]) for p, f in files.items()}
    filesystems = {filesystem_of(p) for p in files}
    if len(causes) != 1 or len(filesystems) != 1 or causes == {""}:
        return None
    return (f"cannot read {filesystems.pop()} where the job runs: every input file ({len(files)}) "
            f"failed to open with {causes.pop()}")
