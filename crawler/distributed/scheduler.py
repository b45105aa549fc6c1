"""scrapy-redis's scheduler and seen-set, with healthcrawl's fingerprint and in-flight log.

``CanonicalRedisDupeFilter``: the seen-set in Redis holds the fingerprints of
``crawler.fingerprint.CanonicalUrlFingerprinter`` (scrapy-redis would use w3lib's
canonical URL, by which the mobile host or a tracking parameter is another page), so one
canonical URL is fetched once by the whole run, whichever worker meets it.

``FrontierScheduler``: scrapy-redis's scheduler that also writes each request it hands
out into the worker's ``pending`` hash (``frontier.Frontier``) until its results are in
a part, so a worker's death loses no request. A Redis error stops the worker (close reason
``frontier_unavailable``, exit 69) instead of one traceback a request.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.inflight import FRONTIER_UNAVAILABLE, in_flight, stop_worker

logger = logging.getLogger(__name__)


class CanonicalRedisDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's seen-set, keyed by the crawl's own request fingerprint."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Spider) -> CanonicalRedisDupeFilter:
        dupefilter: CanonicalRedisDupeFilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Request) -> str:
        return str(self.fingerprinter.fingerprint(request).hex())


class FrontierScheduler(Scheduler):  # type: ignore[misc]
    """See the module docstring."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        scheduler: FrontierScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        try:
            return bool(super().enqueue_request(request))
        except redis.RedisError as error:
            self._lost(error)
            return False

    def next_request(self) -> Request | None:
        try:
            request: Request | None = super().next_request()
            if request is not None:
                in_flight(self.crawler).taken(request, self.queue._encode_request(request))
            return request
        except redis.RedisError as error:
            self._lost(error)
            return None

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests())
        except redis.RedisError as error:
            self._lost(error)
            return False

    def _lost(self, error: redis.RedisError) -> None:
        in_flight(self.crawler).lost(f"{type(error).__name__}: {error}")
        stop_worker(self.crawler, FRONTIER_UNAVAILABLE)
