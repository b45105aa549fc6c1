"""The progress line: live on a terminal, plain log lines without one."""

from __future__ import annotations

from pathlib import Path

from crawler.progress import Progress, snapshot
from tests.crawl.test_scrapy_crawl import crawl_small_demo


def test_without_a_terminal_progress_is_plain_log_lines_without_control_characters(tmp_path: Path) -> None:
    run = crawl_small_demo(tmp_path, "-s", "HEALTHCRAWL_PROGRESS=auto", "-s", "LOGSTATS_INTERVAL=0.2",
                           "-s", "DOWNLOAD_DELAY=0.02", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    assert run.code == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if "progress: " in line]
    assert lines and "articles" in lines[-1] and "elapsed" in lines[-1]
    assert "\r" not in run.stderr and "\x1b" not in run.stderr


def test_the_live_line_redraws_in_place(tmp_path: Path) -> None:
    run = crawl_small_demo(tmp_path, "-s", "HEALTHCRAWL_PROGRESS=bar", "-s", "DOWNLOAD_DELAY=0.03",
                           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    assert run.code == 0, run.stderr[-2000:]
    # (text mode turns the carriage returns that redraw it into line ends)
    assert "pages (" in run.stderr and "progress: " not in run.stderr


def test_the_counts_come_from_the_crawls_stats() -> None:
    counts = snapshot({"response_received_count": 40, "healthcrawl/export/kept": 30,
                       "healthcrawl/dedup/dropped/url": 2, "healthcrawl/dedup/dropped/near": 1,
                       "healthcrawl/spider/failed/http_404": 4,
                       "healthcrawl/spider/unchanged/not_modified": 5,
                       "healthcrawl/spider/sitemap_urls": 100})
    assert counts == {"pages": 40, "articles": 30, "duplicates": 3, "unchanged": 5, "failed": 4,
                      "expected": 100}


def test_the_eta_is_the_time_the_remaining_sitemap_urls_take_at_the_rate_so_far() -> None:
    counts = {"articles": 20, "duplicates": 0, "unchanged": 5, "expected": 100, "pages": 0, "failed": 0}
    assert Progress._eta(counts, elapsed=10.0) == 30.0
    assert Progress._eta({**counts, "expected": 0}, elapsed=10.0) is None
