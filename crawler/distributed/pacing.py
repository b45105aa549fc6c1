"""One politeness budget per site for all the workers of a distributed crawl.

scrapy-redis shares the queue, not the politeness: each worker's download slot keeps its
own delay and concurrency, so N workers would send N times the requests a site agreed to.
Here every request to a site first takes a *turn* of the site's shared budget in Redis,
one script that does two things on the Redis server's clock (machines need no common clock):

- a **slot**: a lease in ``slots:<host>`` (lease id -> expiry), of which the site has as
  many as its concurrency (the download slot's, ``CONCURRENT_REQUESTS_PER_DOMAIN`` unless
  ``DOWNLOAD_SLOTS`` says otherwise), whichever worker holds them. The worker gives its
  lease back when the response (or the failure) comes; a lease a dead worker held expires
  by itself ``DOWNLOAD_TIMEOUT`` plus a margin after its moment. A worker that finds every
  slot leased asks again a little later, awaiting (its reactor goes on), one request a site
  at a time so a worker's waiting requests do not hammer Redis;
- a **moment**: the site's next free moment (``pace:<host>``), at least the site's delay
  after the last one taken, whoever took it; the worker awaits it before the request goes
  on, and its own download slot does not wait its delay again on top. The delay is the
  slot's own, which holds ``DOWNLOAD_DELAY``, robots.txt's ``Crawl-delay``
  (``crawl_delay``) and what AutoThrottle made of them. A 429 or 503 with
  its wait (``retry_after``) moves the site's next moment past the wait, for every worker,
  with a delay or without.

The middleware sits next to the downloader (after redirects, retries and every other
middleware), so a lease covers the download alone and is given back before a redirect or
a retry becomes a new request.
"""

from __future__ import annotations

import asyncio
import itertools
from time import monotonic
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.distributed.inflight import FRONTIER_UNAVAILABLE, in_flight, stop_worker
from crawler.middlewares.retry_after import SITE_WIDE, retry_delay

# KEYS: the site's next free moment (ms, Redis clock), its slot leases (a sorted set: lease
# id -> expiry, ms); ARGV: the delay (ms), the concurrency, the lease's id, how long it
# lasts after its moment (ms). Returns -1 when every slot is leased, else the milliseconds
# to wait for the moment taken.
TAKE_TURN = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now_ms)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return -1
end
local at = math.max(now_ms, tonumber(redis.call('GET', KEYS[1]) or '0'))
local delay = tonumber(ARGV[1])
if delay > 0 then
  redis.call('SET', KEYS[1], at + delay, 'PX', at + delay - now_ms + 60000)
end
local expiry = at + tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], expiry, ARGV[3])
if redis.call('PTTL', KEYS[2]) < expiry - now_ms then
  redis.call('PEXPIRE', KEYS[2], expiry - now_ms)
end
return at - now_ms
"""
# KEYS[1]: the site's next free moment; ARGV[1]: milliseconds the site asked every client to wait.
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
SLOT_STAT = "healthcrawl/distributed/slot_wait_ms"
LEASE = "healthcrawl_slot_lease"
"""Request meta: ``(slot leases key, lease id)`` while the request holds a slot."""
POLL_SECONDS = 0.02
"""How long a worker waits before asking again for a slot of a site whose slots are all leased."""
LEASE_MARGIN_SECONDS = 30.0
"""A lease lasts ``DOWNLOAD_TIMEOUT`` and this much more past its moment."""


class SharedPacingMiddleware:
    """Downloader middleware, next to the downloader; off unless the crawl is distributed."""

    def __init__(self, crawler: Crawler, server: Any, prefix: str, worker: str) -> None:
        self.crawler = crawler
        self.prefix = prefix
        settings = crawler.settings
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.default_concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.lease_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + LEASE_MARGIN_SECONDS) * 1000)
        self._take = server.register_script(TAKE_TURN)
        self._hold = server.register_script(HOLD_SITE)
        self._release = server.zrem
        self.backoff_base = settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_MAX", 60.0)
        self.leases = (f"{worker}:{number}" for number in itertools.count())
        self.waiting: dict[str, asyncio.Lock] = {}
        """Per site: held by the one request of this worker asking Redis for a slot."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPacingMiddleware:
        if not crawler.settings.get("HEALTHCRAWL_REDIS_URL"):
            raise NotConfigured  # not a distributed crawl: off without a word in the log
        flight = in_flight(crawler)
        return cls(crawler, flight.frontier.server, flight.frontier.prefix, flight.worker)

    def _site(self, request: Request) -> tuple[str, Any]:
        """The request's download slot key (its site) and the slot, once it exists."""
        engine = self.crawler.engine
        assert engine is not None
        key = str(engine.downloader.get_slot_key(request))
        return key, self._site_slot(key)

    def _site_slot(self, key: str) -> Any:
        engine = self.crawler.engine
        assert engine is not None
        return engine.downloader.slots.get(key)

    async def process_request(self, request: Request) -> None:
        """Take a slot of the site, then await the moment taken with it."""
        key, slot = self._site(request)
        delay = slot.delay if slot is not None else self.default_delay
        concurrency = slot.concurrency if slot is not None else self.default_concurrency
        slots, lease = f"{self.prefix}:slots:{key}", next(self.leases)
        args = [int(delay * 1000), concurrency, lease, self.lease_ms]
        assert self.crawler.stats is not None
        try:
            wait_ms = int(self._take(keys=[f"{self.prefix}:pace:{key}", slots], args=args))
            if wait_ms < 0:
                waited = asyncio.get_running_loop().time()
                async with self.waiting.setdefault(key, asyncio.Lock()):
                    while wait_ms < 0:
                        await asyncio.sleep(POLL_SECONDS)
                        wait_ms = int(self._take(keys=[f"{self.prefix}:pace:{key}", slots], args=args))
                waited_ms = int((asyncio.get_running_loop().time() - waited) * 1000)
                self.crawler.stats.inc_value(SLOT_STAT, waited_ms)
        except redis.RedisError as error:
            self._lost(error)
            return
        request.meta[LEASE] = (slots, lease)
        if wait_ms > 0:
            self.crawler.stats.inc_value(STAT, wait_ms)
            await asyncio.sleep(wait_ms / 1000)
        self._now_is_the_slots_moment(key)

    def _now_is_the_slots_moment(self, key: str) -> None:
        """The request goes now: the moment taken is the site's delay, so the worker's own
        download slot must not wait its delay again on top of it (the request would leave
        late, next to another worker's next moment). A hold the slot has (``retry_after``:
        ``lastseen`` in the future) stays."""
        slot = self._site_slot(key)
        if slot is not None and slot.delay:
            slot.lastseen = min(slot.lastseen, monotonic() - slot.delay)

    def process_response(self, request: Request, response: Response) -> Response:
        """Give the slot back; a 429 or 503 holds the site for every worker, for the wait
        it asked for."""
        self._give_back(request)
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

    def process_exception(self, request: Request, exception: BaseException) -> None:
        """A failed download gives its slot back too."""
        self._give_back(request)

    def _give_back(self, request: Request) -> None:
        if (held := request.meta.pop(LEASE, None)) is not None:
            try:
                self._release(*held)
            except redis.RedisError as error:  # the lease expires by itself
                self._lost(error)

    def _lost(self, error: redis.RedisError) -> None:
        in_flight(self.crawler).lost(f"{type(error).__name__}: {error}")
        stop_worker(self.crawler, FRONTIER_UNAVAILABLE)
