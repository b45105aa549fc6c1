"""The crawl's stats collector counts what Scrapy's does, without its per-read shim."""

from __future__ import annotations

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.run import project_settings
from crawler.stats import QuickStatsCollector


def crawl_stats() -> QuickStatsCollector:
    crawler = get_crawler(Spider, {"STATS_CLASS": project_settings().get("STATS_CLASS")})
    assert isinstance(crawler.stats, QuickStatsCollector)
    return crawler.stats


def test_the_crawl_counts_sets_and_keeps_extremes_as_scrapys_collector_does() -> None:
    stats = crawl_stats()
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.inc_value("bytes", 5, start=10)
    stats.max_value("largest", 3)
    stats.max_value("largest", 1)
    stats.min_value("smallest", 3)
    stats.min_value("smallest", 1)
    stats.set_value("reason", "finished")
    assert stats.get_value("pages") == 3 and stats.get_value("absent", "none") == "none"
    assert stats.get_stats() == {"pages": 3, "bytes": 15, "largest": 3, "smallest": 1, "reason": "finished"}


def test_a_stats_read_is_a_plain_attribute_read() -> None:
    stats = crawl_stats()
    assert type(stats).__getattribute__ is object.__getattribute__
    assert stats.inc_value.__func__ is QuickStatsCollector.inc_value  # type: ignore[attr-defined]
