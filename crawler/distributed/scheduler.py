"""scrapy-redis's scheduler and seen-set, with healthcrawl's fingerprint and in-flight log.

``CanonicalRedisDupeFilter``: the seen-set in Redis holds the fingerprints of
``crawler.fingerprint.CanonicalUrlFingerprinter`` (scrapy-redis would use w3lib's
canonical URL, by which the mobile host or a tracking parameter is another page), so one
canonical URL is fetched once by the whole run, whichever worker meets it.

``FrontierScheduler``: scrapy-redis's scheduler and queue, with each push (seen-set and
queue) and each take (queue and the worker's ``pending`` hash, ``frontier.Frontier``, where
a request stays until its results are in a part) one Lua script, so a worker killed at any
instant loses no request. A Redis error stops the worker (close reason
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

from crawler.distributed.inflight import (
    FINGERPRINT,
    FRONTIER_UNAVAILABLE,
    flight_fingerprint,
    in_flight,
    stop_worker,
)

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


# KEYS: the seen-set, the queue; ARGV: the fingerprint ("" for a request that skips the
# seen-set), the score, the request. Returns 1 when the request was queued.
_PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# KEYS: the queue, the worker's in-flight hash. Returns the request taken, or nil.
_TAKE = """
local taken = redis.call('ZRANGE', KEYS[1], 0, 0)
if #taken == 0 then
  return false
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], redis.sha1hex(taken[1]), taken[1])
return taken[1]
"""


class FrontierScheduler(Scheduler):  # type: ignore[misc]
    """See the module docstring."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        scheduler: FrontierScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self._push = self.server.register_script(_PUSH)
        self._take = self.server.register_script(_TAKE)

    def enqueue_request(self, request: Request) -> bool:
        """scrapy-redis's seen-set check and queue push, as one script: a worker killed
        between the two would leave a URL seen and never queued."""
        seen = "" if request.dont_filter else self.df.request_fingerprint(request)
        try:
            added = self._push(keys=[self.df.key, self.queue.key],
                               args=[seen, -request.priority, self.queue._encode_request(request)])
        except redis.RedisError as error:
            self._lost(error)
            return False
        if not added:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """The queue's first request, moved into this worker's in-flight hash in the same
        script: a worker killed in between would lose it."""
        flight = in_flight(self.crawler)
        try:
            encoded = self._take(keys=[self.queue.key, flight.key])
        except redis.RedisError as error:
            self._lost(error)
            return None
        if encoded is None:
            return None
        request: Request = self.queue._decode_request(encoded)
        request.meta[FINGERPRINT] = flight_fingerprint(encoded)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests())
        except redis.RedisError as error:
            self._lost(error)
            return False

    def _lost(self, error: redis.RedisError) -> None:
        in_flight(self.crawler).lost(f"{type(error).__name__}: {error}")
        stop_worker(self.crawler, FRONTIER_UNAVAILABLE)
