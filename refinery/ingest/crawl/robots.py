"""robots.txt rules, fetched once per origin (scheme://host:port) and cached for the run.

What an unreadable robots.txt means follows Google's documented handling
(developers.google.com/search/docs/crawling-indexing/robots/robots_txt):
  2xx        -> parse the rules
  4xx        -> no rules: everything allowed (429 excepted: the server is overloaded)
  429, 5xx   -> the server cannot tell us: treat the whole origin as disallowed
  no answer  -> same as 5xx
Google re-fetches after 24 h; one crawl run is shorter, so there is no expiry.

The rules are parsed by Protego (the parser Scrapy uses), which follows RFC 9309 and Google:
``*`` wildcards, ``$`` end anchors, the longest matching rule wins and ``Allow`` wins a tie;
``urllib.robotparser`` ignores wildcards and answers by rule order.
"""

from __future__ import annotations

import threading
from typing import Callable

from protego import Protego

from .urls import origin_of

# Fetches a robots.txt URL, following redirects; returns (final status, body), or
# (None, b"") when no response came back at all.
RobotsFetch = Callable[[str], "tuple[int | None, bytes]"]


class RobotsRules:
    """One origin's answer: parsed rules, or a fixed verdict when there were none to read."""

    def __init__(self, parsed: Protego | None = None, allow_all: bool = False):
        self._parsed = parsed
        self._allow_all = allow_all

    def can_fetch(self, user_agent: str, url: str) -> bool:
        if self._parsed is None:
            return self._allow_all
        return self._parsed.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        return None if self._parsed is None else self._parsed.crawl_delay(user_agent)

    @property
    def sitemaps(self) -> list[str]:
        return [] if self._parsed is None else list(self._parsed.sitemaps)


def rules_from_response(status: int | None, body: bytes) -> RobotsRules:
    if status is not None and 200 <= status < 300:
        return RobotsRules(Protego.parse(body.decode("utf-8", errors="replace")))
    return RobotsRules(allow_all=status is not None and 400 <= status < 500 and status != 429)


class RobotsCache:
    def __init__(self, user_agent: str, fetch: RobotsFetch):
        self._user_agent = user_agent
        self._fetch = fetch
        self._lock = threading.Lock()
        self._rules: dict[str, RobotsRules] = {}
        self._origin_locks: dict[str, threading.Lock] = {}

    def allowed(self, url: str) -> bool:
        return self.rules_for(url).can_fetch(self._user_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        delay = self.rules_for(url).crawl_delay(self._user_agent)
        return float(delay) if delay is not None else None

    def rules_for(self, url: str) -> RobotsRules:
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
