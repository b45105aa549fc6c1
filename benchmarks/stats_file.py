"""A Scrapy extension for benchmarks: write the final crawl stats to ``STATS_FILE`` as JSON,
with the crawl process's own CPU seconds (``bench/process_cpu``; parse workers not included),
peak resident memory (``bench/peak_rss_mb``) and the responses counted so far every tenth
of a second (``bench/progress``: ``[unix time, responses]`` pairs), which tell a crawl's
start and close from its steady rate. Sampled by a timer, not counted per response, so the
crawls compared pay nothing per page for it."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

PROGRESS_EVERY = 0.1
"""Seconds between two samples of the response count."""


class StatsFile:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings.get("STATS_FILE", "stats.json"))
        self.progress: list[tuple[float, int]] = []
        self.sampler = task.LoopingCall(self.sample)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.sampler.start(PROGRESS_EVERY)

    def sample(self) -> None:
        count = self.crawler.stats.get_value("downloader/response_count", 0) if self.crawler.stats else 0
        self.progress.append((time.time(), int(count)))

    def spider_closed(self) -> None:
        if self.sampler.running:
            self.sampler.stop()
        self.sample()
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats["bench/process_cpu"] = usage.ru_utime + usage.ru_stime
        stats["bench/peak_rss_mb"] = _high_water_mb()
        stats["bench/progress"] = self.progress
        self.path.write_text(json.dumps(stats, default=str))


def _high_water_mb() -> float:
    """The process's peak resident memory, from ``VmHWM``: ``ru_maxrss`` would start from
    the memory of the process that forked it (the benchmark, holding a generated site)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
