"""Read a JSONL log that a run appends to (metrics, eval history)."""
from __future__ import annotations

import json


def read_jsonl(path: str) -> list[dict]:
    """Every whole row of ``path``; a last line cut by a kill mid-append is skipped."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue
    return rows
