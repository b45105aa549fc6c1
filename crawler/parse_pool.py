"""Parsing on the machine's other cores, so the crawl's own core only fetches.

One Scrapy process runs on one core (Twisted/asyncio and the GIL), and on a health site
parsing a 40 KB article costs about as much CPU as Scrapy spends fetching it. A pool of
worker processes (``HEALTHCRAWL_PARSE_WORKERS``, default: one per core but the crawl's)
runs :func:`crawler.parsing.parse_page` while the reactor goes on downloading; the spider
awaits the result. ``0`` workers parses in the crawl's process, as a library call would.

Workers are spawned (not forked: the reactor and its threads must not be copied), ignore
Ctrl-C (the crawl's process decides how a run ends), and take the profile by name, so a
job is only bytes and a few strings. A worker that dies breaks the pool: the page is then
parsed in-process and a fresh pool takes the next pages, so a crash loses no page.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from crawler.parsing import ParsedPage, parse_page
from crawler.profiles import get_profile

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One fetched page to parse: what :func:`parse_page` takes, with the profile by name."""

    body: bytes
    url: str
    profile: str
    content_type: str
    http_status: int
    fetched_at: str

    def run(self) -> ParsedPage:
        return parse_page(self.body, self.url, profile=get_profile(self.profile),
                          content_type=self.content_type, http_status=self.http_status,
                          fetched_at=self.fetched_at)


def default_workers() -> int:
    """One worker per core the process may use, less the crawl's own; 0 on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(cores - 1, 0)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(job: ParseJob) -> ParsedPage:
    return job.run()


class ParsePool:
    """Parses :class:`ParseJob` s in ``workers`` spawned processes (in-process for 0)."""

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise ValueError(f"parse workers must be 0 or more, got {workers}")
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self.restarts = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_interrupts)
        return self._executor

    async def parse(self, job: ParseJob) -> ParsedPage:
        """The parsed page; the parser's own exceptions come through unchanged."""
        if not self.workers:
            return job.run()
        try:
            return await asyncio.wrap_future(self._pool().submit(_run, job))
        except BrokenProcessPool:
            logger.error("a parse worker died; parsing %s in-process, starting a new pool", job.url)
            self._discard()
            self.restarts += 1
            return job.run()

    def _discard(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        """Stop the workers (pending jobs are cancelled: the crawl has ended)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
