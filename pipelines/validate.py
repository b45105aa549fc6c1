"""Validate stage: drop records no table can use, count the parser's warnings.

A record is dropped (``healthcrawl/validate/dropped/<reason>``) when it has
``no_title``, ``no_body`` (summary, every section text and every item empty),
``bad_fetched_at`` (not ISO-8601, so the ``fetched_at`` timestamp column cannot hold it) or
is ``malformed`` (an item that is neither a record nor a record dict). Each parse warning is
counted as ``healthcrawl/validate/warning/<kind>``; warnings never drop a record.
A dict item is passed on as an ``ArticleRecord``, so later stages see one type.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from core.records import ArticleRecord, body_parts
from pipelines.stage import StageStats, as_record
from pipelines.tables import parse_utc

logger = logging.getLogger(__name__)


def rejection(record: ArticleRecord) -> str | None:
    """Why ``record`` cannot be published, or None when it can."""
    if not record.title.strip():
        return "no_title"
    if not any(part.strip() for part in body_parts(record)):
        return "no_body"
    try:
        parse_utc(record.fetched_at)
    except (TypeError, ValueError):
        return "bad_fetched_at"
    return None


class ValidatePipeline:
    """Drops unusable records (see module docstring); passes the rest on as records."""

    def __init__(self, stats: StatsCollector) -> None:
        self.counters = StageStats(stats, "validate")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        """Build from ``HEALTHCRAWL_VALIDATE_ENABLED`` (default on)."""
        if not crawler.settings.getbool("HEALTHCRAWL_VALIDATE_ENABLED", True):
            raise NotConfigured("HEALTHCRAWL_VALIDATE_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> ArticleRecord:
        """Return the item as a record, or raise ``DropItem`` naming the reason."""
        self.counters.inc("processed")
        try:
            record = as_record(item)
        except (TypeError, KeyError) as error:
            self._drop("malformed", f"not an article record: {error}")
        for warning in record.parse_warnings:
            self.counters.inc(f"warning/{warning}")
        reason = rejection(record)
        if reason is not None:
            self._drop(reason, f"{reason}: {record.url}")
        self.counters.inc("kept")
        return record

    def close_spider(self) -> None:
        """Log the stage's counters in one line."""
        logger.info(self.counters.summary())

    def _drop(self, reason: str, message: str) -> NoReturn:
        self.counters.inc(f"dropped/{reason}")
        raise DropItem(message, log_level="INFO")
