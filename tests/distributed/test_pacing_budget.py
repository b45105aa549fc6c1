"""The site's shared budget in Redis: whoever takes a turn, moments are a delay apart, a
site's 429/503 wait holds it for every worker, and no more turns are out at once than the
site's concurrency."""

from __future__ import annotations

import time
from typing import Any

import redis

from crawler.distributed.pacing import HOLD_SITE, TAKE_TURN

PACE, SLOTS = "healthcrawl:pace:www.example.test", "healthcrawl:slots:www.example.test"
LEASE_MS = 60_000


def workers(redis_url: str) -> tuple[redis.Redis, redis.Redis]:
    return redis.Redis.from_url(redis_url), redis.Redis.from_url(redis_url)


def take(server: redis.Redis, delay_ms: int, lease: str, concurrency: int = 100,
         lease_ms: int = LEASE_MS) -> Any:
    script = server.register_script(TAKE_TURN)
    return script(keys=[PACE, SLOTS], args=[delay_ms, concurrency, lease, lease_ms])


def test_a_second_worker_waits_the_sites_delay_after_the_first(redis_url: str) -> None:
    first, second = workers(redis_url)
    started = time.monotonic()
    assert take(first, 500, "a:0") == 0
    wait = take(second, 500, "b:0")
    between_ms = (time.monotonic() - started) * 1000  # at least what passed between the turns
    assert 500 - between_ms - 2 <= wait <= 500


def test_moments_taken_at_once_by_two_workers_are_spaced_by_the_delay(redis_url: str) -> None:
    first, second = workers(redis_url)
    started = time.monotonic()
    waits = sorted(take(server, 200, f"{name}:{n}")
                   for n, (name, server) in enumerate([("a", first), ("b", second)] * 2))
    taking_ms = (time.monotonic() - started) * 1000  # a wait is counted from its own turn's taking
    spacings = [later - earlier for earlier, later in zip(waits, waits[1:], strict=False)]
    assert all(spacing >= 200 - taking_ms - 2 for spacing in spacings), (spacings, taking_ms)


def test_a_sites_retry_after_holds_it_for_every_worker(redis_url: str) -> None:
    first, second = workers(redis_url)
    first.register_script(HOLD_SITE)(keys=[PACE], args=[3000])
    wait = take(second, 100, "b:0")
    assert 2900 <= wait <= 3000


def test_a_sites_retry_after_holds_it_even_without_a_delay(redis_url: str) -> None:
    first, second = workers(redis_url)
    first.register_script(HOLD_SITE)(keys=[PACE], args=[3000])
    assert 2900 <= take(second, 0, "b:0") <= 3000


def test_a_site_without_a_hold_or_a_recent_request_is_free_at_once(redis_url: str) -> None:
    first, _ = workers(redis_url)
    assert take(first, 100, "a:0") == 0


def test_no_more_turns_are_out_at_once_than_the_sites_concurrency(redis_url: str) -> None:
    first, second = workers(redis_url)
    assert take(first, 0, "a:0", concurrency=2) == 0
    assert take(second, 0, "b:0", concurrency=2) == 0
    assert take(first, 0, "a:1", concurrency=2) == -1
    first.zrem(SLOTS, "a:0")
    assert take(second, 0, "b:1", concurrency=2) == 0


def test_a_dead_workers_slot_frees_itself_when_its_lease_expires(redis_url: str) -> None:
    first, second = workers(redis_url)
    assert take(first, 0, "dead:0", concurrency=1, lease_ms=200) == 0
    assert take(second, 0, "b:0", concurrency=1) == -1
    time.sleep(0.3)
    assert take(second, 0, "b:0", concurrency=1) == 0
