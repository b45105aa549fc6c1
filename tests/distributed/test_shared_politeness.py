"""Politeness holds across workers: two workers together stay within one site's budget,
as the demo server's log of what it served shows (its own clock, start and end of each
answer): the download delay, robots.txt's Crawl-delay, the site's concurrency, and a 429's
Retry-After, which holds the site for the worker that did not get it too."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from crawler.demo_site.faults import Faults
from crawler.demo_site.server import Served
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import seeded_site, start_worker

DELAY = 0.2


def crawl_with_two_workers(redis_url: str, tmp_path: Path, pages: int, faults: str,
                           settings: Callable[[int], list[str]]) -> list[Served]:
    """Two workers (``settings(i)`` each) crawl a demo site with ``faults``, each a share;
    the site's log of the requests to its desktop host."""
    out = tmp_path / "exports"
    with seeded_site(tmp_path, redis_url, out, pages, Faults.parse(faults)) as (server, truth):
        workers = [start_worker(redis_url, truth, out, *settings(i)) for i in range(2)]
        runs = [worker.wait() for worker in workers]
        served = [s for s in server.served if s.host.startswith("www.")]
    assert [run.code for run in runs] == [0, 0], runs[0].stderr[-2000:] + runs[1].stderr[-2000:]
    shares = [json.loads(path.read_text())["response_received_count"]
              for path in (out / "parts").rglob("*.stats.json")]
    assert len(shares) == 2 and min(shares) > 0
    return served


def within_rate(times: list[float], delay: float) -> bool:
    """Any 2 seconds hold at most as many requests as ``delay`` allows (plus the first),
    and the whole crawl took at least 0.9 of the delay between each two requests."""
    times = sorted(times)
    busiest = max(sum(1 for t in times[i:] if t - start < 2.0) for i, start in enumerate(times))
    return busiest <= 2.0 / delay + 1 and times[-1] - times[0] >= 0.9 * delay * (len(times) - 1)


def most_at_once(served: list[Served]) -> int:
    """The most answers the server was working on at one moment."""
    events = sorted([(s.started, 1) for s in served] + [(s.ended, -1) for s in served])
    current = peak = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def test_two_workers_together_keep_the_sites_download_delay(redis_server: RedisServer,
                                                           tmp_path: Path) -> None:
    served = crawl_with_two_workers(redis_server.url(40), tmp_path, 10, "",
                                    lambda _: ["-s", f"DOWNLOAD_DELAY={DELAY}"])
    assert len(served) > 30
    assert within_rate([s.started for s in served], DELAY)


def test_two_workers_together_keep_robots_txts_crawl_delay(redis_server: RedisServer,
                                                           tmp_path: Path) -> None:
    crawl_delay = 0.15
    served = crawl_with_two_workers(redis_server.url(47), tmp_path, 10, f"crawl_delay={crawl_delay}",
                                    lambda _: [])
    pages = [s.started for s in served if s.path != "/robots.txt"]  # robots.txt tells the delay
    assert len(pages) > 20
    assert within_rate(pages, crawl_delay)


def test_two_workers_together_keep_the_sites_concurrency(redis_server: RedisServer,
                                                         tmp_path: Path) -> None:
    # Two requests at a time a worker: neither takes the whole queue of a small site.
    served = crawl_with_two_workers(redis_server.url(48), tmp_path, 20, "latency=0.1",
                                    lambda _: ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                                               "-s", "CONCURRENT_REQUESTS=2"])
    assert len(served) > 30
    assert most_at_once(served) <= 2


def test_a_429_to_one_worker_holds_the_site_for_the_other_until_its_retry_after(
        redis_server: RedisServer, tmp_path: Path) -> None:
    retry_after = 1.0
    faults = f"burst=1,burst_every=25,burst_status=429,retry_after={retry_after:g}"
    # Two requests at a time a worker: neither takes the whole queue of a small site.
    served = crawl_with_two_workers(redis_server.url(49), tmp_path, 20, faults,
                                    lambda i: ["-s", f"USER_AGENT=healthcrawl-worker-{i}",
                                               "-s", "CONCURRENT_REQUESTS=2"])
    held = [s for s in served if s.status == 429]
    assert held
    checked = 0
    for answer in held:
        others = [s.started for s in served if s.user_agent != answer.user_agent and s.started > answer.ended]
        # What the other worker had sent before the 429 reached it may still arrive at once.
        assert not [t for t in others if answer.ended + 0.2 < t < answer.ended + retry_after - 0.1]
        checked += bool([t for t in others if t >= answer.ended + retry_after - 0.1])
    assert checked, "the other worker made no request after a 429: nothing shows it held off"
