"""A worker killed mid-crawl (SIGKILL) loses nothing: its requests in flight go back to the
queue, the other worker finishes them, and ``publish`` has every article once."""

from __future__ import annotations

import signal
import socket
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from core.urls import canonicalize_url
from crawler.demo_site import SiteTruth
from crawler.distributed.frontier import Frontier
from tests.crawl.run_cli import CliRun
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import publish, seeded_site, start_worker

UNIQUE_KINDS = ("original", "orphan")


@pytest.fixture(scope="module")
def killed_run(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory,
               ) -> tuple[SiteTruth, CliRun, CliRun, CliRun]:
    """Two workers; one is SIGKILLed once the site has served 150 requests and it holds
    requests in flight (on a busy machine it may start after the other has served them)."""
    workdir = tmp_path_factory.mktemp("worker-death")
    redis_url, out = redis_server.url(41), workdir / "exports"
    with seeded_site(workdir, redis_url, out, 500) as (server, truth):
        victim, survivor = (start_worker(redis_url, truth, out) for _ in range(2))
        frontier = Frontier(redis_server.client(41))
        pending = frontier.pending(f"{socket.gethostname()}-{victim.process.pid}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
                len(server.requests) < 150 or not frontier.server.hlen(pending)):
            time.sleep(0.02)
        victim.process.send_signal(signal.SIGKILL)
        killed, finished = victim.wait(), survivor.wait()
    return truth, killed, finished, publish(redis_url, out)


def test_the_killed_worker_died_mid_crawl_and_the_other_finished(killed_run: tuple[SiteTruth, CliRun, CliRun,
                                                                                   CliRun]) -> None:
    _, killed, finished, published = killed_run
    assert killed.code == -signal.SIGKILL
    assert finished.code == 0, finished.stderr[-3000:]
    assert published.code == 0, published.stderr[-3000:]


def test_the_dead_workers_requests_in_flight_were_requeued(killed_run: tuple[SiteTruth, CliRun, CliRun,
                                                                             CliRun]) -> None:
    assert killed_run[3].stats.get("healthcrawl/distributed/requeued", 0) > 0


def test_after_publish_no_article_is_missing_or_doubled(killed_run: tuple[SiteTruth, CliRun, CliRun,
                                                                          CliRun]) -> None:
    truth, killed, _, published = killed_run
    expected = {canonicalize_url(r["url"], truth.host_aliases) for r in truth.iter_records()
                if r["kind"] in UNIQUE_KINDS}
    articles = pd.read_parquet(Path(published.out) / "latest" / "articles.parquet")
    counts = Counter(articles["canonical_url"])
    # With the killed worker's log: once, on a loaded machine, it had published a page its
    # robots.txt forbids, which its log should explain.
    assert set(counts) == expected, killed.stderr[-4000:]
    assert max(counts.values()) == 1
    sections = pd.read_parquet(Path(published.out) / "latest" / "sections.parquet")
    assert not sections.duplicated(["article_key", "position"]).any()
