"""Dedup stage: drop URL, exact and near duplicates, keeping the first copy seen.

Checks, in this order (docs/record-contract.md, "Dedup"), each against the articles already kept:

1. ``url``: the record's canonical URL (``canonicalize_url`` of its ``canonical_url``) was
   seen before, kept or dropped; similarity 1.0.
2. ``exact``: its ``content_hash`` was kept under another canonical URL; similarity 1.0.
3. ``near``: the estimated Jaccard similarity of its body text's 3-word shingles
   (summary, section texts, items) with a kept article's is at least the threshold
   (default 0.8), from MinHash signatures found through an LSH band index; similarity is
   that estimate. ``core.minhash`` explains the threshold and the S-curve.

Kept copy: of two copies, the one whose canonical URL sorts first (numbers compared as
numbers, ``url_order``) is kept, whatever order a concurrent crawl met them in, so every
run of the same site keeps the same copies (sites give republished copies later ids).
When a new record sorts before the copy already kept, it supersedes it: the new record
goes on, and the earlier one becomes a ``duplicates`` row sent with the
``article_superseded`` signal; the export stage then removes its rows before publishing.
Among several near matches the most similar wins, then the earliest kept. (Near-duplicate
chains that are not transitive, A~B and B~C but not A~C, can still depend on order.)

Identity guards, so retraction (which removes rows by key) never takes an unrelated
article with it and no successor chain loops:

- A canonical link is a claim: a URL match reached only through it (the record's own URL
  is another page) holds when the content agrees (same hash, or a near match with that
  article); otherwise the record's own canonical URL replaces the claim
  (``canonical_contradicted``).
- A match under the record's own key is that article met again: kept when it is an
  earlier run's, else dropped; a copy never supersedes its own key.
- Two different articles with one key in one run (a profile whose ids repeat): the later
  gets ``<key>~<8 hex of sha1(canonical URL)>`` (``key_collision``, one warning each).
- A match by URL with an earlier run's article under another key is that page under its
  new key (the key rule changed): it is kept and supersedes the old key.

Handing rows to the exporter: a dropped copy is raised as ``DuplicateDropped``, a
``DropItem`` that carries its ``DuplicateRow``. Scrapy sends every drop to the
``item_dropped`` signal with the exception, and the export stage listens there; the two
stages share no object and either works without the other.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from core.minhash import (
    DEFAULT_BANDS,
    DEFAULT_ROWS,
    DEFAULT_THRESHOLD,
    MinHasher,
    Signature,
    SignatureJob,
)
from core.profiles import all_host_aliases
from core.records import ArticleRecord, SignedRecord, body_text
from core.redis_server import KEY_PREFIX, connect
from core.urls import canonicalize_url
from core.worker_pool import WorkerPool, crawl_pool
from pipelines.dedup_store import DedupStore, DiskDedupStore, MemoryDedupStore
from pipelines.redis_dedup_store import RedisDedupStore, StoreUnavailable
from pipelines.signals import article_provisional, article_superseded
from pipelines.stage import StageStats, as_record
from pipelines.state import StateReader, resumed_run, state_dir_for
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


@dataclass(frozen=True, slots=True)
class Match:
    """A kept article the record copies, and how."""

    key: str
    reason: str
    similarity: float


_DIGITS = re.compile(r"(\d+)")


def url_order(canonical_url: str) -> list[tuple[int, str]]:
    """Sort key of canonical URLs with numbers compared as numbers (``/p/99`` < ``/p/100``)."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in _DIGITS.split(canonical_url)]


def find_match(
    record: ArticleRecord, store: DedupStore, canonical_url: str, signature: Signature
) -> Match | None:
    """The kept article ``record`` copies: URL, then content hash, then MinHash ``signature``."""
    if (key := store.find_url(canonical_url)) is not None:
        return Match(key, "url", 1.0)
    if (key := store.find_exact(record.content_hash)) is not None:
        return Match(key, "exact", 1.0)
    near = store.find_near(signature)
    return Match(near.key, "near", near.similarity) if near else None


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
        on_superseded: Callable[[DuplicateRow], object] | None = None,
        workers: WorkerPool | None = None,
        supersede: bool = True,
        on_provisional: Callable[[DuplicateRow], object] | None = None,
    ) -> None:
        """``supersede``: a copy sorting first replaces the one kept (off when the items
        also go to a Scrapy feed, which cannot take an item back: the first copy met is
        kept, and the feed holds what the tables hold)."""
        self.counters = StageStats(stats, "dedup")
        self.supersede = supersede
        self.on_provisional = on_provisional
        """Called with the would-be ``duplicates`` row of a copy of an earlier run's article
        that this run has not met; the export stage retracts the copy at the end if that
        article is still on the site."""
        self.store: DedupStore = store if store is not None else MemoryDedupStore()
        self.host_aliases = dict(host_aliases if host_aliases is not None else all_host_aliases())
        self.hasher = hasher if hasher is not None else MinHasher()
        self.on_superseded = on_superseded
        self.workers = workers if workers is not None else WorkerPool(0)
        """Where signatures are computed (``core.worker_pool``; none: in this process)."""
        self.this_run: set[str] = set()
        """Keys kept by this run: a match with any other key of the store's is an earlier
        run's article."""
        self.resumed: set[str] = set()
        """Keys the run this one resumes kept that this attempt has not met: met again at the
        same URL (a redirect leads there, the spider skipping only the URL it knows), the
        page is the same article fetched again, not a copy of itself."""
        self.run_wide = False
        """The store is shared by the run's workers (``RedisDedupStore``): a page met again
        under its own key may be one a dead worker's re-queued request fetched again
        (``publish`` keeps one copy of its rows)."""
        self.holders: dict[str, str] = {}
        """Key -> canonical URL of the article this run kept under it (superseded or not):
        another article met with the key gets a key of its own (:meth:`_holder`)."""

    def remember(self, kept: Iterable[tuple[str, str, str, str, Signature]],
                 this_run: Iterable[str] = ()) -> int:
        """Load the articles earlier runs published (``pipelines.state.StateReader.kept``),
        so a copy of one is caught whichever run meets it, and those of ``this_run``, the
        keys the run this one resumes kept; returns how many."""
        count = 0
        resumed = set(this_run)
        for key, url, canonical_url, content_hash, signature in kept:
            self.store.add(key=key, url=url, canonical_url=canonical_url, content_hash=content_hash,
                           signature=signature)
            if key in resumed:
                self.holders.setdefault(key, canonical_url)
            count += 1
        self.this_run.update(resumed)
        self.resumed.update(resumed)
        return count

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        """Build from ``HEALTHCRAWL_DEDUP_*``: ``ENABLED``, ``STORE`` (``memory``, or ``disk``
        for sites whose kept articles memory would not hold), ``NEAR_THRESHOLD`` (estimated
        Jaccard, default 0.8), ``MINHASH_BANDS`` and ``MINHASH_ROWS`` (default 16 x 8),
        ``HOST_ALIASES`` (alias host to canonical host; default: every profile's, as the
        request fingerprint uses); signatures the spider did not send with the record are
        computed in the crawl's worker pool, which the spider shares."""
        settings = crawler.settings
        if not settings.getbool("HEALTHCRAWL_DEDUP_ENABLED", True):
            raise NotConfigured("HEALTHCRAWL_DEDUP_ENABLED is off")
        threshold = settings.getfloat("HEALTHCRAWL_DEDUP_NEAR_THRESHOLD", DEFAULT_THRESHOLD)
        bands = settings.getint("HEALTHCRAWL_DEDUP_MINHASH_BANDS", DEFAULT_BANDS)
        rows = settings.getint("HEALTHCRAWL_DEDUP_MINHASH_ROWS", DEFAULT_ROWS)
        assert crawler.stats is not None
        state_dir = state_dir_for(Path(settings.get("HEALTHCRAWL_EXPORT_DIR", "exports")),
                                  settings.get("HEALTHCRAWL_STATE_DIR"))
        kind = settings.get("HEALTHCRAWL_DEDUP_STORE", "memory")
        store: DedupStore
        if kind == "disk":
            state_dir.mkdir(parents=True, exist_ok=True)
            store = DiskDedupStore(state_dir / f"dedup-{os.getpid()}.sqlite", threshold, bands, rows)
        elif kind == "memory":
            store = MemoryDedupStore(threshold, bands, rows)
        elif kind == "redis":  # a distributed crawl's workers share one (crawler.distributed)
            store = RedisDedupStore(connect(settings.get("HEALTHCRAWL_REDIS_URL")), KEY_PREFIX,
                                    threshold, bands, rows)
            store.check_scheme()
        else:
            raise ValueError(f"HEALTHCRAWL_DEDUP_STORE={kind!r}: use memory, disk or redis")
        stage = cls(
            crawler.stats,
            store=store,
            host_aliases=settings.getdict("HEALTHCRAWL_DEDUP_HOST_ALIASES") or None,
            hasher=MinHasher(bands * rows),
            on_superseded=lambda row: crawler.signals.send_catch_log(article_superseded, row=row),
            workers=crawl_pool(crawler),
            supersede=not settings.getdict("FEEDS"),
            # A worker's provisional copies go to the run's store, where ``publish`` finds them.
            on_provisional=(store.keep_provisional if isinstance(store, RedisDedupStore) else
                            lambda row: crawler.signals.send_catch_log(article_provisional, row=row)),
        )
        stage.run_wide = kind == "redis"
        if not stage.supersede:
            logger.info("healthcrawl dedup: a feed export is on, so the first copy met is kept "
                        "(the feed cannot take an item back); tables and feed hold the same articles")
        if settings.getbool("HEALTHCRAWL_STATE_ENABLED", True):
            state = StateReader(state_dir)
            resumed = resumed_run(settings)
            try:
                kept = state.kept(resumed, stage.hasher.num_perm)
                stage.counters.inc("remembered", stage.remember(
                    kept, state.fetched_keys(resumed) if resumed else ()))
            finally:
                state.close()
        return stage

    async def process_item(self, item: Any) -> ArticleRecord:
        """Return a new record; raise ``DuplicateDropped`` for a copy of a kept one.

        The signature comes first: with the record (a ``SignedRecord`` from the spider's
        worker), else from a worker process; what follows runs without yielding to the
        reactor, so two copies in flight are still decided one after the other, against
        everything kept before."""
        record = as_record(item)
        signature = self.sent_signature(record)
        if signature is None:
            signature = await self.workers.run(SignatureJob(body_text(record), self.hasher.num_perm))
            record = SignedRecord.of(record, signature, getattr(record, "validators", None))
        try:
            return self.check(record, signature)
        except StoreUnavailable as error:  # one line, not a traceback an item
            raise DropItem(f"dedup store unavailable ({error}): {record.url}", log_level="WARNING") from None

    def sent_signature(self, record: ArticleRecord) -> Signature | None:
        """The signature that came with ``record``, if it has this stage's length."""
        signature: Signature | None = getattr(record, "signature", None)  # a SignedRecord's, if kept
        if signature is not None and signature.shape == (self.hasher.num_perm,):
            return signature
        return None

    def check(self, record: ArticleRecord, signature: Signature | None = None) -> ArticleRecord:
        """``process_item`` in this process: ``signature`` is computed here when not given.
        A store shared by several crawls (``RedisDedupStore``) is held exclusively meanwhile,
        so two copies met by two workers are decided one after the other too."""
        exclusive: Callable[[], AbstractContextManager[None]] = getattr(self.store, "exclusive", nullcontext)
        with exclusive():
            return self._check(record, signature)

    def _check(self, record: ArticleRecord, signature: Signature | None) -> ArticleRecord:
        self.counters.inc("processed")
        if signature is None:
            signature = self.hasher.signature(body_text(record))
        canonical_url = canonicalize_url(record.canonical_url or record.url, self.host_aliases)
        match = find_match(record, self.store, canonical_url, signature)
        if match is not None and match.reason == "url" and not self._claim_holds(
                record, canonical_url, match.key, signature):
            canonical_url = self._own_canonical(record, canonical_url)
            match = find_match(record, self.store, canonical_url, signature)
        if match is not None and match.key == record.article_key:
            fetched_again = self.run_wide or match.key not in self.this_run or match.key in self.resumed
            if fetched_again and self._holder(match.key) == canonical_url:
                self.resumed.discard(match.key)
                self._keep(record, canonical_url, signature)  # an earlier run's article, fetched again
                return record
            # The article again, at another of its URLs (an AMP copy) or twice: never its own successor.
            raise self._dropped(record, canonical_url, match)
        self._own_key(record, canonical_url)
        if match is None:
            self._keep(record, canonical_url, signature)
            return record
        earlier = self._earlier_runs(match.key)
        if match.reason == "url" and earlier:
            # The page an earlier run published under another key: the key rule changed.
            self._supersede(record, canonical_url, signature, match)
            return record
        kept_url, kept_canonical = self.store.kept_urls(match.key)
        if self.supersede and url_order(canonical_url) < url_order(kept_canonical):
            self._supersede(record, canonical_url, signature, match)
            return record
        if earlier:
            # A copy of an earlier run's article this run has not met: that one may be gone
            # from the site (moved to this URL). Kept until the run's end tells.
            self._keep(record, canonical_url, signature)
            self.counters.inc(f"provisional/{match.reason}")
            if self.on_provisional is not None:
                self.on_provisional(DuplicateRow(
                    article_key=record.article_key, url=record.url, canonical_url=canonical_url,
                    duplicate_of=match.key, reason=match.reason, similarity=match.similarity,
                ))
            return record
        raise self._dropped(record, canonical_url, match)

    def _earlier_runs(self, key: str) -> bool:
        """Whether the kept ``key`` is an earlier run's article this run has not kept (yet):
        any key of the store but this run's, unless the store is the run's workers' and
        knows which keys ``seed --incremental`` loaded and no worker kept since (one round
        trip, only for a record that matched an article this worker did not keep)."""
        if key in self.this_run:
            return False
        return self.store.earlier_run(key) if isinstance(self.store, RedisDedupStore) else True

    def _claim_holds(self, record: ArticleRecord, canonical_url: str, key: str,
                     signature: Signature) -> bool:
        """Whether a URL match with ``key`` stands: always when the record's own URL is that
        URL; through a canonical link only when the content agrees with ``key``'s."""
        if canonicalize_url(record.url, self.host_aliases) == canonical_url:
            return True
        if self.store.find_exact(record.content_hash) == key:
            return True
        near = self.store.find_near(signature)
        return near is not None and near.key == key

    def _own_canonical(self, record: ArticleRecord, claimed: str) -> str:
        """Put the record's own canonical URL in place of a canonical link its content
        contradicts, and return it."""
        own = canonicalize_url(record.url, self.host_aliases)
        self.counters.inc("canonical_contradicted")
        logger.info("healthcrawl dedup: %s names %s as its canonical page, whose content differs; "
                    "kept under its own URL", record.url, claimed)
        record.canonical_url = own
        return own

    def _holder(self, key: str) -> str | None:
        """The canonical URL of the article kept under ``key``, by this run or an earlier
        one (the store holds those: an earlier run's article keeps its key whichever page
        with the same key this run meets first)."""
        holder = self.holders.get(key)
        if holder is None:
            try:
                holder = self.store.kept_urls(key)[1]
            except KeyError:
                return None
        return holder

    def _own_key(self, record: ArticleRecord, canonical_url: str) -> None:
        """Give ``record`` a key of its own when another article is kept under its key."""
        holder = self._holder(record.article_key)
        if holder is None or holder == canonical_url:
            return
        unique = f"{record.article_key}~{hashlib.sha1(canonical_url.encode('utf-8')).hexdigest()[:8]}"
        self.counters.inc("key_collision")
        logger.warning("healthcrawl dedup: %s and %s have one article_key, %s; the second is "
                       "kept as %s", holder, canonical_url, record.article_key, unique)
        record.article_key = unique

    def _dropped(self, record: ArticleRecord, canonical_url: str, match: Match) -> DuplicateDropped:
        self.store.alias_url(canonical_url, match.key)
        self.counters.inc(f"dropped/{match.reason}")
        return DuplicateDropped(DuplicateRow(
            article_key=record.article_key, url=record.url, canonical_url=canonical_url,
            duplicate_of=match.key, reason=match.reason, similarity=match.similarity,
        ))

    def _supersede(self, record: ArticleRecord, canonical_url: str, signature: Signature,
                   match: Match) -> None:
        """Keep ``record`` in place of the article ``match`` found; that one becomes a
        ``duplicates`` row, unless the store refuses a succession that would loop."""
        kept_url, kept_canonical = self.store.kept_urls(match.key)
        if not self._keep(record, canonical_url, signature, superseding=match.key):
            self.counters.inc("supersede_refused")
            logger.warning("healthcrawl dedup: %s would supersede %s and close a loop of "
                           "successors; both kept", record.article_key, match.key)
            return
        self.counters.inc(f"superseded/{match.reason}")
        if self.on_superseded is not None:
            self.on_superseded(DuplicateRow(
                article_key=match.key, url=kept_url, canonical_url=kept_canonical,
                duplicate_of=record.article_key, reason=match.reason, similarity=match.similarity,
            ))

    def _keep(self, record: ArticleRecord, canonical_url: str, signature: Signature,
              superseding: str | None = None) -> bool:
        """Remember ``record`` as kept; False when it could not supersede ``superseding``."""
        self.this_run.add(record.article_key)
        self.holders.setdefault(record.article_key, canonical_url)
        self.counters.inc("kept")
        if superseding is None:
            self.store.add(key=record.article_key, url=record.url, canonical_url=canonical_url,
                           content_hash=record.content_hash, signature=signature)
            return True
        return self.store.supersede(superseding, key=record.article_key, url=record.url,
                                    canonical_url=canonical_url, content_hash=record.content_hash,
                                    signature=signature)

    def close_spider(self) -> None:
        """Log the stage's counters in one line (the crawl's pool closes with the spider);
        a store on disk removes its file."""
        logger.info(self.counters.summary())
        if isinstance(self.store, DiskDedupStore):
            self.store.close()
