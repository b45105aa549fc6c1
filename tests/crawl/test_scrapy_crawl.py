"""``scrapy crawl health`` works the same way as ``healthcrawl crawl`` (project settings,
pipelines, publication), for users who drive Scrapy directly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer, SiteTruth, generate_site
from tests.crawl.run_cli import REPO, CliRun, healthcrawl


def scrapy_crawl(tmp_path: Path, pages: int,
                 *extra: str) -> tuple[subprocess.CompletedProcess[str], SiteTruth]:
    """``scrapy crawl health`` of a served demo site, tables into ``tmp_path/out``."""
    server = DemoServer(tmp_path / "site")
    try:
        truth = generate_site(tmp_path / "site", pages=pages, base_url=server.base_url)
        server.start()
        host_map = json.dumps({DEMO_HOST: "127.0.0.1", DEMO_MOBILE_HOST: "127.0.0.1"})
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "health", "-a", "site=demo",
             "-a", f"start_url={truth.start_url}", "-s", f"HEALTHCRAWL_HOST_MAP={host_map}",
             "-s", f"HEALTHCRAWL_EXPORT_DIR={tmp_path / 'out'}", "-s", "AUTOTHROTTLE_ENABLED=0",
             "-s", "DOWNLOAD_DELAY=0", *extra],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-2000:]
    return done, truth


def test_scrapy_crawl_health_publishes_the_tables(tmp_path: Path) -> None:
    _, truth = scrapy_crawl(tmp_path, 30, "-s", "LOG_LEVEL=WARNING")
    manifest = json.loads((tmp_path / "out" / "latest" / "manifest.json").read_text())
    assert manifest["row_counts"]["articles"] == truth.counts["unique_articles"]


def test_scrapy_crawl_with_a_feed_writes_the_articles_the_tables_hold_and_says_where_the_tables_went(
        tmp_path: Path) -> None:
    done, _ = scrapy_crawl(tmp_path, 60, "-O", str(tmp_path / "feed.jsonl"))
    feed = [json.loads(line)["article_key"] for line in (tmp_path / "feed.jsonl").read_text().splitlines()]
    manifest = json.loads((tmp_path / "out" / "latest" / "manifest.json").read_text())
    assert len(feed) == len(set(feed)) == manifest["row_counts"]["articles"]
    assert f"the tables are published into {tmp_path / 'out'}/latest" in done.stderr


def test_bad_spider_argument_fails_at_start_with_one_clear_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--site", "nosuchsite", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "healthcrawl: error: unknown site 'nosuchsite'; known sites: demo, generic, keepto"
    ]


def crawl_small_demo(tmp_path: Path, *flags: str) -> CliRun:
    server = DemoServer(tmp_path / "site")
    try:
        truth = generate_site(tmp_path / "site", pages=30, base_url=server.base_url)
        server.start()
        return healthcrawl("crawl", "--site", "demo", "--start-url", truth.start_url,
                           "--host-map", f"{DEMO_HOST}=127.0.0.1", "--format", "parquet",
                           "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0", *flags,
                           out=tmp_path / "out")
    finally:
        server.shutdown()


def test_a_run_stopped_by_max_pages_does_not_replace_the_previous_publication(tmp_path: Path) -> None:
    full = crawl_small_demo(tmp_path)
    assert full.code == 0, full.stderr[-2000:]
    before = (tmp_path / "out" / "latest").resolve()
    partial = crawl_small_demo(tmp_path, "--max-pages", "25")
    assert partial.code == 3, partial.stderr[-2000:]
    assert "not published: stopped by a limit (closespider_pagecount)" in partial.stderr
    assert (tmp_path / "out" / "latest").resolve() == before
    assert partial.manifest["finish_reason"] == "finished"  # latest: still the full run's


def test_publish_partial_publishes_a_run_stopped_by_max_pages_and_says_so(tmp_path: Path) -> None:
    run = crawl_small_demo(tmp_path, "--max-pages", "25", "--publish-partial")
    assert run.code == 0, run.stderr[-2000:]
    assert (run.manifest["finish_reason"], run.manifest["partial"]) == ("closespider_pagecount", True)
    assert 0 < run.manifest["row_counts"]["articles"] < 30


def test_run_that_fails_to_export_exits_1_and_keeps_the_previous_publication(tmp_path: Path) -> None:
    first = crawl_small_demo(tmp_path)
    assert first.code == 0
    before = (tmp_path / "out" / "latest").resolve()
    failing = crawl_small_demo(tmp_path, "-s", "HEALTHCRAWL_EXPORT_ROW_GROUP_SIZE=0")
    assert failing.code == 1
    assert "previous publication" in failing.stderr
    assert (tmp_path / "out" / "latest").resolve() == before
