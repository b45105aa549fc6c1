"""The run's registry of workers: a worker taken for dead after a stall (its reactor blocked
longer than the dead-after time) is back in it with its next beat, so the requests it takes
afterwards are re-queued if it then dies, not lost."""

from __future__ import annotations

import time

import redis

from crawler.distributed.frontier import Frontier


def test_a_worker_taken_for_dead_after_a_stall_joins_again_with_its_next_beat(redis_url: str) -> None:
    stalled, other = Frontier(redis.Redis.from_url(redis_url)), Frontier(redis.Redis.from_url(redis_url))
    stalled.join("stalled", dead_after=0.2)
    stalled.server.hset(stalled.pending("stalled"), "a", "request a")
    time.sleep(0.3)
    assert other.requeue_dead() == 1
    assert b"stalled" not in other.server.smembers(other.workers)
    stalled.beat("stalled", dead_after=0.2)
    stalled.server.hset(stalled.pending("stalled"), "b", "request b")
    time.sleep(0.3)  # it dies now
    assert other.requeue_dead() == 1
    assert other.server.zcard(other.queue) == 2
