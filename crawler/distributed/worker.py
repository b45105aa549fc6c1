"""The extension that makes a crawl one worker of a distributed run.

Every ``HEARTBEAT_SECONDS`` it says the worker is alive, re-queues the requests of workers
that stopped saying so (``Frontier.requeue_dead``), and wakes the engine, which would
otherwise look at the shared queue only every 5 seconds. When the engine is idle it takes
seeded start URLs (``healthcrawl seed``); with none, it writes its part, forgets its
requests in flight (all are in parts now) and keeps the worker open until the whole run,
every worker included, has been quiet for ``HEALTHCRAWL_REDIS_IDLE_SECONDS``: another
worker's page may still bring new links.

In an incremental run (``healthcrawl seed --incremental``) it also records the known pages
the spider found unchanged or gone in Redis (``known``), for ``publish``; and once the run
is quiet, one worker (the first to claim it, or the next if that one dies first) asks
conditionally for every known article no worker met, as a one-process incremental run does
at its end: the shared seen-set drops those some worker already requested.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.distributed.frontier import DEAD_AFTER_SECONDS, HEARTBEAT_SECONDS
from crawler.distributed.inflight import FRONTIER_UNAVAILABLE, InFlight, in_flight, stop_worker
from crawler.distributed.known import KnownPages
from pipelines.signals import page_gone, pages_unchanged, part_written, write_part

PARTS_WRITE_FAILED = "healthcrawl/parts/failed"

logger = logging.getLogger(__name__)

SEEDS_AT_ONCE = 16
"""Seeded start URLs one worker takes when idle; the others are left to other workers."""


class DistributedWorker:
    """See the module docstring (off unless ``HEALTHCRAWL_REDIS_URL`` is set)."""

    def __init__(self, crawler: Crawler, idle_seconds: float, dead_after: float) -> None:
        self.crawler = crawler
        self.idle_seconds = idle_seconds
        self.dead_after = dead_after
        self.in_flight: InFlight = in_flight(crawler)
        self.frontier = self.in_flight.frontier
        self.known = KnownPages(self.frontier.server, self.frontier.prefix)
        self.quiet_since: float | None = None
        self.requeued = 0
        self._loop = task.LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedWorker:
        settings = crawler.settings
        if not settings.get("HEALTHCRAWL_REDIS_URL"):
            raise NotConfigured  # not a distributed crawl: off without a word in the log
        worker = cls(crawler, settings.getfloat("HEALTHCRAWL_REDIS_IDLE_SECONDS", 30.0),
                     settings.getfloat("HEALTHCRAWL_REDIS_DEAD_AFTER", DEAD_AFTER_SECONDS))
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(worker.part_written, signal=part_written)
        if settings.getbool("HEALTHCRAWL_INCREMENTAL"):
            crawler.signals.connect(worker.pages_unchanged, signal=pages_unchanged)
            crawler.signals.connect(worker.page_gone, signal=page_gone)
        return worker

    def pages_unchanged(self, canonical_urls: tuple[str, ...]) -> None:
        """Known pages found unchanged: ``publish`` carries them over."""
        self._guarded(lambda: self.known.mark_unchanged(canonical_urls))

    def page_gone(self, canonical_url: str) -> None:
        """A page that answered 404 or 410: ``publish`` reports a published article there removed."""
        self._guarded(lambda: self.known.mark_gone(canonical_url))

    def _guarded(self, call: Callable[[], object]) -> None:
        """``call()``; a Redis failure stops the worker (its requests stay in flight)."""
        try:
            call()
        except redis.RedisError as error:
            self.in_flight.lost(f"{type(error).__name__}: {error}")
            stop_worker(self.crawler, FRONTIER_UNAVAILABLE)

    def part_written(self) -> None:
        """A part is written: the requests whose items it holds are done with."""
        try:
            self.in_flight.part_written()
        except redis.RedisError as error:
            self.in_flight.lost(f"{type(error).__name__}: {error}")
            stop_worker(self.crawler, FRONTIER_UNAVAILABLE)

    def spider_opened(self) -> None:
        self.frontier.join(self.in_flight.worker, self.dead_after)
        logger.info("healthcrawl: worker %s joined run %s", self.in_flight.worker, self.frontier.run_id())
        self._loop.start(HEARTBEAT_SECONDS, now=False)

    def tick(self) -> None:
        """Beat, re-queue the dead's requests, wake the engine; Redis gone stops the worker."""
        try:
            self.frontier.beat(self.in_flight.worker, self.dead_after)
            if moved := self.frontier.requeue_dead():
                self.requeued += moved
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("healthcrawl/distributed/requeued", moved)
                logger.warning("healthcrawl: re-queued %d requests of a worker that died", moved)
        except redis.RedisError as error:
            self.in_flight.lost(f"{type(error).__name__}: {error}")
            self._stop_loop()
            stop_worker(self.crawler, FRONTIER_UNAVAILABLE)
            return
        engine: Any = self.crawler.engine
        slot = getattr(engine, "_slot", None)  # Scrapy polls its scheduler every 5 s only
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self) -> None:
        """Take seeds, else write the part and stay open until the run has been quiet long
        enough (see the module docstring)."""
        if self.in_flight.error is not None:
            return  # Redis is gone: let the worker close
        try:
            seeds = self.frontier.take_start_urls(SEEDS_AT_ONCE)
            if seeds:
                self.quiet_since = None
                spider: Any = self.crawler.spider
                engine: Any = self.crawler.engine
                for url in seeds:
                    for request in spider.seed_requests(url):
                        engine.crawl(request)
                raise DontCloseSpider
            self.crawler.signals.send_catch_log(write_part)
            assert self.crawler.stats is not None
            if self.crawler.stats.get_value(PARTS_WRITE_FAILED):
                return  # the part was not written: its requests stay in flight, the worker closes
            self.in_flight.drained()
            if self.revalidate():
                self.quiet_since = None
                raise DontCloseSpider
            if self.frontier.busy():
                self.quiet_since = None
                raise DontCloseSpider
        except redis.RedisError as error:
            self.in_flight.lost(f"{type(error).__name__}: {error}")
            stop_worker(self.crawler, FRONTIER_UNAVAILABLE)
            raise DontCloseSpider from None  # closed with the reason above, not "finished"
        now = time.monotonic()
        if self.quiet_since is None:
            self.quiet_since = now
        if now - self.quiet_since < self.idle_seconds:
            raise DontCloseSpider

    def revalidate(self) -> bool:
        """Ask for the known articles no worker met, when the run is quiet and this worker
        is the one to (see the module docstring); returns whether it asked."""
        if (not self.crawler.settings.getbool("HEALTHCRAWL_INCREMENTAL") or self.frontier.work_left()
                or not self.frontier.claim_revalidation(self.in_flight.worker)):
            return False
        spider: Any = self.crawler.spider
        engine: Any = self.crawler.engine
        count = 0
        for canonical, known in self.known.article_pages():
            engine.crawl(spider.revalidation_request(canonical, known))  # the seen-set drops met ones
            count += 1
        self.frontier.revalidated()
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("healthcrawl/distributed/revalidation_candidates", count)
        logger.info("healthcrawl: asked again for the known articles no worker met (%d candidates)", count)
        return count > 0

    def spider_closed(self, reason: str) -> None:
        """A worker that finished leaves the run; one that stopped otherwise leaves its
        requests in flight for the others to re-queue."""
        self._stop_loop()
        if reason == "finished" and self.in_flight.error is None:
            try:
                self.frontier.leave(self.in_flight.worker)
            except redis.RedisError as error:
                self.in_flight.lost(f"{type(error).__name__}: {error}")

    def _stop_loop(self) -> None:
        if self._loop.running:
            self._loop.stop()
