"""The Redis dedup store gives the memory store's answers, workers sharing it never both
keep one article, and an incremental run's workers tell copies of earlier runs' articles as
a one-process run does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from core.errors import InputError
from core.minhash import SIGNATURE_SCHEME, MinHasher
from core.records import ArticleRecord, body_text
from pipelines.dedup import DedupPipeline, DuplicateDropped
from pipelines.dedup_store import MemoryDedupStore
from pipelines.redis_dedup_store import RedisDedupStore
from tests.pipelines.test_dedup import BASE_WORDS, body_record
from tests.pipelines.test_dedup_store import add, outcomes, records
from tests.pipelines.test_key_collisions import hang_guard

HASHER = MinHasher()


@pytest.fixture
def crawler_factory() -> Callable[..., Crawler]:
    return lambda **settings: get_crawler(settings_dict=settings)


def store(redis_url: str) -> RedisDedupStore:
    return RedisDedupStore(redis.Redis.from_url(redis_url), "healthcrawl")


def shared_stage(crawler_factory: Callable[..., Crawler], redis_url: str) -> DedupPipeline:
    """One worker's dedup stage on the run's shared store."""
    stage = DedupPipeline(crawler_factory().stats, store=store(redis_url))
    stage.run_wide = True
    return stage


def test_the_redis_store_keeps_and_drops_what_the_memory_store_does(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    expected = outcomes(DedupPipeline(crawler_factory().stats, store=MemoryDedupStore()), records())
    assert expected[1][1] == "near" and ("demo:5", "superseded", "") in expected
    assert outcomes(DedupPipeline(crawler_factory().stats, store=store(redis_url)), records()) == expected


def test_a_copy_met_by_a_second_worker_is_dropped_as_a_duplicate_of_the_first_workers(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    first, second = (shared_stage(crawler_factory, redis_url) for _ in range(2))
    original = body_record(3, BASE_WORDS)
    first.check(original, HASHER.signature(body_text(original)))
    copy = body_record(9, BASE_WORDS)
    with pytest.raises(DuplicateDropped) as dropped:
        second.check(copy, HASHER.signature(body_text(copy)))
    assert (dropped.value.row.reason, dropped.value.row.duplicate_of) == ("near", "demo:3")


def test_a_copy_sorting_first_supersedes_the_article_another_worker_kept(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    first, second = (shared_stage(crawler_factory, redis_url) for _ in range(2))
    later = body_record(9, BASE_WORDS)
    first.check(later, HASHER.signature(body_text(later)))
    earlier = body_record(3, BASE_WORDS)
    second.check(earlier, HASHER.signature(body_text(earlier)))
    assert store(redis_url).successors() == {"demo:9": "demo:3"}


def test_a_page_met_again_under_its_own_key_is_kept_for_publish_to_settle(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    """A dead worker's request fetched again: the article it may not have written survives."""
    first, second = (shared_stage(crawler_factory, redis_url) for _ in range(2))
    article = body_record(3, BASE_WORDS)
    first.check(article, HASHER.signature(body_text(article)))
    again = second.check(body_record(3, BASE_WORDS), HASHER.signature(body_text(article)))
    assert again.article_key == "demo:3"


def test_a_succession_closing_a_loop_is_refused_in_redis_too(redis_url: str) -> None:
    shared = store(redis_url)
    add(shared, "h:1", 1)
    assert shared.supersede("h:1", key="h:2", url="https://h.test/2", canonical_url="https://h.test/2",
                            content_hash="hash-2", signature=HASHER.signature("text 2")) is True
    with hang_guard():
        assert shared.supersede("h:2", key="h:1", url="https://h.test/1", canonical_url="https://h.test/1",
                                content_hash="hash-1", signature=HASHER.signature("text 1")) is False
        assert (shared.find_exact("hash-1"), shared.find_exact("hash-2")) == ("h:2", "h:2")


def earlier_runs_published(redis_url: str, *records: ArticleRecord) -> int:
    """What ``seed --incremental`` loads: the articles earlier runs published."""
    return store(redis_url).remember((r.article_key, r.url, r.canonical_url, r.content_hash,
                                      HASHER.signature(body_text(r))) for r in records)


def worker_stage(crawler_factory: Callable[..., Crawler], redis_url: str) -> DedupPipeline:
    """One worker's dedup stage, as a worker's settings make it."""
    return DedupPipeline.from_crawler(crawler_factory(
        HEALTHCRAWL_DEDUP_STORE="redis", HEALTHCRAWL_REDIS_URL=redis_url, HEALTHCRAWL_STATE_ENABLED=False))


def check(stage: DedupPipeline, record: ArticleRecord) -> ArticleRecord:
    return stage.check(record, HASHER.signature(body_text(record)))


def test_the_articles_earlier_runs_published_are_found_as_the_memory_store_finds_them(
        redis_url: str) -> None:
    original = body_record(3, BASE_WORDS)
    assert earlier_runs_published(redis_url, original, body_record(4, [f"other{i}" for i in range(300)])) == 2
    shared, memory = store(redis_url), MemoryDedupStore()
    memory.add(key=original.article_key, url=original.url, canonical_url=original.canonical_url,
               content_hash=original.content_hash, signature=HASHER.signature(body_text(original)))
    for found in (shared, memory):
        assert found.find_url(original.canonical_url) == found.find_exact(original.content_hash) == "demo:3"
        near = found.find_near(HASHER.signature(body_text(body_record(9, BASE_WORDS))))
        assert near is not None and near.key == "demo:3"


def test_a_copy_of_an_earlier_runs_article_no_worker_met_is_kept_provisionally_for_publish(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    earlier_runs_published(redis_url, body_record(3, BASE_WORDS))
    copy = body_record(9, BASE_WORDS)
    assert check(worker_stage(crawler_factory, redis_url), copy).article_key == "demo:9"
    row = store(redis_url).provisional()["demo:9"]
    assert (row.duplicate_of, row.reason, row.url) == ("demo:3", "near", copy.url)


def test_an_earlier_runs_article_a_worker_fetched_again_makes_another_workers_copy_a_duplicate(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    earlier_runs_published(redis_url, body_record(3, BASE_WORDS))
    first, second = (worker_stage(crawler_factory, redis_url) for _ in range(2))
    assert check(first, body_record(3, BASE_WORDS)).article_key == "demo:3"
    with pytest.raises(DuplicateDropped) as dropped:
        check(second, body_record(9, BASE_WORDS))
    assert dropped.value.row.duplicate_of == "demo:3"
    assert store(redis_url).provisional() == {}


def test_a_copy_sorting_first_supersedes_the_earlier_runs_article_it_copies(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    earlier_runs_published(redis_url, body_record(9, BASE_WORDS))
    assert check(worker_stage(crawler_factory, redis_url), body_record(3, BASE_WORDS)).article_key == "demo:3"
    assert store(redis_url).successors() == {"demo:9": "demo:3"}
    assert store(redis_url).provisional() == {}


def test_a_provisional_copy_a_dead_worker_kept_stays_provisional_when_another_fetches_it_again(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    earlier_runs_published(redis_url, body_record(3, BASE_WORDS))
    dead, alive = (worker_stage(crawler_factory, redis_url) for _ in range(2))
    check(dead, body_record(9, BASE_WORDS))
    assert check(alive, body_record(9, BASE_WORDS)).article_key == "demo:9"
    assert store(redis_url).provisional()["demo:9"].duplicate_of == "demo:3"


def test_a_worker_computing_another_minhash_scheme_than_the_runs_is_refused_at_its_start(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    worker_stage(crawler_factory, redis_url)  # the first worker records its scheme
    assert redis.Redis.from_url(redis_url).get("healthcrawl:dedup:scheme") == str(SIGNATURE_SCHEME).encode()
    worker_stage(crawler_factory, redis_url)  # a second of the same version joins
    redis.Redis.from_url(redis_url).set("healthcrawl:dedup:scheme", SIGNATURE_SCHEME - 1)
    with pytest.raises(InputError, match=f"MinHash scheme {SIGNATURE_SCHEME - 1}, this healthcrawl computes"):
        worker_stage(crawler_factory, redis_url)


def test_a_run_begun_before_minhash_schemes_were_recorded_refuses_a_worker_of_this_scheme(
        crawler_factory: Callable[..., Crawler], redis_url: str) -> None:
    # Signatures in the run but no scheme: they are of scheme 1, whatever joins later.
    redis.Redis.from_url(redis_url).hset("healthcrawl:dedup:signatures", "demo:1", bytes(512))
    with pytest.raises(InputError, match="MinHash scheme 1, this healthcrawl computes"):
        worker_stage(crawler_factory, redis_url)
