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

Faults, since real pages can be pathological (``healthcrawl/workers/...`` stats):

- **A job that runs too long** (``job_timeout``, ``HEALTHCRAWL_WORKER_JOB_TIMEOUT``): its
  worker is killed and replaced, the job fails with :class:`JobFailed` (``timeout``; one
  warning names its URL) and the jobs queued behind it run on a fresh worker. A worker
  answers in order, so one timer a worker, pushed on by each reply, watches its oldest job.
- **A worker that dies** counts as one restart, however many jobs it held. The job it was
  running is retried once on a fresh worker; one that kills a second worker is a *poison*
  page and fails with :class:`JobFailed` (``poison``). The jobs queued behind it are
  retried as they were: they did nothing wrong.
- **Workers that keep dying** (more than ``max_restarts`` deaths within
  ``restart_window`` seconds, ``HEALTHCRAWL_WORKER_MAX_RESTARTS`` and
  ``HEALTHCRAWL_WORKER_RESTART_WINDOW``) disable the pool: one error says so, and every
  job from then on runs in the crawl's process, as with 0 workers, so the crawl loses no
  page (but a pathological page can then stall it, which no worker guards any more).

Workers still alive when the interpreter exits (a crawl stopped by a second Ctrl-C) are
killed, so a hung one does not outlive the crawl.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import pickle
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary, WeakSet

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from core.child import HEADER, Job, Request, child_command, child_env, frame
from core.errors import HealthcrawlError

logger = logging.getLogger(__name__)
T = TypeVar("T")

JOB_TIMEOUT = 60.0
"""Seconds a worker may spend on one job before it is killed (a parse takes milliseconds)."""
MAX_RESTARTS = 3
RESTART_WINDOW = 60.0
"""More than ``MAX_RESTARTS`` worker deaths within this many seconds disable the pool."""
HANDLER = "core.child:run_jobs"
STAT = "healthcrawl/workers"


class WorkerDied(RuntimeError):
    """The worker process ended with this job still pending."""


class JobFailed(HealthcrawlError):
    """A job no worker could finish: ``reason`` is ``timeout`` (it ran longer than the
    pool's job timeout) or ``poison`` (it killed two workers). Its ``url``, when the job
    has one, names the page."""

    def __init__(self, reason: str, url: str | None, detail: str) -> None:
        super().__init__(f"{detail}: {url}" if url else detail)
        self.reason = reason
        self.url = url


def default_workers() -> int:
    """One worker per core the process may use, less the crawl's own; 0 on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(cores - 1, 0)


def configured_workers(value: object) -> int:
    """The ``HEALTHCRAWL_WORKER_PROCESSES`` setting as a count: None or "" for the default."""
    return default_workers() if value in (None, "") else int(str(value))


@dataclass(slots=True, eq=False)
class _Pending(Generic[T]):
    """A job, the future its caller awaits, and how many workers died running it."""

    job: Job[T]
    future: asyncio.Future[T]
    strikes: int = 0


@dataclass(slots=True, eq=False)
class _Ended:
    """What a worker left when it ended: the jobs still pending, oldest first, and the job
    the pool killed it for, having run too long (None: the worker died by itself)."""

    pending: list[_Pending[Any]]
    stuck: _Pending[Any] | None
    exit_code: int | None
    pid: int


_LIVE: WeakSet[_Worker] = WeakSet()


@atexit.register
def _kill_live_workers() -> None:
    """A worker still running when the crawl's process exits is killed, not orphaned."""
    for worker in list(_LIVE):
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()


class _Worker:
    """One worker process and its pending jobs, in the order they were sent."""

    def __init__(self, process: asyncio.subprocess.Process, timeout: float,
                 ended: Callable[[_Worker, _Ended], None]) -> None:
        self.process = process
        self.pending: deque[_Pending[Any]] = deque()
        self.alive = True
        self._timeout = timeout
        self._ended = ended
        self._loop = asyncio.get_running_loop()
        self._oldest_since = 0.0
        """When the oldest pending job became the one the worker runs."""
        self._timer: asyncio.TimerHandle | None = None
        self._stuck: _Pending[Any] | None = None
        """The job the worker was killed for: the oldest when the timer fired (its reply
        may still be in the pipe, and then the job after it is not to blame)."""
        _LIVE.add(self)
        self._reading = asyncio.ensure_future(self._read_results())

    def send(self, pending: _Pending[Any]) -> None:
        assert self.process.stdin is not None
        if not self.pending:
            self._oldest_since = self._loop.time()
            if self._timer is None:
                self._timer = self._loop.call_at(self._oldest_since + self._timeout, self._check_time)
        self.pending.append(pending)
        self.process.stdin.write(frame(Request(pending.job)))  # buffered by the transport, never blocks

    def _check_time(self) -> None:
        """The timer: kill the worker if its oldest job has run too long, else wait on."""
        self._timer = None
        if not self.pending or not self.alive:
            return
        due = self._oldest_since + self._timeout
        if self._loop.time() < due:
            self._timer = self._loop.call_at(due, self._check_time)
            return
        self._stuck = self.pending[0]
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()  # the reader sees the pipe close and reports the end

    async def _read_results(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                header = await stdout.readexactly(HEADER.size)
                reply = pickle.loads(await stdout.readexactly(HEADER.unpack(header)[0]))
                future = self.pending.popleft().future
                self._oldest_since = self._loop.time()
                if not future.done():
                    (future.set_result if reply.ok else future.set_exception)(reply.value)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the worker ended
        finally:
            self.alive = False
            _LIVE.discard(self)
            if self._timer is not None:
                self._timer.cancel()
            pending = list(self.pending)
            self.pending.clear()
            exit_code = await self.process.wait()
            self._ended(self, _Ended(pending, self._stuck, exit_code, self.process.pid))

    async def close(self, timeout: float = 10.0) -> None:
        """Close stdin (the worker ends after its last job) and wait for it."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
        await self._reading


class WorkerPool:
    """Runs :class:`Job` s in ``workers`` worker processes (see the module doc for faults)."""

    def __init__(self, workers: int, max_restarts: int = MAX_RESTARTS,
                 stats: Callable[[], StatsCollector | None] | None = None, *,
                 job_timeout: float = JOB_TIMEOUT, restart_window: float = RESTART_WINDOW,
                 handler: str = HANDLER) -> None:
        if workers < 0:
            raise ValueError(f"parse workers must be 0 or more, got {workers}")
        if job_timeout <= 0:
            raise ValueError(f"the worker job timeout must be positive, got {job_timeout}")
        self.workers = workers
        self.max_restarts = max(max_restarts, 1)
        """Deaths allowed within ``restart_window``; at least one, so a single death
        never disables the pool."""
        self.restart_window = restart_window
        self.job_timeout = job_timeout
        self.handler = handler
        """The workers' ``core.child`` handler spec (tests give one that misbehaves)."""
        self.restarts = 0
        """Workers that died (a worker killed for a job that timed out is no death)."""
        self.in_process_jobs = 0
        """Jobs run in the crawl's process because the pool was disabled."""
        self.disabled = False
        self._deaths: deque[float] = deque()
        self._closing = False
        self._stats = stats
        """Where the counts go as they happen (``healthcrawl/workers/...``), looked up
        then: a crawl's stats exist only once it runs."""
        self._pool: list[_Worker] = []
        self._starting: asyncio.Lock | None = None
        self._warming: asyncio.Future[None] | None = None

    def start_soon(self) -> None:
        """Start the workers in the background, now, so the crawl's first page finds them
        ready: a worker's start (an interpreter and the parser's imports, a quarter of a
        second) then overlaps the first fetches (robots.txt, the start page), instead of
        delaying the first parse. A worker that cannot start is left to the first job, which
        says why (see :meth:`run`). Only inside a running event loop."""
        if self.workers and _loop_running() and self._warming is None:
            self._warming = asyncio.ensure_future(self._warm())

    async def _warm(self) -> None:
        with contextlib.suppress(Exception):  # the first job tries again, and says why it fails
            await self._idlest_worker()

    def waiting(self) -> int:
        """Jobs sent to the workers and not answered yet."""
        return sum(len(worker.pending) for worker in self._pool)

    async def run(self, job: Job[T]) -> T:
        """The job's result; the job's own exceptions come through unchanged, and
        :class:`JobFailed` when no worker could finish it."""
        if not self.workers or not _loop_running():
            return job.run()
        pending: _Pending[T] = _Pending(job, asyncio.get_running_loop().create_future())
        if (worker := self._running_worker()) is not None:
            worker.send(pending)  # the usual case, without a coroutine of its own
        else:
            await self._dispatch(pending)
        return await pending.future

    def _running_worker(self) -> _Worker | None:
        """The least busy worker when every worker is up and the pool is enabled, else None."""
        pool = self._pool
        if self.disabled or len(pool) != self.workers or not all(w.alive for w in pool):
            return None
        return pool[0] if len(pool) == 1 else min(pool, key=_backlog)

    async def _dispatch(self, pending: _Pending[Any]) -> None:
        """Hand ``pending`` to the least busy worker; when none can start, or the pool is
        disabled, run it in the crawl's process, unless it was running when a worker died:
        such a page may kill or hang whatever runs it, so it is skipped as poison."""
        if not self.disabled:
            try:
                (await self._idlest_worker()).send(pending)
                return
            except OSError as error:
                self._died(f"cannot start a parse worker ({error})")
        if pending.strikes:
            self._count("poison")
            self._fail(pending, "poison", "a page was being parsed when parse workers kept "
                       "dying; not parsed in the crawl's own process, page skipped")
            return
        self._run_here(pending)

    def _run_here(self, pending: _Pending[Any]) -> None:
        self.in_process_jobs += 1
        self._count("in_process_jobs")
        if pending.future.done():
            return
        try:
            pending.future.set_result(pending.job.run())
        except Exception as error:
            pending.future.set_exception(error)

    def _worker_ended(self, worker: _Worker, ended: _Ended) -> None:
        """Fail or retry what a worker left (see the module doc), counting why."""
        retry = ended.pending  # the oldest first: the one the worker was running
        if self._closing:
            for pending in retry:
                if not pending.future.done():
                    pending.future.set_exception(WorkerDied(f"parse worker {ended.pid} ended"))
            return
        if ended.stuck is not None:
            if ended.stuck in retry:  # else its answer came after all, just before the kill
                retry.remove(ended.stuck)
                self._count("timeout")
                self._fail(ended.stuck, "timeout", f"no answer from a parse worker within "
                           f"{self.job_timeout:g} s; worker replaced, page skipped")
        else:
            self._died(f"parse worker {ended.pid} ended (exit code {ended.exit_code}) with "
                       f"{len(retry)} jobs pending; they run on a new worker")
            if retry:
                retry[0].strikes += 1
                if retry[0].strikes > 1:
                    poison, *retry = retry
                    self._count("poison")
                    self._fail(poison, "poison", "a page killed two parse workers; page skipped")
        for pending in retry:
            if not pending.future.done():  # its caller may have gone (a cancelled request)
                asyncio.ensure_future(self._dispatch(pending))

    def _fail(self, pending: _Pending[Any], reason: str, detail: str) -> None:
        url = getattr(pending.job, "url", None)
        error = JobFailed(reason, url if isinstance(url, str) else None, detail)
        logger.warning("%s", error)
        if not pending.future.done():
            pending.future.set_exception(error)

    def _died(self, why: str) -> None:
        """Count one worker death; too many too fast disable the pool."""
        self.restarts += 1
        self._count("restarts")
        now = time.monotonic()
        self._deaths.append(now)
        while self._deaths and self._deaths[0] < now - self.restart_window:
            self._deaths.popleft()
        if len(self._deaths) > self.max_restarts and not self.disabled:
            self.disabled = True
            self._count("disabled")
            logger.error("%s; %d parse workers died within %g s, so pages are parsed in the "
                         "crawl's process from now on", why, len(self._deaths), self.restart_window)
        else:
            logger.warning("%s", why)

    def _count(self, what: str) -> None:
        if self._stats is not None and (stats := self._stats()) is not None:
            stats.inc_value(f"{STAT}/{what}")

    async def _idlest_worker(self) -> _Worker:
        if len(self._pool) != self.workers or not all(w.alive for w in self._pool):
            if self._starting is None:
                self._starting = asyncio.Lock()
            async with self._starting:
                self._pool = [w for w in self._pool if w.alive]
                while len(self._pool) < self.workers:
                    self._pool.append(_Worker(await _start_worker(self.handler), self.job_timeout,
                                              self._worker_ended))
        return min(self._pool, key=_backlog)

    async def close(self) -> None:
        """Let every worker finish its jobs and exit."""
        self._closing = True
        if self._warming is not None:  # a worker still starting is closed with the others
            await asyncio.gather(self._warming, return_exceptions=True)
        pool, self._pool = self._pool, []
        await asyncio.gather(*(worker.close() for worker in pool))
        self._closing = False


def _backlog(worker: _Worker) -> int:
    return len(worker.pending)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _start_worker(handler: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *child_command(handler),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=child_env())


_CRAWL_POOLS: WeakKeyDictionary[Crawler, WorkerPool] = WeakKeyDictionary()


def crawl_pool(crawler: Crawler) -> WorkerPool:
    """The crawl's one pool, made on first use from ``HEALTHCRAWL_WORKER_PROCESSES``,
    ``HEALTHCRAWL_WORKER_JOB_TIMEOUT``, ``HEALTHCRAWL_WORKER_MAX_RESTARTS``,
    ``HEALTHCRAWL_WORKER_RESTART_WINDOW`` and ``HEALTHCRAWL_WORKER_HANDLER``; it counts its
    faults in the crawl's stats (``healthcrawl/workers/...``), starts its workers when the
    spider opens and closes when the spider closes (after the item pipelines)."""
    pool = _CRAWL_POOLS.get(crawler)
    if pool is None:
        settings = crawler.settings
        crawl = weakref.ref(crawler)  # the crawler holds its pool, not the other way round
        pool = _CRAWL_POOLS[crawler] = WorkerPool(
            configured_workers(settings.get("HEALTHCRAWL_WORKER_PROCESSES")),
            settings.getint("HEALTHCRAWL_WORKER_MAX_RESTARTS", MAX_RESTARTS),
            stats=lambda: _stats_of(crawl()),
            job_timeout=settings.getfloat("HEALTHCRAWL_WORKER_JOB_TIMEOUT", JOB_TIMEOUT),
            restart_window=settings.getfloat("HEALTHCRAWL_WORKER_RESTART_WINDOW", RESTART_WINDOW),
            handler=settings.get("HEALTHCRAWL_WORKER_HANDLER") or HANDLER)
        crawler.signals.connect(pool.start_soon, signal=signals.spider_opened)
        crawler.signals.connect(pool.close, signal=signals.spider_closed)  # weakly, as the pool lives
    return pool


def _stats_of(crawler: Crawler | None) -> StatsCollector | None:
    return crawler.stats if crawler is not None else None
