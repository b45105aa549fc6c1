"""The two dedup stores give the same answers: what the stage keeps and drops does not
depend on where it remembers the kept articles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy.crawler import Crawler

from core.minhash import MinHasher
from core.records import body_text
from pipelines.dedup import DedupPipeline, DuplicateDropped
from pipelines.dedup_store import DedupStore, DiskDedupStore, MemoryDedupStore
from tests.pipelines.test_dedup import BASE_WORDS, body_record, variant_with_estimate
from tests.pipelines.test_key_collisions import hang_guard

HASHER = MinHasher()


def outcomes(stage: DedupPipeline, store_records: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    seen = []
    superseded: list[str] = []
    stage.on_superseded = lambda row: superseded.append(row.article_key)
    for record in store_records:
        try:
            stage.check(record, HASHER.signature(body_text(record)))
            seen.append((record.article_key, "kept", ""))
        except DuplicateDropped as dropped:
            seen.append((record.article_key, dropped.row.reason, dropped.row.duplicate_of))
    return seen + [(key, "superseded", "") for key in superseded]


def records() -> list:  # type: ignore[type-arg]
    near = variant_with_estimate(0.85, 0.95)
    far = [f"other{i}" for i in range(300)]
    return [body_record(5, BASE_WORDS), body_record(9, near), body_record(3, BASE_WORDS),
            body_record(7, far), body_record(8, far), body_record(5, BASE_WORDS)]


@pytest.mark.parametrize("make", [lambda path: MemoryDedupStore(), lambda path: DiskDedupStore(path)],
                         ids=["memory", "disk"])
def test_each_store_keeps_and_drops_what_the_memory_store_does(
        make: Callable[[Path], DedupStore], crawler_factory: Callable[..., Crawler], tmp_path: Path) -> None:
    expected = outcomes(DedupPipeline(crawler_factory().stats, store=MemoryDedupStore()), records())
    assert expected[1][1] == "near" and ("demo:5", "superseded", "") in expected
    stage = DedupPipeline(crawler_factory().stats, store=make(tmp_path / "dedup.sqlite"))
    assert outcomes(stage, records()) == expected


def test_the_disk_store_is_chosen_by_a_setting_and_removes_its_file(
        crawler_factory: Callable[..., Crawler], tmp_path: Path) -> None:
    crawler = crawler_factory(HEALTHCRAWL_DEDUP_STORE="disk", HEALTHCRAWL_EXPORT_DIR=str(tmp_path))
    stage = DedupPipeline.from_crawler(crawler)
    assert isinstance(stage.store, DiskDedupStore) and stage.store.path.is_file()
    stage.close_spider()
    assert not stage.store.path.exists()


STORES = pytest.mark.parametrize(
    "make", [lambda path: MemoryDedupStore(), lambda path: DiskDedupStore(path)], ids=["memory", "disk"])


def add(store: DedupStore, key: str, n: int) -> None:
    store.add(key=key, url=f"https://h.test/{n}", canonical_url=f"https://h.test/{n}",
              content_hash=f"hash-{n}", signature=HASHER.signature(f"text {n}"))


@STORES
def test_a_key_never_becomes_its_own_successor(make: Callable[[Path], DedupStore], tmp_path: Path) -> None:
    store = make(tmp_path / "dedup.sqlite")
    add(store, "h:1", 1)
    with hang_guard():
        refused = store.supersede("h:1", key="h:1", url="https://h.test/0", canonical_url="https://h.test/0",
                                  content_hash="hash-0", signature=HASHER.signature("text 0"))
        assert refused is False
        assert (store.find_exact("hash-1"), store.find_url("https://h.test/0")) == ("h:1", "h:1")


@STORES
def test_a_succession_closing_a_loop_is_refused(make: Callable[[Path], DedupStore], tmp_path: Path) -> None:
    store = make(tmp_path / "dedup.sqlite")
    add(store, "h:1", 1)
    assert store.supersede("h:1", key="h:2", url="https://h.test/2", canonical_url="https://h.test/2",
                           content_hash="hash-2", signature=HASHER.signature("text 2")) is True
    with hang_guard():
        assert store.supersede("h:2", key="h:1", url="https://h.test/1", canonical_url="https://h.test/1",
                               content_hash="hash-1", signature=HASHER.signature("text 1")) is False
        assert (store.find_exact("hash-1"), store.find_exact("hash-2")) == ("h:2", "h:2")
