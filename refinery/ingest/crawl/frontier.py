"""Breadth-first crawl frontier shared by the worker threads of one crawl.

One FIFO queue per host so that a worker can always pick a host that is free: a host
is handed out while it has fewer than `per_host_concurrency` pages in flight and has not
used up its `max_pages` budget. URLs are deduplicated after normalisation over the
whole crawl, so a page linked from many places is fetched once.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum

from .urls import host_of, normalize_url

_PLAIN_HOST = re.compile(r"^[a-z0-9.\-]+$")


class Scope:
    """Which hosts the crawl may enter: the seeds' hosts, plus an allow-list.

    A plain allow-list entry matches that host exactly; any other entry is a regex that
    must match the whole host name. 'www.' is ignored when comparing with seed hosts,
    since sites commonly redirect between the two spellings.
    """

    def __init__(self, seed_hosts: list[str], allow_hosts: list[str] = ()):
        self._hosts = {_strip_www(h.lower()) for h in seed_hosts}
        self._patterns = []
        for entry in allow_hosts:
            entry = entry.strip().lower()
            if _PLAIN_HOST.match(entry):
                self._hosts.add(_strip_www(entry))
            else:
                self._patterns.append(re.compile(entry))

    def contains(self, url: str) -> bool:
        host = host_of(url)
        return _strip_www(host) in self._hosts or any(p.fullmatch(host) for p in self._patterns)


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class CrawlItem:
    url: str
    depth: int
    host: str


class Added(Enum):
    QUEUED = "queued"
    SEEN = "seen"
    OUT_OF_SCOPE = "out_of_scope"
    TOO_DEEP = "too_deep"
    INVALID = "invalid"


class Frontier:
    def __init__(self, scope: Scope, max_pages: int, max_depth: int, per_host_concurrency: int = 1):
        self._scope = scope
        self._max_pages, self._max_depth = max_pages, max_depth
        self._per_host = per_host_concurrency
        self._changed = threading.Condition()
        self._queues: dict[str, deque[CrawlItem]] = {}
        self._seen: set[str] = set()
        self._taken: dict[str, int] = {}  # pages handed out per host (the budget)
        self._in_flight: dict[str, int] = {}
        self._closed = False

    def add(self, url: str, depth: int) -> Added:
        normal = normalize_url(url)
        if normal is None:
            return Added.INVALID
        if depth > self._max_depth:
            return Added.TOO_DEEP
        with self._changed:
            if normal in self._seen:
                return Added.SEEN
            self._seen.add(normal)  # before the scope test: an off-site URL counts once
            if not self._scope.contains(normal):
                return Added.OUT_OF_SCOPE
            host = host_of(normal)
            self._queues.setdefault(host, deque()).append(CrawlItem(normal, depth, host))
            self._changed.notify()
            return Added.QUEUED

    def claim(self, url: str) -> bool:
        """Mark a redirect target as seen; False when it was seen already."""
        normal = normalize_url(url)
        with self._changed:
            if normal is None or normal in self._seen:
                return False
            self._seen.add(normal)
            return True

    def in_scope(self, url: str) -> bool:
        return self._scope.contains(url)

    def next(self) -> CrawlItem | None:
        """The next page to fetch; blocks while only busy hosts have work; None at the end."""
        with self._changed:
            while True:
                if self._closed:
                    return None
                item = self._pop_ready()
                if item is not None:
                    return item
                if not any(self._in_flight.values()):
                    self._closed = True  # nothing queued that may run, nothing running
                    self._changed.notify_all()
                    return None
                self._changed.wait()

    def done(self, item: CrawlItem, counts_as_page: bool = True) -> None:
        """Report a handed-out item finished; a page not fetched (robots) refunds the budget."""
        with self._changed:
            self._in_flight[item.host] -= 1
            if not counts_as_page:
                self._taken[item.host] -= 1
            self._changed.notify_all()

    def _pop_ready(self) -> CrawlItem | None:
        for host, queue in self._queues.items():
            if not queue:
                continue
            if self._taken.get(host, 0) >= self._max_pages:
                if not self._in_flight.get(host):
                    queue.clear()  # budget spent for good
                continue
            if self._in_flight.get(host, 0) >= self._per_host:
                continue
            self._taken[host] = self._taken.get(host, 0) + 1
            self._in_flight[host] = self._in_flight.get(host, 0) + 1
            return queue.popleft()
        return None
