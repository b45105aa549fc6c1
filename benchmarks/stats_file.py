"""A Scrapy extension for benchmarks: write the final crawl stats to ``STATS_FILE`` as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler


class StatsFile:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings.get("STATS_FILE", "stats.json"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.path.write_text(json.dumps(stats, default=str))
