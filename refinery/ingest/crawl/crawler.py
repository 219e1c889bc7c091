"""Crawl a group of hosts into WARC files: the unit of work one Spark task runs.

Worker threads share one frontier; concurrency across hosts comes from the thread
pool, and the frontier plus the host pacer keep each host at `per_host_concurrency`
requests in flight, `per_host_delay_s` apart.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from urllib.parse import urljoin

from .config import CrawlConfig
from .fetch import FetchFailure, FetchSettings, HttpExchange, fetch_with_retries
from .frontier import Added, CrawlItem, Frontier, Scope
from .links import decode_html, extract_links, is_html
from .politeness import HostPacer
from .robots import RobotsCache
from .urls import host_of, normalize_url
from .warc_out import RotatingWarcWriter

log = logging.getLogger(__name__)


@dataclass
class CrawlStats:
    pages_fetched: int = 0  # URLs that ended in a non-redirect response (any status)
    by_status: dict[str, int] = field(default_factory=dict)  # every recorded response, 3xx hops too
    robots_disallowed: int = 0
    out_of_scope: int = 0  # distinct off-scope links, plus redirects leaving the scope
    errors: int = 0  # URLs with no response after retries, or too many redirects
    redirects: int = 0  # 3xx hops recorded
    retries: int = 0
    invalid_urls: int = 0  # seeds or Location headers that are not http(s) URLs
    warc_files: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def add(self, other: "CrawlStats | dict") -> "CrawlStats":
        """Sum of two stats (e.g. from Spark partitions)."""
        other = other if isinstance(other, dict) else other.as_dict()
        total = self.as_dict()
        for name, value in other.items():
            if name == "by_status":
                total[name] = dict(Counter(total[name]) + Counter(value))
            else:
                total[name] += value
        return CrawlStats(**total)


def crawl_hosts(seeds: list[str], out_dir: str, config: CrawlConfig, warc_prefix: str = "crawl") -> CrawlStats:
    """Crawl from `seeds` within their hosts (and config.allow_hosts); WARC files go to out_dir."""
    run = _Crawl(config)
    valid = [url for url in map(normalize_url, seeds) if url is not None]
    run.count(invalid_urls=len(seeds) - len(valid))
    run.frontier = Frontier(Scope([host_of(u) for u in valid], config.allow_hosts),
                            config.max_pages, config.max_depth, config.per_host_concurrency)
    for url in valid:
        run.frontier.add(url, 0)
    info = {"robots": "classic", "http-header-user-agent": config.user_agent, "isPartOf": warc_prefix}
    with RotatingWarcWriter(out_dir, warc_prefix, config.warc_max_bytes, info) as run.warc:
        with ThreadPoolExecutor(config.threads, thread_name_prefix="crawl") as pool:
            for worker in [pool.submit(run.work) for _ in range(config.threads)]:
                worker.result()
    run.count(warc_files=len(run.warc.paths))
    return run.stats


class _Crawl:
    def __init__(self, config: CrawlConfig):
        self.config = config
        self.settings = FetchSettings(config.user_agent, config.timeout_s, config.retries, config.backoff_s,
                                      config.max_backoff_s, config.max_body_bytes)
        self.pacer = HostPacer(config.per_host_delay_s, config.per_host_concurrency)
        self.robots = RobotsCache(config.user_agent, self.fetch_robots)
        self.stats = CrawlStats()
        self._stats_lock = threading.Lock()
        self.frontier: Frontier
        self.warc: RotatingWarcWriter

    def count(self, status: int | None = None, **counts: int) -> None:
        with self._stats_lock:
            if status is not None:
                self.stats.by_status[str(status)] = self.stats.by_status.get(str(status), 0) + 1
            for name, n in counts.items():
                setattr(self.stats, name, getattr(self.stats, name) + n)

    def work(self) -> None:
        while (item := self.frontier.next()) is not None:
            used_budget = True
            try:
                used_budget = self.crawl_page(item)
            except Exception:  # one bad page must not stop the crawl or hang the frontier
                log.exception("crawl of %s failed", item.url)
                self.count(errors=1)
            finally:
                self.frontier.done(item, counts_as_page=used_budget)

    def crawl_page(self, item: CrawlItem) -> bool:
        """Fetch one frontier URL, following redirects; False if robots kept us from asking."""
        url = item.url
        for hop in range(self.config.max_redirects + 1):
            if not self.robots.allowed(url):
                self.count(robots_disallowed=1)
                return hop > 0
            result = self.fetch(url)
            if isinstance(result, FetchFailure):
                log.info("giving up on %s after %d attempts: %s", url, result.attempts, result.error)
                self.count(errors=1)
                return True
            self.warc.write_exchange(result)
            self.count(status=result.status)
            if not result.is_redirect:
                self.count(pages_fetched=1)
                self.follow_links(result, item.depth + 1)
                return True
            self.count(redirects=1)
            target = normalize_url(urljoin(url, result.header("location")))
            if target is None:
                self.count(invalid_urls=1)
                return True
            if not self.frontier.in_scope(target):
                self.count(out_of_scope=1)
                return True
            if not self.frontier.claim(target):
                return True  # fetched or queued on its own
            url = target
        self.count(errors=1)  # redirect chain longer than max_redirects
        return True

    def fetch(self, url: str) -> HttpExchange | FetchFailure:
        host = host_of(url)
        self.pacer.set_crawl_delay(host, self.robots.crawl_delay(url))
        result = fetch_with_retries(url, self.settings, pace=partial(self.pacer.request_slot, host))
        self.count(retries=result.attempts - 1)
        return result

    def follow_links(self, page: HttpExchange, depth: int) -> None:
        content_type = page.header("content-type")
        if not (200 <= page.status < 300 and is_html(content_type)):
            return
        for link in extract_links(decode_html(page.body, content_type), page.url):
            if self.frontier.add(link, depth) is Added.OUT_OF_SCOPE:
                self.count(out_of_scope=1)

    def fetch_robots(self, robots_url: str) -> tuple[int | None, bytes]:
        """robots.txt with redirects followed; more than max_redirects hops reads as 404 (Google)."""
        url = robots_url
        for _ in range(self.config.max_redirects + 1):
            result = fetch_with_retries(url, self.settings, pace=partial(self.pacer.request_slot, host_of(url)))
            self.count(retries=result.attempts - 1)
            if isinstance(result, FetchFailure):
                return None, b""
            if not result.is_redirect:
                return result.status, result.body
            url = normalize_url(urljoin(url, result.header("location")))
            if url is None:
                return 404, b""
        return 404, b""
