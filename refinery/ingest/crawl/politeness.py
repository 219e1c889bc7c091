"""Per-host request pacing: the crawler's promise not to load anyone's server.

Two limits per host: at most `concurrency` requests in flight, and at least `delay`
seconds from the end of one request to the start of the next (and between starts,
when requests overlap). Measuring from the end means a slow server is given more
room, as Heritrix's politeness delay does. A robots.txt Crawl-delay larger than the
default replaces it for that host.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator


class HostPacer:
    def __init__(self, delay_s: float, concurrency: int = 1, clock=time.monotonic, sleep=time.sleep):
        self._default_delay = delay_s
        self._concurrency = concurrency
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._delays: dict[str, float] = {}
        self._next_start: dict[str, float] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def set_crawl_delay(self, host: str, crawl_delay_s: float | None) -> None:
        """Honour a robots.txt Crawl-delay, but never go below our own default."""
        if crawl_delay_s is not None:
            with self._lock:
                self._delays[host] = max(self._default_delay, float(crawl_delay_s))

    def delay_for(self, host: str) -> float:
        with self._lock:
            return self._delays.get(host, self._default_delay)

    @contextmanager
    def request_slot(self, host: str) -> Iterator[None]:
        """Block until `host` may be sent one more request; hold the slot while it runs."""
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self._concurrency))
        with slot:
            with self._lock:
                delay = self._delays.get(host, self._default_delay)
                start = max(self._clock(), self._next_start.get(host, 0.0))
                self._next_start[host] = start + delay
            wait = start - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                with self._lock:
                    self._next_start[host] = max(self._next_start[host], self._clock() + delay)
