"""One politeness budget per site for all the workers of a distributed crawl.

scrapy-redis shares the queue, not the politeness: each worker's download slot keeps its
own delay, so N workers would send N times the requests a site agreed to. Here every
request to a site first takes the next free moment of the site's shared budget in Redis
(``pace:<host>``, a time on the Redis server's clock, so machines need no common clock):
moments are at least the site's delay apart, whoever takes them, and the worker waits for
its moment before the request goes on to its own slot. The delay is the slot's own, which
holds ``DOWNLOAD_DELAY``, robots.txt's ``Crawl-delay`` (``crawl_delay``) and what
AutoThrottle made of them. A 429 or 503 with its wait (``retry_after``) moves the site's
next moment past the wait, for every worker. A site without a delay costs no round trip.

Per-site concurrency stays per worker (``CONCURRENT_REQUESTS_PER_DOMAIN`` each): with a
delay, the shared budget bounds the rate whatever the concurrency.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.distributed.inflight import FRONTIER_UNAVAILABLE, in_flight, stop_worker
from crawler.middlewares.retry_after import SITE_WIDE, retry_delay

# KEYS[1]: the site's next free moment (ms, Redis clock); ARGV[1]: the delay (ms);
# returns the milliseconds to wait for the moment taken.
TAKE_MOMENT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now_ms, free)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', at + tonumber(ARGV[1]) - now_ms + 60000)
return at - now_ms
"""
# KEYS[1] as above; ARGV[1]: milliseconds the site asked every client to wait.
HOLD_SITE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local until_ms = now_ms + tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > free then
  redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 60000)
end
return 0
"""
STAT = "healthcrawl/distributed/paced_ms"


class SharedPacingMiddleware:
    """Downloader middleware (after ``crawl_delay`` and ``retry_after``); off unless the
    crawl is distributed."""

    def __init__(self, crawler: Crawler, server: Any, prefix: str) -> None:
        self.crawler = crawler
        self.prefix = prefix
        self.default_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self._take = server.register_script(TAKE_MOMENT)
        self._hold = server.register_script(HOLD_SITE)
        self.backoff_base = crawler.settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = crawler.settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPacingMiddleware:
        if not crawler.settings.get("HEALTHCRAWL_REDIS_URL"):
            raise NotConfigured  # not a distributed crawl: off without a word in the log
        frontier = in_flight(crawler).frontier
        return cls(crawler, frontier.server, frontier.prefix)

    def _site(self, request: Request) -> tuple[str, Any]:
        engine = self.crawler.engine
        assert engine is not None
        key = str(engine.downloader.get_slot_key(request))
        return key, engine.downloader.slots.get(key)

    async def process_request(self, request: Request) -> None:
        """Wait for the site's next shared moment (none when the site has no delay)."""
        key, slot = self._site(request)
        delay = slot.delay if slot is not None else self.default_delay
        if delay <= 0:
            return
        try:
            wait_ms = int(self._take(keys=[f"{self.prefix}:pace:{key}"], args=[int(delay * 1000)]))
        except redis.RedisError as error:
            self._lost(error)
            return
        if wait_ms > 0:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STAT, wait_ms)
            await asyncio.sleep(wait_ms / 1000)

    def process_response(self, request: Request, response: Response) -> Response:
        """A 429 or 503 holds the site for every worker, for the wait it asked for."""
        if response.status in SITE_WIDE:
            header = response.headers.get(b"Retry-After")
            wait = retry_delay(header.decode("latin-1") if header else None,
                               request.meta.get("retry_times", 0), base=self.backoff_base,
                               cap=self.backoff_max)
            key, _ = self._site(request)
            try:
                self._hold(keys=[f"{self.prefix}:pace:{key}"], args=[int(wait * 1000)])
            except redis.RedisError as error:
                self._lost(error)
        return response

    def _lost(self, error: redis.RedisError) -> None:
        in_flight(self.crawler).lost(f"{type(error).__name__}: {error}")
        stop_worker(self.crawler, FRONTIER_UNAVAILABLE)
