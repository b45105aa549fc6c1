"""How far the crawl is: a live line on a terminal, plain periodic log lines elsewhere.

An engineer at a terminal wants one line that moves (pages, articles, duplicates,
failures, rate, elapsed, and an ETA once the sitemaps said how many article URLs there
are); cron and CI want a log line every so often, with no control characters. This
extension does either (``HEALTHCRAWL_PROGRESS``: ``auto`` picks by whether stderr is a
terminal, ``bar``, ``log``, ``off``) and stands in for Scrapy's ``LogStats``, which logs
pages and items only.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from tqdm import tqdm
from twisted.internet import task

logger = logging.getLogger(__name__)

SITEMAP_URLS = "healthcrawl/spider/sitemap_urls"


def snapshot(stats: dict[str, Any]) -> dict[str, int]:
    """The counts a progress line shows, from the crawl's stats."""
    def total(prefix: str) -> int:
        return sum(int(v) for k, v in stats.items() if k.startswith(prefix))
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles": int(stats.get("healthcrawl/export/kept", stats.get("item_scraped_count", 0))),
        "duplicates": total("healthcrawl/dedup/dropped/") + total("healthcrawl/dedup/superseded/"),
        "unchanged": total("healthcrawl/spider/unchanged/") + int(stats.get("healthcrawl/spider/resumed", 0)),
        "failed": total("healthcrawl/spider/failed/"),
        "expected": int(stats.get(SITEMAP_URLS, 0)),
    }


def rss_mb() -> float:
    """This process's resident memory now (Linux ``/proc``; elsewhere its peak so far)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{minutes:02d}:{seconds:02d}"


class Progress:
    """The progress extension (see the module doc)."""

    def __init__(self, crawler: Crawler, live: bool, interval: float) -> None:
        self.crawler = crawler
        self.live = live
        self.interval = interval
        self.started = time.monotonic()
        self.bar: tqdm[Any] | None = None
        self._loop: task.LoopingCall | None = None
        self._streams: list[tuple[logging.StreamHandler[Any], Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mode = crawler.settings.get("HEALTHCRAWL_PROGRESS", "auto")
        if mode not in ("auto", "bar", "log", "off"):
            raise NotConfigured(f"HEALTHCRAWL_PROGRESS={mode!r}: use auto, bar, log or off")
        if mode == "off":
            raise NotConfigured("HEALTHCRAWL_PROGRESS is off")
        live = mode == "bar" or (mode == "auto" and sys.stderr.isatty())
        interval = 0.5 if live else crawler.settings.getfloat("LOGSTATS_INTERVAL", 30.0)
        extension = cls(crawler, live, interval)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def engine_started(self) -> None:
        self.started = time.monotonic()
        if self.live:
            self._log_above_the_bar()
            self.bar = tqdm(total=None, unit=" pages", file=sys.stderr, dynamic_ncols=True, leave=False,
                            bar_format="{desc} [{elapsed}{postfix}]")
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(self.interval, now=False)

    def tick(self) -> None:
        assert self.crawler.stats is not None
        counts = snapshot(self.crawler.stats.get_stats())
        elapsed = time.monotonic() - self.started
        rate = counts["pages"] / elapsed if elapsed > 0 else 0.0
        line = (f"{counts['pages']} pages ({rate:.1f}/s), {counts['articles']} articles, "
                f"{counts['duplicates']} duplicates, {counts['unchanged']} unchanged, "
                f"{counts['failed']} failed")
        eta = self._eta(counts, elapsed)
        if self.bar is not None:
            self.bar.set_description_str(line, refresh=False)
            self.bar.set_postfix_str(f"ETA {_clock(eta)}" if eta is not None else "", refresh=False)
            self.bar.refresh()
        else:
            logger.info("progress: %s; %s elapsed%s; %.0f MB", line, _clock(elapsed),
                        f", about {_clock(eta)} to go" if eta is not None else "", rss_mb())

    @staticmethod
    def _eta(counts: dict[str, int], elapsed: float) -> float | None:
        """Time left, from the share of the sitemaps' article URLs already handled."""
        done = counts["articles"] + counts["duplicates"] + counts["unchanged"]
        if not counts["expected"] or not done or done >= counts["expected"]:
            return None
        return elapsed * (counts["expected"] - done) / done

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        for handler, stream in self._streams:
            handler.setStream(stream)
        self._streams.clear()

    def _log_above_the_bar(self) -> None:
        """Log lines to stderr go through ``tqdm.write``, which clears the line, writes and
        redraws it; the handlers keep their level, filters and format."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stderr, sys.__stderr__):
                self._streams.append((handler, handler.setStream(_AboveTheBar())))


class _AboveTheBar:
    """A stream that writes above tqdm's line."""

    def write(self, text: str) -> None:
        tqdm.write(text, file=sys.stderr, end="")

    def flush(self) -> None:
        sys.stderr.flush()
