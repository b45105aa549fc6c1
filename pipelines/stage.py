"""What every pipeline stage shares: reading an item as a record, and its stats counters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from crawler.records import ArticleRecord

if TYPE_CHECKING:  # no Scrapy import at run time: worker processes use ``body_text``
    from scrapy.statscollectors import StatsCollector


def as_record(item: Any) -> ArticleRecord:
    """The item as an ``ArticleRecord``; a dict (e.g. from a JSON Lines replay) is rebuilt.

    Raises ``TypeError`` or ``KeyError`` when the item is neither.
    """
    if isinstance(item, ArticleRecord):
        return item
    if isinstance(item, dict):
        return ArticleRecord.from_dict(item)
    raise TypeError(f"expected an ArticleRecord or dict, got {type(item).__name__}")


def body_parts(record: ArticleRecord) -> Iterator[str]:
    """The body's texts in page order: summary, then each section's text and items.

    The same parts ``word_count`` counts; headings, recommendations and prev/next links
    are not body.
    """
    if record.summary:
        yield record.summary
    for section in record.sections:
        if section.text:
            yield section.text
        yield from (item for item in section.items if item)


def body_text(record: ArticleRecord) -> str:
    """The body parts joined by blank lines (the text near-duplicate MinHash is computed over)."""
    return "\n\n".join(body_parts(record))


class StageStats:
    """Counters ``healthcrawl/<stage>/...`` in Scrapy stats, and the stage's summary line."""

    def __init__(self, stats: StatsCollector, stage: str) -> None:
        self._stats = stats
        self.stage = stage
        self._prefix = f"healthcrawl/{stage}/"

    def inc(self, name: str, count: int = 1) -> None:
        """Add ``count`` to ``healthcrawl/<stage>/<name>``."""
        self._stats.inc_value(self._prefix + name, count)

    def summary(self) -> str:
        """One line with every counter of the stage, e.g. for ``close_spider``."""
        values = {
            key.removeprefix(self._prefix): value
            for key, value in sorted(self._stats.get_stats().items())
            if key.startswith(self._prefix)
        }
        counters = ", ".join(f"{key}={value}" for key, value in values.items()) or "nothing"
        return f"healthcrawl {self.stage}: {counters}"
