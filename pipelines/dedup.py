"""Dedup stage: drop URL, exact and near duplicates, keeping the first copy seen.

Checks, in this order (DESIGN.md "Dedup"), each against the articles already kept:

1. ``url``: the record's canonical URL (``canonicalize_url`` of its ``canonical_url``) was
   seen before, kept or dropped; similarity 1.0.
2. ``exact``: its ``content_hash`` was kept under another canonical URL; similarity 1.0.
3. ``near``: the estimated Jaccard similarity of its body text's 3-word shingles
   (summary, section texts, items) with a kept article's is at least the threshold
   (default 0.8), from MinHash signatures found through an LSH band index; similarity is
   that estimate. ``pipelines.minhash`` explains the threshold and the S-curve.

Kept copy: the first record to reach this stage wins; every later copy is dropped and
points at it (``duplicate_of``), even when the later one has the smaller URL. Among several
near matches the most similar wins, then the earliest kept. So the same records in the same
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
from pipelines.minhash import DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD, MinHasher
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


def find_duplicate(
    record: ArticleRecord, store: DedupStore, hasher: MinHasher, canonical_url: str
) -> DuplicateRow | None:
    """The duplicates row for ``record`` if it copies a kept article, else None.

    Remembers the record in ``store``: as kept when it is new, as an alias URL otherwise.
    The MinHash signature is only computed when the cheap URL and hash lookups found nothing.
    """
    if (key := store.find_url(canonical_url)) is not None:
        return _duplicate(record, store, canonical_url, key, "url", 1.0)
    if (key := store.find_exact(record.content_hash)) is not None:
        return _duplicate(record, store, canonical_url, key, "exact", 1.0)
    signature = hasher.signature(body_text(record))
    if (near := store.find_near(signature)) is not None:
        return _duplicate(record, store, canonical_url, near.key, "near", near.similarity)
    store.add(
        key=record.article_key,
        canonical_url=canonical_url,
        content_hash=record.content_hash,
        signature=signature,
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
    """Drops duplicates (see module docstring) as ``DuplicateDropped``.

    ``hasher`` must make signatures of the length the store's index expects
    (``bands * rows``; the defaults agree: 128).
    """

    def __init__(
        self,
        stats: StatsCollector,
        store: DedupStore | None = None,
        host_aliases: Mapping[str, str] | None = None,
        hasher: MinHasher | None = None,
    ) -> None:
        self.counters = StageStats(stats, "dedup")
        self.store: DedupStore = store if store is not None else MemoryDedupStore()
        self.host_aliases = dict(host_aliases or {})
        self.hasher = hasher if hasher is not None else MinHasher()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        """Build from ``HEALTHCRAWL_DEDUP_*``: ``ENABLED``, ``NEAR_THRESHOLD`` (estimated
        Jaccard, default 0.8), ``MINHASH_BANDS`` and ``MINHASH_ROWS`` (default 16 x 8),
        ``HOST_ALIASES`` (alias host to canonical host, e.g. the ``m.`` site)."""
        settings = crawler.settings
        if not settings.getbool("HEALTHCRAWL_DEDUP_ENABLED", True):
            raise NotConfigured("HEALTHCRAWL_DEDUP_ENABLED is off")
        threshold = settings.getfloat("HEALTHCRAWL_DEDUP_NEAR_THRESHOLD", DEFAULT_THRESHOLD)
        bands = settings.getint("HEALTHCRAWL_DEDUP_MINHASH_BANDS", DEFAULT_BANDS)
        rows = settings.getint("HEALTHCRAWL_DEDUP_MINHASH_ROWS", DEFAULT_ROWS)
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            store=MemoryDedupStore(threshold, bands, rows),
            host_aliases=settings.getdict("HEALTHCRAWL_DEDUP_HOST_ALIASES"),
            hasher=MinHasher(bands * rows),
        )

    def process_item(self, item: Any) -> ArticleRecord:
        """Return a new record; raise ``DuplicateDropped`` for a copy of a kept one."""
        self.counters.inc("processed")
        record = as_record(item)
        canonical_url = canonicalize_url(record.canonical_url or record.url, self.host_aliases)
        row = find_duplicate(record, self.store, self.hasher, canonical_url)
        if row is not None:
            self.counters.inc(f"dropped/{row.reason}")
            raise DuplicateDropped(row)
        self.counters.inc("kept")
        return record

    def close_spider(self) -> None:
        """Log the stage's counters in one line."""
        logger.info(self.counters.summary())
