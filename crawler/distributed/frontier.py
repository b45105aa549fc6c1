"""The run a distributed crawl's workers share, as keys in Redis.

=====================================  ======================================================
key (under ``healthcrawl:``)           what it holds
=====================================  ======================================================
``run_id``                             the run's id, set by the first ``seed``
``health:start_urls``                  URLs ``seed`` pushed, not yet taken by a worker
``health:requests``                    scrapy-redis's request queue (a sorted set)
``health:dupefilter``                  scrapy-redis's seen-set: canonical-URL fingerprints
``workers``                            every worker that joined the run
``worker:<id>``                        a worker's heartbeat; expires when the worker is dead
``pending:<id>``                       requests a worker took whose results are in no part
                                       yet: fingerprint -> the serialized request
``dedup:*``                            the dedup store (``pipelines.redis_dedup_store``)
``pace:<host>``                        the site's shared politeness budget (``pacing``)
``slots:<host>``                       the site's concurrency leases (``pacing``)
``incremental``                        set when ``seed --incremental`` made the run
``known``                              an incremental run's known pages (``known``)
``unchanged``, ``gone``                canonical URLs found unchanged (304, sitemap date),
                                       or gone (404, 410): ``publish`` carries them over,
                                       or reports them removed
``revalidation``                       who asks for the known articles no worker met
                                       (a worker id), or ``done``
=====================================  ======================================================

A worker that dies (SIGKILL, a machine lost) stops beating; the first live worker to
notice moves its ``pending`` requests back into the queue, so they are fetched again by
someone, not lost. What the dead worker had already written as parts stays.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import redis

from core.redis_server import KEY_PREFIX, RUN_ID_KEY
from pipelines.export import new_run_id

DONE = b"done"
# KEYS: the run id, the incremental flag; ARGV: the id, 1 for an incremental run.
_CREATE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return 0
end
if ARGV[2] == '1' then
  redis.call('SET', KEYS[2], '1')
end
return 1
"""
# KEYS: the revalidation key, the heartbeat key prefix; ARGV: the worker asking.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder == 'done' or (holder and redis.call('EXISTS', KEYS[2] .. holder) == 1) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""
HEARTBEAT_SECONDS = 1.0
"""How often a worker says it is alive."""
DEAD_AFTER_SECONDS = 10.0
"""A worker silent this long is dead: its requests in flight go back into the queue."""
SPIDER = "health"


def worker_id() -> str:
    """``host-pid``: unique among the live workers of a run, readable in logs."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Frontier:
    """The run's keys in one Redis database and the operations on them."""

    def __init__(self, server: Any, prefix: str = KEY_PREFIX) -> None:
        self.server = server
        self.prefix = prefix
        self.start_urls = f"{prefix}:{SPIDER}:start_urls"
        self.queue = f"{prefix}:{SPIDER}:requests"
        self.workers = f"{prefix}:workers"
        self.run_key = RUN_ID_KEY if prefix == KEY_PREFIX else f"{prefix}:run_id"
        self._claim = server.register_script(_CLAIM)
        self._create = server.register_script(_CREATE)

    def pending(self, worker: str) -> str:
        return f"{self.prefix}:pending:{worker}"

    def heartbeat_key(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    def key(self, name: str) -> str:
        """The run's key ``name`` (see the module docstring)."""
        return f"{self.prefix}:{name}"

    def create(self, incremental: bool = False, run_id: str | None = None) -> bool:
        """Make the run (its id, and whether it is incremental, in one step: a worker never
        sees one without the other), unless one exists; returns whether this call made it."""
        return bool(self._create(keys=[self.run_key, self.key("incremental")],
                                 args=[run_id or new_run_id(datetime.now(UTC)), int(incremental)]))

    def seed(self, urls: Iterable[str], run_id: str | None = None) -> str:
        """Push start URLs and return the run's id (made here by the first seed)."""
        self.create(run_id=run_id)
        urls = list(urls)
        if urls:
            self.server.rpush(self.start_urls, *urls)
        return self.run_id() or ""

    def incremental(self) -> bool:
        """Whether the run asks for known pages only when they may have changed."""
        return bool(self.server.exists(self.key("incremental")))

    def run_id(self) -> str | None:
        value = self.server.get(self.run_key)
        return None if value is None else str(value.decode())

    def take_start_urls(self, count: int) -> list[str]:
        """Up to ``count`` seeded URLs, each given to one worker only."""
        taken = self.server.lpop(self.start_urls, count) or []
        return [url.decode() for url in taken]

    def join(self, worker: str, dead_after: float = DEAD_AFTER_SECONDS) -> None:
        """A worker joins the run: registered, and alive (:meth:`beat`)."""
        self.beat(worker, dead_after)

    def beat(self, worker: str, dead_after: float = DEAD_AFTER_SECONDS) -> None:
        """The worker is alive for ``dead_after`` seconds more, and in the run's registry: a
        worker whose reactor stalled longer than that was taken for dead (its requests in
        flight re-queued, itself struck off); left off, the requests it takes afterwards
        would be lost with it if it died, since only registered workers' are re-queued."""
        pipe = self.server.pipeline(transaction=False)
        pipe.sadd(self.workers, worker)
        pipe.set(self.heartbeat_key(worker), "1", px=int(dead_after * 1000))
        pipe.execute()

    def leave(self, worker: str) -> None:
        """A worker that finished cleanly: its results are all in parts."""
        self.server.delete(self.pending(worker), self.heartbeat_key(worker))
        self.server.srem(self.workers, worker)

    def requeue_dead(self) -> int:
        """Move the requests in flight of every dead worker back into the queue; returns how
        many. The move is atomic (a RENAME claims them), so two live workers never both
        re-queue one dead worker's requests."""
        moved = 0
        for member in self.server.smembers(self.workers):
            worker = member.decode()
            if self.server.exists(self.heartbeat_key(worker)):
                continue
            claimed = f"{self.pending(worker)}:claimed:{worker_id()}"
            try:
                self.server.rename(self.pending(worker), claimed)
            except redis.ResponseError:  # no such key: nothing in flight, or another claimed it
                self.server.srem(self.workers, worker)
                continue
            requests = self.server.hvals(claimed)
            pipe = self.server.pipeline(transaction=True)
            for request in requests:
                pipe.zadd(self.queue, {request: 0})
            pipe.delete(claimed)
            pipe.srem(self.workers, worker)
            pipe.execute()
            moved += len(requests)
        return moved

    def busy(self) -> bool:
        """Whether anything is left to do: :meth:`work_left`, or an incremental run's known
        articles no worker met are still to be asked for (``worker``)."""
        return self.work_left() or (self.incremental() and self.server.get(self.key("revalidation")) != DONE)

    def claim_revalidation(self, worker: str) -> bool:
        """Whether ``worker`` is to ask for the known articles no worker met: the first to
        ask, or the next after one that died before it was done."""
        return bool(self._claim(keys=[self.key("revalidation"), self.heartbeat_key("")],
                                args=[worker]))

    def revalidated(self) -> None:
        self.server.set(self.key("revalidation"), DONE)

    def work_left(self) -> bool:
        """Whether requests are queued, start URLs unseeded, or requests in some worker's
        flight."""
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(self.queue)
        pipe.llen(self.start_urls)
        workers = [member.decode() for member in self.server.smembers(self.workers)]
        for worker in workers:
            pipe.hlen(self.pending(worker))
        return any(int(count) for count in pipe.execute())

    def clear(self) -> None:
        """Delete every key of the run (after ``publish``)."""
        keys = list(self.server.scan_iter(match=f"{self.prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            self.server.delete(*keys[start:start + 1000])
