"""An incremental distributed run's memory of earlier runs, in Redis.

A one-process incremental run reads the output folder's state store (SQLite,
``pipelines.state``). Workers on other machines do not: they would read one SQLite file
over a network file system, which its WAL journal does not support (it needs memory shared
between the processes of one host), and a worker would need the state's folder mounted.
Instead ``healthcrawl seed --incremental``, run where the state is (beside ``publish``),
copies what a worker asks of a known page into the run's ``known`` hash: canonical URL ->
its URL, validators (ETag, Last-Modified), when and in which run it was fetched, and whether
it is a published article (what is asked again at the end when no worker met it). About
200 bytes a page; ``publish`` deletes it with the run's other keys. (The published articles
also go into the run's dedup store, ``pipelines.redis_dedup_store``.)

What the workers learn (a 304, a sitemap date, a 404) goes back through Redis
(``unchanged`` and ``gone`` sets), so ``publish`` carries the pages over or reports them
removed, and updates the state store for the next run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from scrapy.crawler import Crawler

from crawler.distributed.inflight import in_flight
from pipelines.state import KnownPage, StateReader

LOAD_AT_ONCE = 1000
"""Pages written to Redis in one round trip by ``seed``."""


class KnownPages:
    """The run's ``known``, ``unchanged`` and ``gone`` keys (``frontier.Frontier``)."""

    def __init__(self, server: Any, prefix: str) -> None:
        self.server = server
        self.known = f"{prefix}:known"
        self.unchanged_key = f"{prefix}:unchanged"
        self.gone_key = f"{prefix}:gone"

    def load(self, state: StateReader) -> int:
        """Copy every page ``state`` knows into Redis; returns how many."""
        count = 0
        batch: dict[str, str] = {}
        for canonical_url, page, article in state.pages():
            batch[canonical_url] = json.dumps([page.url, page.etag, page.last_modified, page.fetched_at,
                                               page.fetched_run, article])
            if len(batch) >= LOAD_AT_ONCE:
                count += self._write(batch)
        return count + self._write(batch)

    def _write(self, batch: dict[str, str]) -> int:
        if batch:
            self.server.hset(self.known, mapping=batch)
        written = len(batch)
        batch.clear()
        return written

    def page(self, canonical_url: str) -> KnownPage | None:
        """What the last publication knows of ``canonical_url`` (without its record)."""
        value = self.server.hget(self.known, canonical_url)
        return None if value is None else _page(value)

    def article_pages(self) -> Iterator[tuple[str, KnownPage]]:
        """``(canonical_url, page)`` of every known article no worker found unchanged yet
        (asked of Redis a thousand at a time)."""
        articles = ((url, value) for url, value in self.server.hscan_iter(self.known, count=LOAD_AT_ONCE)
                    if json.loads(value)[5])
        while batch := list(islice(articles, LOAD_AT_ONCE)):
            found = self.server.smismember(self.unchanged_key, [url for url, _ in batch])
            for (canonical_url, value), unchanged in zip(batch, found, strict=True):
                if not unchanged:
                    yield canonical_url.decode(), _page(value)

    def mark_unchanged(self, canonical_urls: Iterable[str]) -> None:
        if urls := list(canonical_urls):
            self.server.sadd(self.unchanged_key, *urls)

    def mark_gone(self, canonical_url: str) -> None:
        self.server.sadd(self.gone_key, canonical_url)

    def unchanged(self) -> Iterator[str]:
        """Every page found unchanged, in no order."""
        return (url.decode() for url in self.server.sscan_iter(self.unchanged_key, count=LOAD_AT_ONCE))

    def gone(self) -> list[str]:
        return sorted(url.decode() for url in self.server.smembers(self.gone_key))


def run_known_pages(crawler: Crawler) -> KnownPages:
    """The known pages of the run a worker belongs to."""
    frontier = in_flight(crawler).frontier
    return KnownPages(frontier.server, frontier.prefix)


def _page(value: bytes) -> KnownPage:
    url, etag, last_modified, fetched_at, fetched_run, _ = json.loads(value)
    return KnownPage(url, etag, last_modified, fetched_at, fetched_run, None)
