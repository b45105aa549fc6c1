"""Jobs and worker handlers that misbehave on purpose, for the worker-pool and hang tests.

A worker imports this module to unpickle the jobs, so it imports nothing heavy. The
handler factories are the pool's general hook (``WorkerPool(handler=...)``,
``HEALTHCRAWL_WORKER_HANDLER``): a crawl run with one parses as usual except on the pages
that carry a marker.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from core.child import Handler
from crawler.parse_jobs import plain_body

CRAWL_PID = os.getpid()
HANG_MARKER = b"<!-- hang the parse worker -->"
"""A page whose body holds this makes :func:`hang_on_marked_pages` workers stop answering."""


@dataclass(frozen=True)
class WhereAmI:
    """Answers the pid of the process it runs in."""

    def run(self) -> int:
        return os.getpid()


@dataclass(frozen=True)
class Sleeps:
    """Takes ``seconds`` to answer its pid, as a parse stuck on a pathological page would."""

    seconds: float
    url: str = "http://127.0.0.1/stuck.html"

    def run(self) -> int:
        time.sleep(self.seconds)
        return os.getpid()


@dataclass(frozen=True)
class DiesInAWorker:
    """Kills the worker process it runs in; in the crawl's own process it answers."""

    answer: int
    crawl_pid: int = CRAWL_PID  # set where the job is made, not where it runs
    url: str = "http://127.0.0.1/poison.html"

    def run(self) -> int:
        if os.getpid() != self.crawl_pid:
            os._exit(3)
        return self.answer


def hang_on_marked_pages() -> Handler:
    """A worker handler that runs jobs as ``core.child.run_job`` does, but never returns
    from one whose page (``body``, decoded if gzipped) holds :data:`HANG_MARKER`."""

    def handle(job: Any) -> Any:
        if HANG_MARKER in plain_body(getattr(job, "body", b""), getattr(job, "gzip_max_size", None)):
            time.sleep(3600)
        return job.run()

    return handle
