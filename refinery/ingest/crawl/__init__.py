"""Polite web crawler: seeds in, WARC files out, for the ingest stage to read.

`crawl_hosts` crawls one group of hosts on one machine; jobs/crawl.py spreads host
groups over Spark tasks.
"""

from .config import CrawlConfig
from .crawler import CrawlStats, crawl_hosts

__all__ = ["CrawlConfig", "CrawlStats", "crawl_hosts"]
