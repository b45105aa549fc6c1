"""A worker's requests in flight, mirrored in Redis so that its death loses none.

The scheduler moves each request it hands out from the queue into ``pending:<worker>``
(sha1 of the request as scrapy-redis serializes it -> the request), in one script. A
request is *finished* once its callback's output went through the item pipelines
(``FinishedRequests``, a spider middleware); it is forgotten in Redis only one part later
(``part_written``), since the last items of a callback may still be in the pipelines when
its output ends. A worker that is idle has nothing in flight (``drained``): everything it
took is in its parts.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from core.redis_server import connect
from crawler.distributed.frontier import Frontier, worker_id

logger = logging.getLogger(__name__)

FINGERPRINT = "healthcrawl_in_flight"
"""Request meta: the request's field in its worker's in-flight hash."""
FRONTIER_UNAVAILABLE = "frontier_unavailable"
"""Close reason of a worker whose Redis server stopped answering (exit 69)."""


class InFlight:
    """One worker's requests in flight (see the module docstring)."""

    def __init__(self, frontier: Frontier, worker: str) -> None:
        self.frontier = frontier
        self.worker = worker
        self.key = frontier.pending(worker)
        self.finished_now: list[str] = []
        self.finished_before: list[str] = []
        self.error: str | None = None
        """Why Redis cannot be used any more, once it failed."""

    def finished(self, request: Request) -> None:
        if fingerprint := request.meta.get(FINGERPRINT):
            self.finished_now.append(fingerprint)

    def part_written(self) -> None:
        """Forget the requests finished before the previous part: their items are written."""
        if self.finished_before:
            self.frontier.server.hdel(self.key, *self.finished_before)
        self.finished_before, self.finished_now = self.finished_now, []

    def drained(self) -> None:
        """Nothing in flight (the worker is idle and its part written): forget it all."""
        self.frontier.server.delete(self.key)
        self.finished_before, self.finished_now = [], []

    def lost(self, why: str) -> None:
        if self.error is None:
            self.error = why
            logger.error("healthcrawl: Redis cannot be used any more (%s): this worker stops; "
                         "its requests in flight stay in Redis for the others", why)


def flight_fingerprint(encoded: bytes) -> str:
    """The field of a taken request in the in-flight hash (what Redis's ``sha1hex`` gives)."""
    return hashlib.sha1(encoded).hexdigest()


_BY_CRAWLER: WeakKeyDictionary[Crawler, InFlight] = WeakKeyDictionary()


def in_flight(crawler: Crawler) -> InFlight:
    """The crawl's ``InFlight`` (one a worker, made on first use)."""
    if crawler not in _BY_CRAWLER:
        server = connect(crawler.settings.get("HEALTHCRAWL_REDIS_URL"))
        _BY_CRAWLER[crawler] = InFlight(Frontier(server), worker_id())
    return _BY_CRAWLER[crawler]


def stop_worker(crawler: Crawler, reason: str) -> None:
    """Close the crawl with ``reason``, once."""
    engine = crawler.engine
    if engine is not None and engine.spider is not None and engine.running:
        deferred_from_coro(engine.close_spider_async(reason=reason))


class FinishedRequests:
    """Spider middleware, outermost: a response's request is finished once the engine has
    taken all of the callback's output (off unless the crawl is distributed)."""

    def __init__(self, crawler: Crawler) -> None:
        self.in_flight = in_flight(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FinishedRequests:
        if not crawler.settings.get("HEALTHCRAWL_REDIS_URL"):
            raise NotConfigured  # not a distributed crawl: off without a word in the log
        return cls(crawler)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]
                                    ) -> AsyncIterator[Any]:
        async for output in result:
            yield output
        self.in_flight.finished(response.request)  # type: ignore[arg-type]
