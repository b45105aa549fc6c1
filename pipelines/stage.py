"""What every pipeline stage shares: reading an item as a record, and its stats counters."""

from __future__ import annotations

from typing import Any

from scrapy.statscollectors import StatsCollector

from core.records import ArticleRecord


def as_record(item: Any) -> ArticleRecord:
    """The item as an ``ArticleRecord``; a dict (e.g. from a JSON Lines replay) is rebuilt.

    Raises ``TypeError`` or ``KeyError`` when the item is neither.
    """
    if isinstance(item, ArticleRecord):
        return item
    if isinstance(item, dict):
        return ArticleRecord.from_dict(item)
    raise TypeError(f"expected an ArticleRecord or dict, got {type(item).__name__}")


class StageStats:
    """Counters ``healthcrawl/<stage>/...`` in Scrapy stats, and the stage's summary line."""

    def __init__(self, stats: StatsCollector, stage: str) -> None:
        self._stats = stats
        self.stage = stage
        self._prefix = f"healthcrawl/{stage}/"

    def inc(self, name: str, count: int = 1) -> None:
        """Add ``count`` to ``healthcrawl/<stage>/<name>``."""
        self._stats.inc_value(self._prefix + name, count)

    def value(self, name: str) -> int:
        """The counter ``healthcrawl/<stage>/<name>`` (0 before its first ``inc``)."""
        return int(self._stats.get_value(self._prefix + name, 0))

    def summary(self) -> str:
        """One line with every counter of the stage, e.g. for ``close_spider``."""
        values = {
            key.removeprefix(self._prefix): value
            for key, value in sorted(self._stats.get_stats().items())
            if key.startswith(self._prefix)
        }
        counters = ", ".join(f"{key}={value}" for key, value in values.items()) or "nothing"
        return f"healthcrawl {self.stage}: {counters}"
