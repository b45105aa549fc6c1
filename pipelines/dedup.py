"""Dedup stage: drop URL, exact and near duplicates, keeping the first copy seen.

Checks, in this order (DESIGN.md "Dedup"), each against the articles already kept:

1. ``url``: the record's canonical URL (``canonicalize_url`` of its ``canonical_url``) was
   seen before, kept or dropped; similarity 1.0.
2. ``exact``: its ``content_hash`` was kept under another canonical URL; similarity 1.0.
3. ``near``: the SimHash of its body text (summary, section texts, items) is within
   ``max_hamming`` bits (default 3, i.e. similarity ``1 - hamming/64 >= 0.953``) of a kept
   article's; similarity as computed. ``pipelines.simhash`` explains the threshold.

Kept copy: the first record to reach this stage wins; every later copy is dropped and
points at it (``duplicate_of``), even when the later one has the smaller URL. Among several
near matches the closest wins, then the earliest kept. So the same records in the same
order always give the same kept set and the same duplicates rows.

Handing rows to the exporter: a dropped copy is raised as ``DuplicateDropped``, a
``DropItem`` that carries its ``DuplicateRow``. Scrapy sends every drop to the
``item_dropped`` signal with the exception, and the export stage listens there; the two
stages share no object and either works without the other.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.records import ArticleRecord
from crawler.urls import canonicalize_url
from pipelines.dedup_store import DedupStore, MemoryDedupStore
from pipelines.simhash import DEFAULT_MAX_HAMMING, simhash
from pipelines.stage import StageStats, as_record, body_text
from pipelines.tables import DuplicateRow

logger = logging.getLogger(__name__)


class DuplicateDropped(DropItem):
    """A dropped duplicate; ``row`` is its line in the ``duplicates`` table."""

    def __init__(self, row: DuplicateRow) -> None:
        super().__init__(
            f"{row.reason} duplicate of {row.duplicate_of} (similarity {row.similarity:.3f}): {row.url}",
            log_level="INFO",
        )
        self.row = row


def find_duplicate(record: ArticleRecord, store: DedupStore, canonical_url: str) -> DuplicateRow | None:
    """The duplicates row for ``record`` if it copies a kept article, else None.

    Remembers the record in ``store``: as kept when it is new, as an alias URL otherwise.
    The SimHash is only computed when the cheap URL and hash lookups found nothing.
    """
    if (key := store.find_url(canonical_url)) is not None:
        return _duplicate(record, store, canonical_url, key, "url", 1.0)
    if (key := store.find_exact(record.content_hash)) is not None:
        return _duplicate(record, store, canonical_url, key, "exact", 1.0)
    fingerprint = simhash(body_text(record))
    if (near := store.find_near(fingerprint)) is not None:
        return _duplicate(record, store, canonical_url, near.key, "near", near.similarity)
    store.add(
        key=record.article_key,
        canonical_url=canonical_url,
        content_hash=record.content_hash,
        fingerprint=fingerprint,
    )
    return None


def _duplicate(
    record: ArticleRecord,
    store: DedupStore,
    canonical_url: str,
    kept_key: str,
    reason: str,
    similarity: float,
) -> DuplicateRow:
    store.alias_url(canonical_url, kept_key)
    return DuplicateRow(
        article_key=record.article_key,
        url=record.url,
        canonical_url=canonical_url,
        duplicate_of=kept_key,
        reason=reason,
        similarity=similarity,
    )


class DedupPipeline:
    """Drops duplicates (see module docstring) as ``DuplicateDropped``."""

    def __init__(
        self,
        stats: StatsCollector,
        store: DedupStore | None = None,
        host_aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.counters = StageStats(stats, "dedup")
        self.store: DedupStore = store if store is not None else MemoryDedupStore()
        self.host_aliases = dict(host_aliases or {})

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        """Build from ``HEALTHCRAWL_DEDUP_*``: ``ENABLED``, ``MAX_HAMMING``, ``INDEX_BLOCKS``,
        ``HOST_ALIASES`` (alias host to canonical host, e.g. the ``m.`` site)."""
        settings = crawler.settings
        if not settings.getbool("HEALTHCRAWL_DEDUP_ENABLED", True):
            raise NotConfigured("HEALTHCRAWL_DEDUP_ENABLED is off")
        max_hamming = settings.getint("HEALTHCRAWL_DEDUP_MAX_HAMMING", DEFAULT_MAX_HAMMING)
        blocks = settings.getint("HEALTHCRAWL_DEDUP_INDEX_BLOCKS", max_hamming + 1)
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            store=MemoryDedupStore(max_hamming, blocks),
            host_aliases=settings.getdict("HEALTHCRAWL_DEDUP_HOST_ALIASES"),
        )

    def process_item(self, item: Any) -> ArticleRecord:
        """Return a new record; raise ``DuplicateDropped`` for a copy of a kept one."""
        self.counters.inc("processed")
        record = as_record(item)
        canonical_url = canonicalize_url(record.canonical_url or record.url, self.host_aliases)
        row = find_duplicate(record, self.store, canonical_url)
        if row is not None:
            self.counters.inc(f"dropped/{row.reason}")
            raise DuplicateDropped(row)
        self.counters.inc("kept")
        return record

    def close_spider(self) -> None:
        """Log the stage's counters in one line."""
        logger.info(self.counters.summary())
