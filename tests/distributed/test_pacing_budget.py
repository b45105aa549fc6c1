"""The site's shared budget in Redis: whoever takes a moment, moments are a delay apart,
and a site's 429/503 wait holds it for every worker."""

from __future__ import annotations

import redis

from crawler.distributed.pacing import HOLD_SITE, TAKE_MOMENT

KEY = "healthcrawl:pace:www.example.test"


def workers(redis_url: str) -> tuple[redis.Redis, redis.Redis]:
    return redis.Redis.from_url(redis_url), redis.Redis.from_url(redis_url)


def test_a_second_worker_waits_the_sites_delay_after_the_first(redis_url: str) -> None:
    first, second = workers(redis_url)
    assert first.register_script(TAKE_MOMENT)(keys=[KEY], args=[500]) == 0
    wait = second.register_script(TAKE_MOMENT)(keys=[KEY], args=[500])
    assert 450 <= wait <= 500


def test_moments_taken_at_once_by_two_workers_are_spaced_by_the_delay(redis_url: str) -> None:
    first, second = workers(redis_url)
    take_a, take_b = first.register_script(TAKE_MOMENT), second.register_script(TAKE_MOMENT)
    waits = sorted(take(keys=[KEY], args=[200]) for take in (take_a, take_b, take_a, take_b))
    assert all(later - earlier >= 190 for earlier, later in zip(waits, waits[1:], strict=False))


def test_a_sites_retry_after_holds_it_for_every_worker(redis_url: str) -> None:
    first, second = workers(redis_url)
    first.register_script(HOLD_SITE)(keys=[KEY], args=[3000])
    wait = second.register_script(TAKE_MOMENT)(keys=[KEY], args=[100])
    assert 2900 <= wait <= 3000


def test_a_site_without_a_hold_or_a_recent_request_is_free_at_once(redis_url: str) -> None:
    first, _ = workers(redis_url)
    assert first.register_script(TAKE_MOMENT)(keys=[KEY], args=[100]) == 0
