"""Crawl settings, one dataclass so YAML, CLI flags and tests share the same names."""

from __future__ import annotations

from dataclasses import dataclass, field

from refinery.config import check


@dataclass
class CrawlConfig:
    """Defaults follow common polite-crawler practice (Heritrix, Scrapy's AutoThrottle
    guidance): one request at a time per host, at least a second apart, a bot name that
    says who is crawling."""

    user_agent: str = "RefineryBot/0.1 (+https://example.org/refinery-bot)"
    # Pages taken from the frontier per host (any final status). Per host, so the result
    # does not depend on how hosts are spread over Spark partitions.
    max_pages: int = 1000
    max_depth: int = 3  # seeds are depth 0; redirect hops do not add depth
    per_host_delay_s: float = 1.0  # robots.txt Crawl-delay wins when larger
    per_host_concurrency: int = 1
    threads: int = 8  # workers shared by all hosts of one crawl_hosts call
    timeout_s: float = 10.0  # per socket operation (connect, each read)
    retries: int = 2  # extra attempts after a timeout, connection error, 429 or 5xx
    backoff_s: float = 1.0  # wait before retry n is backoff_s * 2**n
    max_backoff_s: float = 60.0  # cap, also for a server's Retry-After
    # Hosts in scope besides the seeds' own hosts: a plain host name matches exactly,
    # anything else is a regex that must match the whole host (e.g. r".*\.example\.org").
    allow_hosts: list[str] = field(default_factory=list)
    max_redirects: int = 5  # hops followed per URL (Google follows up to 5 for robots.txt)
    max_body_bytes: int = 5 * 1024 * 1024  # longer bodies are cut; WARC-Truncated: length
    warc_max_bytes: int = 1024 * 1024 * 1024  # rotate to a new .warc.gz past this size

    def __post_init__(self) -> None:
        for name in ("max_pages", "per_host_concurrency", "threads", "timeout_s", "max_body_bytes", "warc_max_bytes"):
            check(getattr(self, name) > 0, name, f"must be > 0, got {getattr(self, name)!r}")
        for name in ("max_depth", "per_host_delay_s", "retries", "backoff_s", "max_backoff_s", "max_redirects"):
            check(getattr(self, name) >= 0, name, f"must be >= 0, got {getattr(self, name)!r}")
        check(bool(self.user_agent.strip()), "user_agent", "must name the crawler")
        check(not isinstance(self.allow_hosts, str), "allow_hosts", "must be a list of hosts or regexes")
