"""``healthcrawl seed``, ``healthcrawl publish`` and a worker's ``crawl --redis``: what the
command line does in distributed mode (``crawler.cli`` only parses and dispatches).

Exit codes are the one-process crawl's (``crawler.cli``): 0 done, 2 bad input, 3 not
published (``publish`` while requests are still queued or in flight, or of a run that fails
a health check: ``--min-articles``, ``--max-error-rate``, ``--max-drift``), 69 the Redis
server cannot be used, 75 another run holds the output folder's lock, 130 interrupted.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import redis

from core.errors import FrontierUnavailable, InputError
from core.redis_server import connect
from crawler.distributed import distributed_settings
from crawler.distributed.frontier import Frontier
from crawler.distributed.inflight import FRONTIER_UNAVAILABLE
from crawler.run import CrawlResult
from pipelines.assemble import HealthLimits, Unhealthy, publish_parts
from pipelines.destinations.base import DestinationOptions
from pipelines.destinations.registry import mask
from pipelines.lock import RunLock
from pipelines.parts import parts_dir
from pipelines.redis_dedup_store import RedisDedupStore

P = ParamSpec("P")
T = TypeVar("T")
EXIT_OK, EXIT_FAILED, EXIT_NOT_FINISHED, EXIT_UNAVAILABLE, EXIT_INTERRUPTED = 0, 1, 3, 69, 130


def redis_failures_said(command: Callable[P, T]) -> Callable[P, T]:
    """``command``, with a Redis server lost mid-way said in one line (exit 69)."""
    @functools.wraps(command)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return command(*args, **kwargs)
        except redis.RedisError as error:
            raise FrontierUnavailable(f"the Redis server stopped answering: {error}") from None
    return guarded


@redis_failures_said
def worker_overrides(redis_url: str, idle_seconds: float) -> dict[str, Any]:
    """The settings of a worker, checked now: the server answers and holds a seeded run."""
    if idle_seconds <= 0:
        raise InputError("--redis-idle must be more than 0 seconds")
    frontier = Frontier(connect(redis_url))
    run_id = frontier.run_id()
    if run_id is None:
        raise InputError(f"Redis at {redis_url} holds no run: seed it first "
                         "(healthcrawl seed --redis URL START_URL...)")
    print(f"healthcrawl: worker of run {run_id} (Redis at {redis_url})", file=sys.stderr, flush=True)
    return {**distributed_settings(redis_url, idle_seconds), "HEALTHCRAWL_RUN_ID": run_id}


def worker_report(result: CrawlResult) -> int:
    """A worker's outcome in one line: its parts are written, or why it stopped."""
    print(f"healthcrawl: {result.summary()}", file=sys.stderr, flush=True)
    if result.finish_reason == FRONTIER_UNAVAILABLE:
        print("healthcrawl: error: the Redis server stopped answering; this worker's parts are "
              "kept and its requests in flight are re-queued by the others (or by the next worker)",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    if result.interrupted or result.finish_reason == "shutdown":
        print("healthcrawl: interrupted; this worker's requests in flight go back to the queue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.finish_reason != "finished" or result.error:
        why = result.error or result.finish_reason
        print(f"healthcrawl: error: the worker did not finish cleanly ({why})", file=sys.stderr)
        return EXIT_FAILED
    print("healthcrawl: worker done; publish the run with: healthcrawl publish --redis URL --out DIR")
    return EXIT_OK


@redis_failures_said
def seed(redis_url: str, urls: list[str]) -> int:
    """Push start URLs (and make the run, on the first seed)."""
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise InputError(f"{url!r} is no http(s) URL to start from")
    run_id = Frontier(connect(redis_url)).seed(urls)
    print(f"healthcrawl: {len(urls)} start URLs pushed to run {run_id}")
    return EXIT_OK


@redis_failures_said
def publish(redis_url: str, out: Path, to: tuple[str, ...], options: DestinationOptions,
            limits: tuple[int, float, float] = (1, 0.5, 0.5)) -> int:
    """Assemble and publish the run's parts once nothing is left to crawl; then the run's
    keys and parts are deleted, and the server is ready for the next run. An unhealthy run
    (``limits``: ``--min-articles``, ``--max-error-rate``, ``--max-drift``) is not published
    and keeps its parts and keys: publish again with other limits, or seed a new run."""
    frontier = Frontier(connect(redis_url))
    run_id = frontier.run_id()
    if run_id is None:
        raise InputError(f"Redis at {redis_url} holds no run to publish")
    frontier.requeue_dead()
    if frontier.busy():
        print(f"healthcrawl: not published: run {run_id} is not finished (requests are still queued "
              "or in flight; a dead worker's go back to the queue): start a worker, or wait for "
              "the workers to stop", file=sys.stderr)
        return EXIT_NOT_FINISHED
    folder = parts_dir(out, run_id)
    if not folder.is_dir():
        raise InputError(f"no parts of run {run_id} in {folder}: give the --out the workers wrote to")
    lock = RunLock(out)
    lock.acquire()
    try:
        successors = RedisDedupStore(frontier.server, frontier.prefix).successors()
        places, manifest = publish_parts(folder, run_id, successors, to, options,
                                         HealthLimits(*limits))
    except Unhealthy as why:
        print(f"healthcrawl: not published: run {run_id} is unhealthy: {why}; the previous "
              "publication stays", file=sys.stderr)
        return EXIT_NOT_FINISHED
    finally:
        lock.release()
    frontier.clear()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"healthcrawl: run {run_id} published: {manifest['row_counts']['articles']} articles from "
          f"{len(manifest['workers'])} workers", file=sys.stderr)
    for name, place in places:
        print(f"healthcrawl: tables published in {place}" if name == "files"
              else f"healthcrawl: tables loaded into {mask(place)}")
    return EXIT_OK
