"""``healthcrawl publish`` publishes a run only when it is finished and healthy, and never
while another run holds the output folder's lock; otherwise it says why (exit 3, 75) and
keeps the parts and the run for a later publish."""

from __future__ import annotations

from pathlib import Path

from crawler.demo_site import DemoServer, generate_site
from crawler.distributed.frontier import Frontier
from pipelines.lock import RunLock
from pipelines.parts import parts_dir
from tests.crawl.run_cli import healthcrawl
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import publish, run, seed, seeded_site, start_worker

BAD_INPUT, NOT_PUBLISHED, LOCKED = 2, 3, 75


def test_publish_refuses_a_run_with_requests_still_to_crawl(redis_server: RedisServer,
                                                            tmp_path: Path) -> None:
    redis_url = redis_server.url(42)
    server = DemoServer(tmp_path / "site")
    try:
        truth = generate_site(tmp_path / "site", pages=10, base_url=server.base_url)
        assert seed(redis_url, truth, tmp_path / "exports").code == 0
    finally:
        server.shutdown()
    result = publish(redis_url, tmp_path / "exports")
    assert result.code == NOT_PUBLISHED
    assert "not finished" in result.stderr
    assert not (tmp_path / "exports" / "latest").exists()


def test_an_unhealthy_run_is_not_published_and_can_be_published_later(redis_server: RedisServer,
                                                                      tmp_path: Path) -> None:
    redis_url, out = redis_server.url(43), tmp_path / "exports"
    with seeded_site(tmp_path, redis_url, out, 20) as (_, truth):
        assert start_worker(redis_url, truth, out).wait().code == 0
    unhealthy = run("publish", "--redis", redis_url, "--min-articles", "1000", out=out)
    assert unhealthy.code == NOT_PUBLISHED
    assert "--min-articles" in unhealthy.stderr
    assert not (out / "latest").exists()
    published = publish(redis_url, out)
    assert published.code == 0, published.stderr
    assert published.manifest["row_counts"]["articles"] > 0
    assert published.manifest["coverage"]["symptoms"] > 0


def test_publish_waits_for_a_run_holding_the_output_folders_lock(redis_server: RedisServer,
                                                                 tmp_path: Path) -> None:
    redis_url, out = redis_server.url(44), tmp_path / "exports"
    run_id = Frontier(redis_server.client(44)).seed([])  # a run whose (no) workers are done
    parts_dir(out, run_id).mkdir(parents=True)
    other_run = RunLock(out)
    other_run.acquire()
    try:
        locked = publish(redis_url, out)
    finally:
        other_run.release()
    assert locked.code == LOCKED
    assert "another run is writing" in locked.stderr
    assert not (out / "latest").exists()
    assert run("publish", "--redis", redis_url, "--min-articles", "0", out=out).code == 0


def test_an_incremental_seed_waits_for_a_run_holding_the_output_folders_lock(
        redis_server: RedisServer, tmp_path: Path) -> None:
    redis_url, out = redis_server.url(45), tmp_path / "exports"
    other_run = RunLock(out)
    other_run.acquire()
    try:
        locked = run("seed", "--redis", redis_url, "--incremental", "--out", str(out),
                     "http://www.healthdemo.test/", out=out)
    finally:
        other_run.release()
    assert locked.code == LOCKED
    assert redis_server.client(45).get("healthcrawl:run_id") is None


def test_a_worker_cannot_make_a_full_run_incremental(redis_server: RedisServer, tmp_path: Path) -> None:
    redis_url, out = redis_server.url(46), tmp_path / "exports"
    assert run("seed", "--redis", redis_url, "http://www.healthdemo.test/", out=out).code == 0
    refused = healthcrawl("crawl", "--redis", redis_url, "--incremental", "--site", "demo",
                          "--start-url", "http://www.healthdemo.test/", out=out)
    assert refused.code == BAD_INPUT
    assert "seeded as a full run" in refused.stderr
