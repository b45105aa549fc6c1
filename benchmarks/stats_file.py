"""A Scrapy extension for benchmarks: write the final crawl stats to ``STATS_FILE`` as JSON,
with the crawl process's own CPU seconds (``bench/process_cpu``; parse workers not included)
and peak resident memory (``bench/peak_rss_mb``)."""

from __future__ import annotations

import json
import resource
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
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats["bench/process_cpu"] = usage.ru_utime + usage.ru_stime
        stats["bench/peak_rss_mb"] = _high_water_mb()
        self.path.write_text(json.dumps(stats, default=str))


def _high_water_mb() -> float:
    """The process's peak resident memory, from ``VmHWM``: ``ru_maxrss`` would start from
    the memory of the process that forked it (the benchmark, holding a generated site)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
