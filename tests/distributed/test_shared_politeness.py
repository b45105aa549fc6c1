"""Politeness holds across workers: two workers together stay within one site's budget."""

from __future__ import annotations

from pathlib import Path

from crawler.demo_site import DemoServer, generate_site
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import publish, seed, start_worker

DELAY = 0.25


def test_two_workers_together_keep_the_sites_download_delay(redis_server: RedisServer,
                                                           tmp_path: Path) -> None:
    redis_url = redis_server.url(40)
    out = tmp_path / "exports"
    server = DemoServer(tmp_path / "site", log_requests=True)
    try:
        truth = generate_site(tmp_path / "site", pages=30, base_url=server.base_url)
        server.start()
        assert seed(redis_url, truth, out).code == 0
        workers = [start_worker(redis_url, truth, out, "-s", f"DOWNLOAD_DELAY={DELAY}") for _ in range(2)]
        runs = [worker.wait() for worker in workers]
        times = sorted(server.request_times)
    finally:
        server.shutdown()
    assert [run.code for run in runs] == [0, 0], runs[0].stderr[-2000:] + runs[1].stderr[-2000:]
    published = publish(redis_url, out)
    assert published.code == 0, published.stderr
    assert all(worker["pages"] > 0 for worker in published.manifest["workers"].values())
    assert len(times) > 40
    # Any 2 seconds hold at most as many requests as the delay allows, plus the first.
    busiest = max(sum(1 for t in times[i:] if t - start < 2.0) for i, start in enumerate(times))
    assert busiest <= 2.0 / DELAY + 1
    assert times[-1] - times[0] >= 0.9 * DELAY * (len(times) - 1)
