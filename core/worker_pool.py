"""CPU work on the machine's other cores, so the crawl's own core only fetches.

One Scrapy process runs on one core (the reactor and the GIL), and parsing an article
costs about as much CPU as Scrapy spends fetching it. A pool of worker processes
(``HEALTHCRAWL_WORKER_PROCESSES``, default: one per core but the crawl's) runs jobs (the
spider's parsing, ``crawler.parse_jobs``; the dedup stage's MinHash signatures) while the
reactor goes on downloading; the caller awaits each result. A crawl has one pool
(:func:`crawl_pool`), which the spider and the dedup stage share. ``0`` workers runs jobs
in the crawl's process, as does any call without a running asyncio loop.

Each worker is a ``core.child`` process serving :func:`core.child.run_job`; the reactor's
own event loop writes its requests and reads its replies without blocking. Why not
``concurrent.futures.ProcessPoolExecutor``: its manager and feeder threads fight the
reactor for the GIL, which costs the crawl's process more CPU a page than these pipes
(``make bench-workers``, benchmarks/RESULTS.md).

A worker that dies fails its pending jobs with :class:`WorkerDied`; the pool runs those
in-process (no page is lost) and starts a new worker for the next ones. After
``max_restarts`` deaths it stops trying and parses in-process for the rest of the run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from core.child import HEADER, Job, Request, child_command, child_env, frame

logger = logging.getLogger(__name__)
T = TypeVar("T")


class WorkerDied(RuntimeError):
    """The worker process ended with this job still pending."""


def default_workers() -> int:
    """One worker per core the process may use, less the crawl's own; 0 on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(cores - 1, 0)


def configured_workers(value: object) -> int:
    """The ``HEALTHCRAWL_WORKER_PROCESSES`` setting as a count: None or "" for the default."""
    return default_workers() if value in (None, "") else int(str(value))


class _Worker:
    """One worker process and the futures of its jobs, in the order they were sent."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: deque[asyncio.Future[Any]] = deque()
        self.alive = True
        self._reading = asyncio.ensure_future(self._read_results())

    def send(self, job: Job[T]) -> asyncio.Future[T]:
        assert self.process.stdin is not None
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        self.process.stdin.write(frame(Request(job)))  # buffered by the transport, never blocks
        return future

    async def _read_results(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                header = await stdout.readexactly(HEADER.size)
                reply = pickle.loads(await stdout.readexactly(HEADER.unpack(header)[0]))
                future = self.pending.popleft()
                if not future.done():
                    (future.set_result if reply.ok else future.set_exception)(reply.value)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the worker ended
        finally:
            self.alive = False
            while self.pending:
                future = self.pending.popleft()
                if not future.done():
                    future.set_exception(WorkerDied(f"parse worker {self.process.pid} ended"))

    async def close(self, timeout: float = 10.0) -> None:
        """Close stdin (the worker ends after its last job) and wait for it."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        await self._reading


class WorkerPool:
    """Runs :class:`Job` s in ``workers`` worker processes."""

    def __init__(self, workers: int, max_restarts: int = 3,
                 stats: Callable[[], StatsCollector | None] | None = None) -> None:
        if workers < 0:
            raise ValueError(f"parse workers must be 0 or more, got {workers}")
        self.workers = workers
        self.max_restarts = max_restarts
        self.restarts = 0
        self.in_process_jobs = 0
        """Jobs run in the crawl's process because their worker died."""
        self._stats = stats
        """Where both counts go as they happen (``healthcrawl/workers/...``), looked up
        then: a crawl's stats exist only once it runs."""
        self._pool: list[_Worker] = []
        self._starting: asyncio.Lock | None = None

    async def run(self, job: Job[T]) -> T:
        """The job's result; the job's own exceptions come through unchanged."""
        if not self.workers or self.restarts > self.max_restarts or not _loop_running():
            return job.run()
        try:
            worker = await self._idlest_worker()
            return await worker.send(job)
        except (WorkerDied, OSError) as error:
            self._count_fallback()
            if self.restarts > self.max_restarts:
                logger.error("worker processes keep failing (%s); running jobs in the crawl's "
                             "process from now on", error)
            else:
                logger.error("%s; its jobs run in the crawl's process, a new worker takes the "
                             "next ones", error)
            return job.run()

    def _count_fallback(self) -> None:
        self.restarts += 1
        self.in_process_jobs += 1
        if self._stats is not None and (stats := self._stats()) is not None:
            stats.inc_value("healthcrawl/workers/restarts")
            stats.inc_value("healthcrawl/workers/in_process_jobs")

    async def _idlest_worker(self) -> _Worker:
        if len(self._pool) != self.workers or not all(w.alive for w in self._pool):
            if self._starting is None:
                self._starting = asyncio.Lock()
            async with self._starting:
                self._pool = [w for w in self._pool if w.alive]
                while len(self._pool) < self.workers:
                    self._pool.append(_Worker(await _start_worker()))
        return min(self._pool, key=lambda w: len(w.pending))

    async def close(self) -> None:
        """Let every worker finish its jobs and exit."""
        pool, self._pool = self._pool, []
        await asyncio.gather(*(worker.close() for worker in pool))


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _start_worker() -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *child_command("core.child:run_jobs"),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=child_env())


_CRAWL_POOLS: WeakKeyDictionary[Crawler, WorkerPool] = WeakKeyDictionary()


def crawl_pool(crawler: Crawler) -> WorkerPool:
    """The crawl's one pool, made on first use from ``HEALTHCRAWL_WORKER_PROCESSES``; it
    counts in the crawl's stats the jobs a dying worker left to the crawl's process
    (``healthcrawl/workers/...``) and closes when the spider closes (after the item
    pipelines)."""
    pool = _CRAWL_POOLS.get(crawler)
    if pool is None:
        crawl = weakref.ref(crawler)  # the crawler holds its pool, not the other way round
        pool = _CRAWL_POOLS[crawler] = WorkerPool(
            configured_workers(crawler.settings.get("HEALTHCRAWL_WORKER_PROCESSES")),
            stats=lambda: _stats_of(crawl()))
        crawler.signals.connect(pool.close, signal=signals.spider_closed)  # weakly, as the pool lives
    return pool


def _stats_of(crawler: Crawler | None) -> StatsCollector | None:
    return crawler.stats if crawler is not None else None
