"""Load a model once per Python worker process, not once per batch or task.

Spark reuses Python workers between tasks (``spark.python.worker.reuse``), so a
module-level cache keeps a fastText or BERT model alive for the worker's lifetime.
"""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")

_cache: dict = {}
_lock = threading.Lock()
load_counts: dict = {}  # key -> times the factory ran in this process (tests read it)


def get_or_load(key, factory: Callable[[], T]) -> T:
    """Return the object cached under ``key``, building it with ``factory`` the first time."""
    try:
        return _cache[key]
    except KeyError:
        pass
    with _lock:
        if key not in _cache:
            _cache[key] = factory()
            load_counts[key] = load_counts.get(key, 0) + 1
        return _cache[key]


def clear() -> None:
    with _lock:
        _cache.clear()
        load_counts.clear()
