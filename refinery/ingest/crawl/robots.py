"""robots.txt rules, fetched once per origin (scheme://host:port) and cached for the run.

What an unreadable robots.txt means follows Google's documented handling
(developers.google.com/search/docs/crawling-indexing/robots/robots_txt):
  2xx        -> parse the rules
  4xx        -> no rules: everything allowed (429 excepted: the server is overloaded)
  429, 5xx   -> the server cannot tell us: treat the whole origin as disallowed
  no answer  -> same as 5xx
Google re-fetches after 24 h; one crawl run is shorter, so there is no expiry.
"""

from __future__ import annotations

import threading
from typing import Callable
from urllib.robotparser import RobotFileParser

from .urls import origin_of

# Fetches a robots.txt URL, following redirects; returns (final status, body), or
# (None, b"") when no response came back at all.
RobotsFetch = Callable[[str], "tuple[int | None, bytes]"]


def rules_from_response(status: int | None, body: bytes) -> RobotFileParser:
    rules = RobotFileParser()
    if status is not None and 200 <= status < 300:
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
    elif status is not None and 400 <= status < 500 and status != 429:
        rules.allow_all = True
    else:
        rules.disallow_all = True
    return rules


class RobotsCache:
    def __init__(self, user_agent: str, fetch: RobotsFetch):
        self._user_agent = user_agent
        self._fetch = fetch
        self._lock = threading.Lock()
        self._rules: dict[str, RobotFileParser] = {}
        self._origin_locks: dict[str, threading.Lock] = {}

    def allowed(self, url: str) -> bool:
        return self.rules_for(url).can_fetch(self._user_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        delay = self.rules_for(url).crawl_delay(self._user_agent)
        return float(delay) if delay is not None else None

    def rules_for(self, url: str) -> RobotFileParser:
        origin = origin_of(url)
        with self._lock:
            if origin in self._rules:
                return self._rules[origin]
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        # One fetch per origin even when several workers ask at once.
        with origin_lock:
            with self._lock:
                if origin in self._rules:
                    return self._rules[origin]
            status, body = self._fetch(origin + "/robots.txt")
            rules = rules_from_response(status, body)
            with self._lock:
                self._rules[origin] = rules
            return rules
