"""Per-input-file accounting of the ingest job, for ``_stats.json["files"]``.

Each file's reader fills a ``FileReport`` (size, bytes read, rows); the ingest operator
emits it as one bookkeeping row. Only those rows (one per file) reach the driver.
"""
from __future__ import annotations

import json

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
