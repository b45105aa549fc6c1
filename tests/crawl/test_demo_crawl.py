"""End to end: the health spider crawls a generated demo site through a real loopback
server, and what it publishes matches the generator's ground truth."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from tests.crawl.demo_run import DemoCrawl, crawl_demo_site
from tests.crawl.tls import self_signed_context
from tests.parsing.golden import RUN_DEPENDENT

UNIQUE_KINDS = ("original", "orphan")


def test_crawl_exits_0_and_publishes(demo_crawl: DemoCrawl) -> None:
    assert demo_crawl.run.code == 0, demo_crawl.run.stderr[-3000:]
    assert demo_crawl.run.manifest["finish_reason"] == "finished"


def test_crawl_finishes_in_bounded_time(demo_crawl: DemoCrawl) -> None:
    manifest = demo_crawl.run.manifest
    seconds = (datetime.fromisoformat(manifest["finished_at"])
               - datetime.fromisoformat(manifest["started_at"])).total_seconds()
    assert seconds < 90


def test_every_unique_article_is_exported_exactly_once(demo_crawl: DemoCrawl) -> None:
    expected = {demo_crawl.canonical(r["url"]) for r in demo_crawl.truth_records()
                if r["kind"] in UNIQUE_KINDS}
    exported = Counter(r["canonical_url"] for r in demo_crawl.exported_records())
    assert set(exported) == expected
    assert max(exported.values()) == 1


def test_every_exported_field_equals_the_truth(demo_crawl: DemoCrawl) -> None:
    truth = {demo_crawl.canonical(r["url"]): r["expected"] for r in demo_crawl.truth_records()}
    mismatches = []
    for record in demo_crawl.exported_records():
        expected = truth[record["canonical_url"]]
        mismatches += [(record["url"], field) for field, value in expected.items()
                       if field not in RUN_DEPENDENT and record[field] != value]
    assert mismatches == []


def test_orphans_are_found_through_the_sitemaps(demo_crawl: DemoCrawl) -> None:
    exported = {r["canonical_url"] for r in demo_crawl.exported_records()}
    assert {demo_crawl.canonical(u) for u in demo_crawl.truth.orphans} <= exported


def test_no_request_to_a_robots_disallowed_path(demo_crawl: DemoCrawl) -> None:
    assert demo_crawl.truth.disallowed
    assert not [u for u in demo_crawl.fetched_urls() if demo_crawl.path(u).startswith("/private/")]
    assert demo_crawl.run.stats["robotstxt/forbidden"] >= 1


def test_no_canonical_url_is_fetched_twice(demo_crawl: DemoCrawl) -> None:
    fetched = Counter(demo_crawl.canonical(u) for u in demo_crawl.fetched_urls()
                      if not u.endswith("/robots.txt"))
    assert [url for url, count in fetched.items() if count > 1] == []


def test_url_aliases_are_fetched_as_their_desktop_url(demo_crawl: DemoCrawl) -> None:
    aliases = [d["url"] for d in demo_crawl.truth.iter_duplicates() if d["reason"] == "url"]
    assert aliases
    assert not set(aliases) & set(demo_crawl.fetched_urls())


def test_pdf_and_404s_are_counted_not_exported(demo_crawl: DemoCrawl) -> None:
    stats = demo_crawl.run.stats
    exported = {r["url"] for r in demo_crawl.exported_records()}
    assert stats["healthcrawl/spider/skipped/not_html"] >= len(demo_crawl.truth.pdfs) > 0
    assert stats["healthcrawl/spider/failed/http_404"] == len(demo_crawl.truth.missing) > 0
    assert not exported & {*demo_crawl.truth.pdfs, *demo_crawl.truth.missing}


def test_redirected_url_is_exported_under_its_target(demo_crawl: DemoCrawl) -> None:
    exported = {r["url"] for r in demo_crawl.exported_records()}
    for old, new in demo_crawl.truth.redirects.items():
        assert old not in exported
        assert new in exported


def test_every_request_went_to_the_demo_server_none_off_site(demo_crawl: DemoCrawl) -> None:
    served = [r for r in demo_crawl.requests if r[0] == "GET"]
    assert demo_crawl.run.stats["downloader/request_count"] == len(served)
    assert {host.split(":")[0] for _, host, _ in served} <= {"www.healthdemo.test"}


def test_crawl_without_worker_processes_publishes_the_same_articles(
    demo_crawl: DemoCrawl, tmp_path: Path
) -> None:
    in_process = crawl_demo_site(tmp_path, workers=0)
    assert in_process.run.code == 0, in_process.run.stderr[-3000:]

    def articles(crawl: DemoCrawl) -> list[tuple[str, str]]:
        return sorted((crawl.path(r["canonical_url"]), r["content_hash"]) for r in crawl.exported_records())

    assert articles(in_process) == articles(demo_crawl)


def test_a_site_served_over_https_is_crawled_whole(tmp_path: Path) -> None:
    """Links on an HTTPS site are mostly in canonical form already (``https://``, no
    tracking keys): each must still be followed, and fetched once."""
    crawl = crawl_demo_site(tmp_path, pages=60, ssl_context=self_signed_context(tmp_path))
    assert crawl.run.code == 0, crawl.run.stderr[-3000:]
    assert crawl.truth.start_url.startswith("https://")
    expected = {crawl.canonical(r["url"]) for r in crawl.truth_records() if r["kind"] in UNIQUE_KINDS}
    exported = Counter(r["canonical_url"] for r in crawl.exported_records())
    assert set(exported) == expected and max(exported.values()) == 1
    fetched = Counter(crawl.canonical(u) for u in crawl.fetched_urls() if not u.endswith("/robots.txt"))
    assert [url for url, count in fetched.items() if count > 1] == []
