"""spark-submit jobs/crawl.py --seeds urls.txt --output DIR [--config crawl.yaml] [--max-pages N]

Polite crawl of the seed URLs into WARC files that `jobs/ingest.py` reads. Seeds are
grouped by host on the driver and host groups spread over Spark tasks, so each host is
crawled by exactly one task and its politeness limits hold cluster-wide. The output
directory holds `crawl-pNNNNN-NNNNN.warc.gz` files and `_stats.json`, published atomically.

Executors write WARC files with plain local file IO, so --output must be a local path
or file:// URI (on a cluster: a filesystem every executor mounts at the same path).
For HDFS or object stores, crawl to such a path and copy the finished directory.
"""

from __future__ import annotations

import glob
import os
import time
from collections import defaultdict
from functools import partial

from refinery.ingest.crawl import CrawlConfig, CrawlStats, crawl_hosts
from refinery.ingest.crawl.urls import host_of, normalize_url
from refinery.spark.inputs import InputError
from refinery.spark.job import JobError, Stage


def crawl_arguments(p) -> None:
    p.add_argument("--seeds", required=True, help="text file, one URL a line ('#' starts a comment)")
    p.add_argument("--max-pages", type=int, help="pages per host")
    p.add_argument("--max-depth", type=int)
    p.add_argument("--user-agent")
    p.add_argument("--delay", type=float, dest="per_host_delay_s", help="seconds between requests to a host")
    p.add_argument("--partitions", type=int, help="Spark tasks (default: one per host, up to default parallelism)")


def crawl_overrides(args) -> dict:
    flags = {"max_pages": args.max_pages, "max_depth": args.max_depth, "user_agent": args.user_agent,
             "per_host_delay_s": args.per_host_delay_s}
    return {k: v for k, v in flags.items() if v is not None}


def read_seeds(path: str) -> list[str]:
    if not os.path.isfile(path):
        raise InputError(f"--seeds {path}: no such file (expected a text file of URLs, one a line)")
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    return [line for line in lines if line and not line.startswith("#")]


def group_by_host(seeds: list[str]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(host, its seeds) sorted by host, plus the seeds that are not http(s) URLs."""
    groups: dict[str, list[str]] = defaultdict(list)
    invalid = []
    for seed in seeds:
        url = normalize_url(seed)
        if url is None:
            invalid.append(seed)
        else:
            groups[host_of(url)].append(url)
    return sorted(groups.items()), invalid


def crawl_partition(out_dir: str, config: CrawlConfig, index: int, groups) -> list[dict]:
    """One Spark task: crawl its host groups into out_dir; returns its stats as one dict."""
    prefix = f"crawl-p{index:05d}"
    # A retried task starts clean instead of leaving a failed attempt's files beside its own.
    for stale in glob.glob(os.path.join(out_dir, prefix + "-*")):
        os.remove(stale)
    seeds = [url for _, urls in groups for url in urls]
    if not seeds:
        return [CrawlStats().as_dict()]
    return [crawl_hosts(seeds, out_dir, config, warc_prefix=prefix).as_dict()]


def check_args(args, _config) -> None:
    """Before Spark: a local --output and seeds with at least one http(s) URL."""
    from refinery.spark.paths import local_path

    if local_path(args.output) is None:
        raise JobError(f"--output {args.output}: the crawler writes local files; use a local path or file:// URI")
    args.groups, args.invalid = group_by_host(read_seeds(args.seeds))
    if not args.groups:
        raise InputError(f"--seeds {args.seeds}: no http(s) URL found")


def run(spark, args, config: CrawlConfig) -> dict:
    from refinery.spark.commit import atomic_output
    from refinery.spark.paths import local_path
    from refinery.spark.stats import write_stats

    started = time.time()
    groups, invalid = args.groups, args.invalid
    sc = spark.sparkContext
    partitions = args.partitions or min(len(groups), sc.defaultParallelism)
    with atomic_output(spark, args.output) as staging:
        out_dir = local_path(staging)
        os.makedirs(out_dir, exist_ok=True)
        per_task = (sc.parallelize(groups, partitions)
                    .mapPartitionsWithIndex(partial(crawl_partition, out_dir, config))
                    .collect())
        total = CrawlStats(invalid_urls=len(invalid))
        for part in per_task:
            total = total.add(part)
        stats = {"stage": "crawl", "seeds": sum(len(urls) for _, urls in groups) + len(invalid),
                 "hosts": len(groups), "partitions": partitions, **total.as_dict(),
                 "run": {"seconds": round(time.time() - started, 3), "user_agent": config.user_agent}}
        write_stats(spark, staging, stats)
    return stats


def format_report(stats: dict) -> str:
    return (f"[crawl] {stats['pages_fetched']} pages from {stats['hosts']} hosts, "
            f"{stats['errors']} errors, {stats['robots_disallowed']} disallowed by robots.txt, "
            f"{stats['warc_files']} WARC files")


# A speculative copy of a task would crawl its hosts twice, at twice the polite rate.
STAGE = Stage("crawl", __doc__, run, format_report, config_cls=CrawlConfig, inputs="none", arguments=crawl_arguments,
          overrides=crawl_overrides, check=check_args, spark_conf=lambda cfg: {"spark.speculation": "false"})

