"""Crawler tests against a live local site (see conftest.py): politeness, scope, WARC output."""

from __future__ import annotations

import glob
import os

import pytest
from warcio.archiveiterator import ArchiveIterator

from refinery.ingest.crawl import CrawlConfig, crawl_hosts
from refinery.ingest.crawl.frontier import Scope
from refinery.ingest.crawl.links import extract_links
from refinery.ingest.crawl.politeness import HostPacer
from refinery.ingest.crawl.robots import rules_from_response
from refinery.ingest.crawl.urls import normalize_url

AGENT = "RefineryTestBot/1.0 (+https://example.org/bot)"


def fast_config(**overrides) -> CrawlConfig:
    settings = dict(user_agent=AGENT, per_host_delay_s=0.0, timeout_s=0.3, retries=1, backoff_s=0.05,
                    max_depth=3, threads=4)
    return CrawlConfig(**{**settings, **overrides})


def warc_records(out_dir: str) -> list:
    """(type, uri, status, headers, record id, concurrent-to) for every record, file by file."""
    records = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.warc.gz"))):
        with open(path, "rb") as stream:
            for i, record in enumerate(ArchiveIterator(stream)):
                http = record.http_headers
                records.append({
                    "file": path, "index": i, "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
                    "status": int(http.get_statuscode()) if record.rec_type == "response" else None,
                    "location": http.get_header("Location") if http else None,
                    "body": record.content_stream().read(),
                })
    return records


def test_polite_crawl_of_a_small_site(site, tmp_path):
    config = fast_config(per_host_delay_s=0.2)
    stats = crawl_hosts([site.base + "/"], str(tmp_path), config)

    paths = site.page_paths()
    # robots.txt is asked first, once, and its Disallow is obeyed
    assert site.paths()[0] == "/robots.txt" and site.paths().count("/robots.txt") == 1
    assert not [p for p in site.paths() if p.startswith("/private/")]
    assert stats.robots_disallowed == 1
    # every request carries the configured user agent
    assert {hit.user_agent for hit in site.hits} == {AGENT}
    # per-host rate limit: arrivals at least the delay apart
    arrivals = sorted(hit.at for hit in site.hits)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert min(gaps) >= 0.2, gaps
    # each page once (fragments and ./ spellings are the same page); retries are the exception
    assert paths.count("/") == 1 and paths.count("/a") == 1 and paths.count("/b") == 1
    assert paths.count("/flaky") == 2  # 503, then 200 after backoff
    assert paths.count("/slow") == 2  # timed out twice (retries=1), then recorded as an error
    assert stats.errors == 1
    # off-site link and rel=nofollow are never fetched; depth 3 is the last level
    assert "/offsite" not in paths and "/nofollow" not in paths and stats.out_of_scope == 1
    assert "/deep/3" in paths and "/deep/4" not in paths
    # the redirect is followed and both hops are counted
    assert paths.count("/old") == 1 and paths.count("/c") == 1 and stats.redirects == 1
    assert stats.by_status == {"200": 8, "301": 1, "404": 1}
    assert stats.pages_fetched == 9  # /, a, b, /old -> c, missing, flaky, deep/1-3

    records = warc_records(str(tmp_path))
    assert records[0]["type"] == "warcinfo"
    responses = {r["uri"].removeprefix(site.base): r for r in records if r["type"] == "response"}
    assert responses["/old"]["status"] == 301 and responses["/old"]["location"] == "/c"
    assert responses["/c"]["status"] == 200 and b"<p>/c</p>" in responses["/c"]["body"]
    assert responses["/missing"]["status"] == 404
    assert responses["/flaky"]["status"] == 200
    assert "/slow" not in responses and "/private/secret" not in responses
    requests = [r for r in records if r["type"] == "request"]
    assert len(requests) == len(responses) == 10
    by_id = {r["id"]: r for r in records}
    for request in requests:
        assert by_id[request["concurrent_to"]]["uri"] == request["uri"]


def test_slow_page_is_fetched_when_the_timeout_allows(site, tmp_path):
    site.slow_s = 0.3
    stats = crawl_hosts([site.base + "/slow"], str(tmp_path), fast_config(timeout_s=2.0))
    assert stats.errors == 0 and stats.by_status == {"200": 1}
    assert site.page_paths() == ["/slow"]


def test_max_pages_is_a_per_host_budget(site, tmp_path):
    stats = crawl_hosts([site.base + "/"], str(tmp_path), fast_config(max_pages=3, threads=1))
    assert site.page_paths() == ["/", "/a", "/b"]
    assert stats.pages_fetched == 3


def test_max_depth_zero_fetches_only_seeds(site, tmp_path):
    stats = crawl_hosts([site.base + "/deep/1", site.base + "/a"], str(tmp_path), fast_config(max_depth=0))
    assert sorted(site.page_paths()) == ["/a", "/deep/1"] and stats.pages_fetched == 2


def test_max_depth_one(site, tmp_path):
    crawl_hosts([site.base + "/deep/1"], str(tmp_path), fast_config(max_depth=1))
    assert site.page_paths() == ["/deep/1", "/deep/2"]


def test_per_host_concurrency_limit(site, tmp_path):
    stats = crawl_hosts([site.base + "/many"], str(tmp_path), fast_config(per_host_concurrency=2, threads=6))
    assert stats.pages_fetched == 7
    assert site.max_in_flight == 2


def test_robots_server_error_disallows_the_host(site, tmp_path):
    site.robots_status = 503
    stats = crawl_hosts([site.base + "/"], str(tmp_path), fast_config(retries=0))
    assert site.paths() == ["/robots.txt"]
    assert stats.robots_disallowed == 1 and stats.pages_fetched == 0


def test_robots_not_found_allows_everything(site, tmp_path):
    site.robots_status, site.slow_s = 404, 0.0
    crawl_hosts([site.base + "/"], str(tmp_path), fast_config(max_depth=1))
    assert "/private/secret" in site.page_paths()


def test_warc_files_rotate_at_the_size_limit(site, tmp_path):
    stats = crawl_hosts([site.base + "/deep/1"], str(tmp_path), fast_config(max_depth=2, warc_max_bytes=1))
    files = sorted(glob.glob(str(tmp_path / "*.warc.gz")))
    assert len(files) == stats.warc_files == 3
    assert not glob.glob(str(tmp_path / "*.open"))
    records = warc_records(str(tmp_path))
    for path in files:
        types = [r["type"] for r in records if r["file"] == path]
        assert types == ["warcinfo", "response", "request"]


def test_allow_list_extends_the_scope(site, tmp_path):
    site.slow_s = 0.0
    stats = crawl_hosts([site.base + "/"], str(tmp_path),
                        fast_config(max_depth=1, allow_hosts=["localhost"]))
    offsite = [hit for hit in site.hits if hit.path == "/offsite"]
    assert len(offsite) == 1 and offsite[0].host == f"localhost:{site.port}"
    assert stats.out_of_scope == 0


def test_scope_rules():
    scope = Scope(["example.org"], [r".*\.example\.net", "docs.example.com"])
    assert scope.contains("https://www.example.org/x")
    assert scope.contains("http://a.b.example.net/")
    assert scope.contains("http://docs.example.com/")
    assert not scope.contains("http://example.net/")
    assert not scope.contains("http://evil-example.org/")


def test_links_and_normalisation():
    html = ('<base href="/dir/"><a href="x.html#frag">1</a><a href="HTTP://Example.ORG:80/y z">2</a>'
            '<a href="javascript:void(0)">3</a><a rel="nofollow" href="/n">4</a><a href="x.html">dup</a>')
    assert extract_links(html, "http://example.org/page") == [
        "http://example.org/dir/x.html", "http://example.org/y%20z"]
    assert extract_links('<meta name="robots" content="noindex, nofollow"><a href="/a">a</a>',
                         "http://example.org/") == []
    assert normalize_url("https://example.org") == "https://example.org/"
    assert normalize_url("ftp://example.org/") is None


def test_robots_fetch_outcomes():
    assert rules_from_response(404, b"").can_fetch(AGENT, "http://h/x")
    assert not rules_from_response(503, b"").can_fetch(AGENT, "http://h/x")
    assert not rules_from_response(429, b"").can_fetch(AGENT, "http://h/x")
    assert not rules_from_response(None, b"").can_fetch(AGENT, "http://h/x")
    rules = rules_from_response(200, b"User-agent: *\nCrawl-delay: 3\nDisallow: /p/\n")
    assert not rules.can_fetch(AGENT, "http://h/p/1") and rules.can_fetch(AGENT, "http://h/q")
    assert rules.crawl_delay(AGENT) == 3


def test_pacer_honours_the_larger_crawl_delay():
    now = [0.0]
    pacer = HostPacer(1.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    pacer.set_crawl_delay("h", 5)
    pacer.set_crawl_delay("small", 0.1)
    starts = []
    for host in ["h", "h", "small", "small"]:
        with pacer.request_slot(host):
            starts.append(now[0])
    assert starts == [0.0, 5.0, 5.0, 6.0]


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="per_host_concurrency"):
        CrawlConfig(per_host_concurrency=0)


@pytest.mark.slow
def test_spark_job_crawls_host_groups_into_one_committed_output(spark, site, tmp_path):
    import json

    from jobs.crawl import main  # the job's entry point

    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"# two hosts, one server\n{site.base}/a\n\nhttp://localhost:{site.port}/b\nnot a url\n")
    out = tmp_path / "crawl"
    assert main(["--seeds", str(seeds), "--output", str(out), "--max-depth", "0", "--user-agent", AGENT,
                 "--set", "per_host_delay_s=0", "--partitions", "2"]) == 0
    stats = json.loads((out / "_stats.json").read_text())

    assert stats["hosts"] == 2 and stats["pages_fetched"] == 2 and stats["invalid_urls"] == 1
    assert json.loads((out / "_stats.json").read_text())["pages_fetched"] == 2
    assert sorted(site.page_paths()) == ["/a", "/b"] and {h.user_agent for h in site.hits} == {AGENT}
    responses = [r for r in warc_records(str(out)) if r["type"] == "response"]
    assert sorted(r["uri"] for r in responses) == [f"{site.base}/a", f"http://localhost:{site.port}/b"]
    assert len(glob.glob(str(out / "crawl-p*.warc.gz"))) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


# robots.txt semantics (RFC 9309 §2.2.2-2.2.3; the examples of Google's robots.txt documentation)
ROBOTS = b"""User-agent: *
Disallow: /*.pdf$
Disallow: /fish*
Allow: /fish/salmon
Disallow: /page
Allow: /page/
Disallow: /shop
Allow: /shop
Sitemap: http://h/sitemap.xml
"""


def test_robots_wildcard_matches_any_characters():
    rules = rules_from_response(200, ROBOTS)
    assert not rules.can_fetch(AGENT, "http://h/fishheads/catfish.php")
    assert not rules.can_fetch(AGENT, "http://h/a/b.pdf")  # urllib.robotparser fetched this one


def test_robots_dollar_anchors_the_end():
    rules = rules_from_response(200, ROBOTS)
    assert rules.can_fetch(AGENT, "http://h/a/b.pdf?x=1") and rules.can_fetch(AGENT, "http://h/a/b.pdfs")


def test_robots_longest_match_wins_whatever_the_order():
    rules = rules_from_response(200, ROBOTS)
    assert rules.can_fetch(AGENT, "http://h/fish/salmon") and not rules.can_fetch(AGENT, "http://h/fish/trout")
    assert rules.can_fetch(AGENT, "http://h/page/1") and not rules.can_fetch(AGENT, "http://h/pages")
    flipped = rules_from_response(200, b"User-agent: *\nAllow: /page/\nDisallow: /page\n")
    assert flipped.can_fetch(AGENT, "http://h/page/1") and not flipped.can_fetch(AGENT, "http://h/pages")


def test_robots_allow_wins_a_tie_and_sitemaps_are_read():
    rules = rules_from_response(200, ROBOTS)
    assert rules.can_fetch(AGENT, "http://h/shop")
    assert rules.sitemaps == ["http://h/sitemap.xml"]
