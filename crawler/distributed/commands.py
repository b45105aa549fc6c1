"""``healthcrawl seed``, ``healthcrawl publish`` and a worker's ``crawl --redis``: what the
command line does in distributed mode (``crawler.cli`` only parses and dispatches).

The output folder's state store (``pipelines.state``) is read and written only where
``seed --incremental`` and ``publish`` run, under the folder's lock (``pipelines.lock``):
workers on other machines never open the SQLite file (``crawler.distributed.known`` says
why), and a one-process run or another ``publish`` on the same folder waits its turn.

Exit codes are the one-process crawl's (``crawler.cli``): 0 done, 2 bad input, 3 not
published (``publish`` while requests are still queued or in flight, or of a run that fails
a health check: ``--min-articles``, ``--max-error-rate``, ``--max-drift``), 69 the Redis
server cannot be used, 75 another run holds the output folder's lock, 130 interrupted.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import redis

from core.errors import FrontierUnavailable, InputError
from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS
from core.redis_server import connect
from crawler.distributed import distributed_settings
from crawler.distributed.frontier import Frontier
from crawler.distributed.inflight import FRONTIER_UNAVAILABLE
from crawler.distributed.known import KnownPages
from crawler.run import CrawlResult, project_settings
from pipelines.assemble import HealthLimits, Marks, RunParts, Unhealthy, publish_parts
from pipelines.destinations.base import DestinationOptions
from pipelines.destinations.registry import mask
from pipelines.health import previous_manifest
from pipelines.lock import RunLock
from pipelines.parts import parts_dir
from pipelines.redis_dedup_store import RedisDedupStore
from pipelines.run_record import write_run_record
from pipelines.state import StateError, StateReader, start_run
from pipelines.table_writer import StateParams

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


@contextmanager
def folder_locked(out: Path, state_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (and the state folder's, when it lives elsewhere), as a
    one-process run does: :class:`~core.errors.RunLocked` (exit 75) while another holds it."""
    locks = [RunLock(out)]
    if not state_dir.resolve().is_relative_to(out.resolve()):
        locks.append(RunLock(state_dir))
    try:
        for lock in locks:
            lock.acquire()
        yield
    finally:
        for lock in locks:
            lock.release()


@redis_failures_said
def worker_overrides(redis_url: str, idle_seconds: float, incremental: bool = False) -> dict[str, Any]:
    """The settings of a worker, checked now: the server answers and holds a seeded run.
    Whether the run is incremental is the run's (``seed --incremental``), not the worker's:
    ``incremental`` (``--incremental``) only asks that it be."""
    if idle_seconds <= 0:
        raise InputError("--redis-idle must be more than 0 seconds")
    frontier = Frontier(connect(redis_url))
    run_id = frontier.run_id()
    if run_id is None:
        raise InputError(f"Redis at {redis_url} holds no run: seed it first "
                         "(healthcrawl seed --redis URL START_URL...)")
    run_incremental = frontier.incremental()
    if incremental and not run_incremental:
        raise InputError(f"run {run_id} was seeded as a full run: an incremental run is seeded so "
                         "(healthcrawl seed --incremental --redis URL --out DIR START_URL...)")
    kind = "incremental run" if run_incremental else "run"
    print(f"healthcrawl: worker of {kind} {run_id} (Redis at {redis_url})", file=sys.stderr, flush=True)
    return {**distributed_settings(redis_url, idle_seconds), "HEALTHCRAWL_RUN_ID": run_id,
            "HEALTHCRAWL_INCREMENTAL": run_incremental}


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
def seed(redis_url: str, urls: list[str], incremental: bool = False, out: Path = Path("exports"),
         state_dir: Path | None = None) -> int:
    """Push start URLs (and make the run, on the first seed). The first seed of an
    incremental run copies what the state store of ``out`` knows into Redis, under the
    folder's lock; a later seed only adds start URLs, and must agree on the run's kind."""
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise InputError(f"{url!r} is no http(s) URL to start from")
    frontier = Frontier(connect(redis_url))
    if frontier.run_id() is not None and frontier.incremental() != incremental:
        kind = "an incremental" if frontier.incremental() else "a full"
        raise InputError(f"Redis at {redis_url} holds {kind} run ({frontier.run_id()}): seed it as "
                         "such, or publish it first")
    if incremental and frontier.run_id() is None:
        _seed_incremental(frontier, out, state_dir or out / ".state")
    run_id = frontier.seed(urls)
    print(f"healthcrawl: {len(urls)} start URLs pushed to run {run_id}")
    return EXIT_OK


def _seed_incremental(frontier: Frontier, out: Path, state_dir: Path) -> None:
    """Make the run incremental, with the state store's pages and published articles in
    Redis first: a worker that joins the moment the run exists finds them all. The articles
    go into the run's dedup store, as a one-process run's dedup stage remembers them, so a
    new copy of one the workers do not fetch again (unchanged) is caught all the same."""
    with folder_locked(out, state_dir):
        try:
            state = StateReader(state_dir)
        except StateError as error:
            raise InputError(str(error)) from None
        try:
            known = KnownPages(frontier.server, frontier.prefix).load(state)
            store = _run_dedup_store(frontier)
            articles = store.remember(state.kept(None, store.num_perm))
        finally:
            state.close()
        if frontier.create(incremental=True):
            print(f"healthcrawl: incremental run: {known} known pages and {articles} published articles "
                  f"from {state_dir}", file=sys.stderr)


def _run_dedup_store(frontier: Frontier) -> RedisDedupStore:
    """The run's dedup store, with the MinHash bands the workers index by: the project's
    settings (``HEALTHCRAWL_DEDUP_MINHASH_BANDS`` and ``_ROWS``, also from the environment),
    which a worker's ``-s`` must not change."""
    settings = project_settings()
    return RedisDedupStore(frontier.server, frontier.prefix,
                           bands=settings.getint("HEALTHCRAWL_DEDUP_MINHASH_BANDS", DEFAULT_BANDS),
                           rows=settings.getint("HEALTHCRAWL_DEDUP_MINHASH_ROWS", DEFAULT_ROWS))


@redis_failures_said
def publish(redis_url: str, out: Path, to: tuple[str, ...], options: DestinationOptions,
            limits: tuple[int, float, float] = (1, 0.5, 0.5), state_dir: Path | None = None) -> int:
    """Assemble and publish the run's parts once nothing is left to crawl, with the state
    store of ``out`` (``state_dir``), which then knows the run's pages for the next
    incremental run; then the run's keys and parts are deleted, and the server is ready for
    the next run. An unhealthy run (``limits``: ``--min-articles``, ``--max-error-rate``,
    ``--max-drift``) is not published and keeps its parts and keys: publish again with other
    limits, or seed a new run."""
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
    state_dir = state_dir or out / ".state"
    with folder_locked(out, state_dir):
        started = datetime.now(UTC)
        try:
            attempt = start_run(state_dir, run_id, started.isoformat())
        except StateError as error:
            raise InputError(str(error)) from None
        state = StateParams(state_dir, run_id, attempt, (previous_manifest(out) or {}).get("run_id"))
        known = KnownPages(frontier.server, frontier.prefix)
        dedup = RedisDedupStore(frontier.server, frontier.prefix)
        run = RunParts(folder, run_id, dedup.successors(), Marks(known.unchanged(), known.gone()),
                       frontier.incremental(), dedup.provisional())
        try:
            places, manifest = publish_parts(run, to, options, state, HealthLimits(*limits))
        except Unhealthy as why:
            _record(out, state_dir, run, attempt, started, "unhealthy", str(why), {})
            print(f"healthcrawl: not published: run {run_id} is unhealthy: {why}; the previous "
                  "publication stays", file=sys.stderr)
            return EXIT_NOT_FINISHED
        _record(out, state_dir, run, attempt, started, "published", None, manifest, places)
    frontier.clear()
    shutil.rmtree(folder, ignore_errors=True)
    changes = ", ".join(f"{count} {change}" for change, count in manifest["changes"].items())
    print(f"healthcrawl: run {run_id} published: {manifest['row_counts']['articles']} articles "
          f"({changes}) from {len(manifest['workers'])} workers", file=sys.stderr)
    for name, place in places:
        print(f"healthcrawl: tables published in {place}" if name == "files"
              else f"healthcrawl: tables loaded into {mask(place)}")
    return EXIT_OK


def _record(out: Path, state_dir: Path, run: RunParts, attempt: int, started: datetime, outcome: str,
            error: str | None, manifest: dict[str, Any], places: Sequence[tuple[str, str]] = ()) -> None:
    """The run record (``pipelines.run_record``), as a one-process run leaves it."""
    changes = manifest.get("changes", {})
    write_run_record(out, state_dir, {
        "run_id": run.run_id, "attempt": attempt, "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(), "finish_reason": "finished", "outcome": outcome,
        "error": error, "incremental": run.incremental, "distributed": True,
        "articles": manifest.get("row_counts", {}).get("articles", 0), "changes": changes,
        "published": next((place for name, place in places if name == "files"), None),
        "destinations": [mask(place) for _, place in places],
        "exit_code": EXIT_OK if outcome == "published" else EXIT_NOT_FINISHED,
    })
