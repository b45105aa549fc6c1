"""The dedup stage: URL, exact and near duplicates, the kept copy, the duplicates rows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS, LSHIndex, MinHasher
from core.records import ArticleRecord, SignedRecord, body_text
from pipelines.dedup import DedupPipeline, DuplicateDropped, url_order
from pipelines.tables import DuplicateRow
from tests.pipelines.conftest import MakeRecord, build_record

BASE_WORDS = [f"word{(i * 7919) % 4001}" for i in range(300)]
DEFAULT_HASHER = MinHasher()


def body_record(n: int, words: list[str]) -> ArticleRecord:
    """A record whose whole body is ``words`` (so its signature is that of the text)."""
    return build_record(n=n, summary=" ".join(words), sections=[])


def variant_with_estimate(
    low: float, high: float, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS
) -> list[str]:
    """The first edit of BASE_WORDS (spread words replaced) whose estimated Jaccard with it
    is in ``[low, high)`` and that shares an LSH band with it, so the index verifies it."""
    hasher = MinHasher(bands * rows)
    index = LSHIndex(threshold=low, bands=bands, rows=rows)
    index.add(hasher.signature(" ".join(BASE_WORDS)), "base")
    for offset in range(10):
        for changed in range(1, 100):
            words = BASE_WORDS.copy()
            for i in range(changed):
                words[(i * 37 + offset) % len(words)] = f"edit{offset}x{i}"
            match = index.nearest(hasher.signature(" ".join(words)))
            if match is not None and match.similarity < high:
                return words
    raise AssertionError(f"no variant with estimated Jaccard in [{low}, {high})")


@pytest.fixture
def crawler(crawler_factory: Callable[..., Crawler]) -> Crawler:
    return crawler_factory()


@pytest.fixture
def stage(crawler: Crawler) -> DedupPipeline:
    return DedupPipeline.from_crawler(crawler)


def feed(stage: DedupPipeline, records: list[ArticleRecord]) -> tuple[list[str], list[DuplicateRow]]:
    """Kept article_keys (in the end) and duplicates rows after passing ``records`` in order;
    a superseded copy leaves the kept list and becomes a row, as the export stage does."""
    kept: list[str] = []
    rows: list[DuplicateRow] = []
    stage.on_superseded = rows.append
    for record in records:
        try:
            kept.append(stage.check(record).article_key)
        except DuplicateDropped as dropped:
            rows.append(dropped.row)
    superseded = {row.article_key for row in rows}
    return [key for key in kept if key not in superseded], rows


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(f"healthcrawl/dedup/{name}")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://demo.test/p/1.html", "http://DEMO.test:80/p/1.html#top", True),
        ("https://demo.test/p/1.html", "https://demo.test/p/1.html?utm_source=x&spm=1", True),
        ("https://demo.test/list/", "https://demo.test/list/index.html", True),
        ("https://demo.test/s?b=2&a=1", "https://demo.test/s?a=1&b=2", True),
        ("https://m.demo.test/p/1.html", "https://demo.test/p/1.html", True),
        ("https://demo.test/p/1.html", "https://demo.test/p/2.html", False),
        ("https://demo.test/s?a=1", "https://demo.test/s?a=2", False),
        ("https://demo.test/p/1.html", "https://other.test/p/1.html", False),
    ],
)
def test_url_pairs_are_duplicates_exactly_when_canonical_forms_match(
    crawler: Crawler, first: str, second: str, same: bool
) -> None:
    stage = DedupPipeline(crawler.stats, host_aliases={"m.demo.test": "demo.test"})  # type: ignore[arg-type]
    one = build_record(n=1, url=first, canonical_url=first)
    two = build_record(n=2, url=second, canonical_url=second, summary="Unrelated text entirely.", sections=[])
    kept, rows = feed(stage, [one, two])
    assert (len(rows) == 1) is same
    if same:
        assert (rows[0].reason, rows[0].duplicate_of, rows[0].similarity) == ("url", "demo:1", 1.0)


def test_same_content_hash_under_another_url_is_an_exact_duplicate(
    stage: DedupPipeline, crawler: Crawler, make_record: MakeRecord
) -> None:
    kept, rows = feed(stage, [make_record(n=1, content_hash="h"), make_record(n=2, content_hash="h")])
    assert kept == ["demo:1"]
    assert rows == [
        DuplicateRow(
            article_key="demo:2",
            url="https://demo.test/p/2.html",
            canonical_url="https://demo.test/p/2.html",
            duplicate_of="demo:1",
            reason="exact",
            similarity=1.0,
        )
    ]
    assert (stat(crawler, "kept"), stat(crawler, "dropped/exact"), stat(crawler, "processed")) == (
        1,
        1,
        2,
    )


def test_same_body_under_a_new_title_is_a_near_duplicate_with_similarity_one(
    stage: DedupPipeline,
) -> None:
    _, rows = feed(stage, [body_record(1, BASE_WORDS), body_record(2, BASE_WORDS)])
    assert [(r.reason, r.similarity) for r in rows] == [("near", 1.0)]


def test_body_just_above_threshold_is_a_near_duplicate(stage: DedupPipeline, crawler: Crawler) -> None:
    variant = variant_with_estimate(0.8, 0.82)
    kept, rows = feed(stage, [body_record(1, BASE_WORDS), body_record(2, variant)])
    assert kept == ["demo:1"]
    assert [(r.reason, r.duplicate_of) for r in rows] == [("near", "demo:1")]
    assert 0.8 <= rows[0].similarity < 0.82
    assert stat(crawler, "dropped/near") == 1


def test_body_just_below_threshold_is_kept(stage: DedupPipeline) -> None:
    variant = variant_with_estimate(0.78, 0.8)
    kept, rows = feed(stage, [body_record(1, BASE_WORDS), body_record(2, variant)])
    assert (kept, rows) == (["demo:1", "demo:2"], [])


def test_looser_threshold_and_bands_from_settings_catch_the_farther_variant(
    crawler_factory: Callable[..., Crawler],
) -> None:
    variant = variant_with_estimate(0.6, 0.7, bands=20, rows=5)
    records = [body_record(1, BASE_WORDS), body_record(2, variant)]
    crawler = crawler_factory(
        HEALTHCRAWL_DEDUP_NEAR_THRESHOLD=0.6,
        HEALTHCRAWL_DEDUP_MINHASH_BANDS=20,
        HEALTHCRAWL_DEDUP_MINHASH_ROWS=5,
    )
    _, rows = feed(DedupPipeline.from_crawler(crawler), records)
    assert [r.reason for r in rows] == ["near"]
    assert 0.6 <= rows[0].similarity < 0.7
    assert feed(DedupPipeline.from_crawler(crawler_factory()), records)[1] == []


def test_copy_with_the_first_canonical_url_is_kept_whatever_the_arrival_order(
    crawler_factory: Callable[..., Crawler],
) -> None:
    copies = [build_record(n=10, content_hash="h"), build_record(n=9, content_hash="h")]
    for order in (copies, list(reversed(copies))):
        kept, rows = feed(DedupPipeline.from_crawler(crawler_factory()), order)
        assert kept == ["demo:9"]
        assert [(r.article_key, r.duplicate_of, r.reason) for r in rows] == [("demo:10", "demo:9", "exact")]


def test_url_order_compares_numbers_as_numbers() -> None:
    assert url_order("https://a.test/p/99.html") < url_order("https://a.test/p/100.html")
    assert url_order("https://a.test/a/p/2.html") < url_order("https://a.test/b/p/1.html")


def test_same_input_order_gives_the_same_kept_set_and_rows(
    crawler_factory: Callable[..., Crawler],
) -> None:
    records = [body_record(n, BASE_WORDS if n % 2 else variant_with_estimate(0.9, 0.95)) for n in range(6)]
    records += [build_record(n=7, content_hash="hash-0"), build_record(n=1)]
    runs = [feed(DedupPipeline.from_crawler(crawler_factory()), records) for _ in range(2)]
    assert runs[0] == runs[1]
    kept, rows = runs[0]
    assert kept == ["demo:0"]
    assert [(r.article_key, r.reason) for r in rows][-2:] == [
        ("demo:7", "exact"),
        ("demo:1", "url"),
    ]


def test_url_of_a_dropped_copy_points_at_the_kept_article(
    stage: DedupPipeline, make_record: MakeRecord
) -> None:
    _, rows = feed(
        stage,
        [
            make_record(n=1, content_hash="h"),
            make_record(n=2, content_hash="h"),
            make_record(n=2, content_hash="x"),
        ],
    )
    assert [(r.reason, r.duplicate_of) for r in rows] == [("exact", "demo:1"), ("url", "demo:1")]


def test_drop_is_logged_at_info(stage: DedupPipeline, make_record: MakeRecord) -> None:
    stage.check(make_record(n=1))
    with pytest.raises(DuplicateDropped) as raised:
        stage.check(make_record(n=1))
    assert raised.value.log_level == "INFO"


def test_stage_switched_off_is_not_configured(crawler_factory: Callable[..., Crawler]) -> None:
    with pytest.raises(NotConfigured):
        DedupPipeline.from_crawler(crawler_factory(HEALTHCRAWL_DEDUP_ENABLED=False))


def test_golden_articles_are_all_distinct(stage: DedupPipeline, golden: list[ArticleRecord]) -> None:
    kept, rows = feed(stage, golden)
    assert (len(kept), rows) == (len(golden), [])


def test_near_copy_pair_keeps_the_first_url_in_either_order_with_the_same_similarity(
    crawler_factory: Callable[..., Crawler],
) -> None:
    pair = [body_record(1, BASE_WORDS), body_record(2, variant_with_estimate(0.85, 0.95))]
    kept_a, rows_a = feed(DedupPipeline.from_crawler(crawler_factory()), pair)
    kept_b, rows_b = feed(DedupPipeline.from_crawler(crawler_factory()), list(reversed(pair)))
    assert (kept_a, [r.duplicate_of for r in rows_a]) == (["demo:1"], ["demo:1"])
    assert (kept_b, [r.duplicate_of for r in rows_b]) == (["demo:1"], ["demo:1"])
    assert rows_a[0].similarity == rows_b[0].similarity


@pytest.fixture(scope="module")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[ArticleRecord], dict[str, tuple[str, str]]]:
    """The article records of a 300-page demo site in page order, and its truth copies
    (copy URL -> reason, original URL)."""
    generator = pytest.importorskip("crawler.demo_site.generator")
    from crawler.parsing import parse_article

    truth = generator.generate_site(
        tmp_path_factory.mktemp("demo"), pages=300, seed=3, base_url="http://www.healthdemo.test:8000"
    )
    records = [
        parse_article((truth.docroot / urlsplit(row["url"]).path.lstrip("/")).read_bytes(), row["url"])
        for row in truth.iter_records()
    ]
    copies = {
        row["url"]: (row["reason"], row["duplicate_of"])
        for row in truth.iter_duplicates()
        if row["reason"] != "url"  # alias URLs are not article pages
    }
    return records, copies


def test_demo_site_copies_are_all_caught_and_nothing_else_is_dropped(
    stage: DedupPipeline, demo_site: tuple[list[ArticleRecord], dict[str, tuple[str, str]]]
) -> None:
    records, copies = demo_site
    url_of = {record.article_key: record.url for record in records}
    _, rows = feed(stage, records)
    assert {row.url: (row.reason, url_of[row.duplicate_of]) for row in rows} == copies
    near = [row.similarity for row in rows if row.reason == "near"]
    assert len(near) >= 5
    assert min(near) >= 0.9


def test_demo_site_unrelated_articles_all_estimate_below_the_threshold(
    demo_site: tuple[list[ArticleRecord], dict[str, tuple[str, str]]],
) -> None:
    # All pairs here (a test may), so a pair the LSH bands happened to miss counts too.
    records, copies = demo_site
    by_body: dict[str, int] = {}
    group = [by_body.setdefault(body_text(record), number) for number, record in enumerate(records)]
    number_of = {record.url: number for number, record in enumerate(records)}
    for copy, (_, original) in copies.items():
        group[number_of[copy]] = group[number_of[original]]
    signatures = np.stack([DEFAULT_HASHER.signature(body_text(record)) for record in records])
    groups = np.array(group)
    for number, signature in enumerate(signatures):
        agreeing = np.count_nonzero(signatures == signature, axis=1) / signatures.shape[1]
        unrelated = agreeing[groups != groups[number]]
        assert unrelated.max() < 0.6, records[number].url  # a margin of 0.2 under the threshold


def test_signature_sent_with_the_record_is_used_instead_of_computing_one(
    crawler_factory: Callable[..., Crawler],
) -> None:
    stage = DedupPipeline.from_crawler(crawler_factory(HEALTHCRAWL_WORKER_PROCESSES=0))
    first = build_record(n=1, summary="washing hands before meals keeps colds away " * 5)
    other = build_record(n=2, summary="a different text about sleeping well at night " * 5)
    asyncio.run(stage.process_item(first))
    same_as_first = MinHasher().signature(body_text(first))
    with pytest.raises(DuplicateDropped) as dropped:
        asyncio.run(stage.process_item(SignedRecord.of(other, same_as_first)))
    assert (dropped.value.row.reason, dropped.value.row.similarity) == ("near", 1.0)


def test_signature_of_the_wrong_length_sent_with_a_record_is_ignored(crawler: Crawler) -> None:
    stage = DedupPipeline.from_crawler(crawler)
    record = SignedRecord.of(build_record(n=1), MinHasher(64).signature("x"))
    assert stage.sent_signature(record) is None


def test_a_signed_record_rebuilt_without_its_signature_gets_one_computed(crawler: Crawler) -> None:
    stage = DedupPipeline.from_crawler(crawler)
    rebuilt = replace(SignedRecord.of(build_record(n=1), MinHasher().signature("x")), title="Other")
    assert stage.sent_signature(rebuilt) is None


def remembered(stage: DedupPipeline, records: list[ArticleRecord]) -> None:
    """What an earlier run published, as the state store hands it over."""
    stage.remember((r.article_key, r.url, r.canonical_url, r.content_hash,
                    DEFAULT_HASHER.signature(body_text(r))) for r in records)


def test_a_copy_of_an_earlier_runs_article_this_run_met_is_a_duplicate(stage: DedupPipeline) -> None:
    remembered(stage, [body_record(1, BASE_WORDS)])
    copy = replace(body_record(7, BASE_WORDS), content_hash="other")
    kept, rows = feed(stage, [body_record(1, BASE_WORDS), copy])
    assert kept == ["demo:1"]
    assert [(row.article_key, row.duplicate_of) for row in rows] == [("demo:7", "demo:1")]


def test_a_copy_of_an_earlier_runs_article_not_met_yet_is_kept_until_the_run_ends(
        stage: DedupPipeline) -> None:
    provisional: list[DuplicateRow] = []
    stage.on_provisional = provisional.append
    remembered(stage, [body_record(1, BASE_WORDS)])
    copy = replace(body_record(7, BASE_WORDS), content_hash="other")
    kept, rows = feed(stage, [copy])
    assert kept == ["demo:7"] and rows == []
    assert [(row.article_key, row.duplicate_of, row.reason) for row in provisional] == [
        ("demo:7", "demo:1", "near")]


def test_an_earlier_runs_article_fetched_again_is_kept_not_called_its_own_duplicate(
        stage: DedupPipeline) -> None:
    remembered(stage, [body_record(1, BASE_WORDS)])
    edited = body_record(1, variant_with_estimate(0.85, 0.95))
    kept, rows = feed(stage, [edited])
    assert kept == ["demo:1"] and rows == []


def test_an_article_the_resumed_run_kept_fetched_again_after_a_redirect_is_kept_once(
        stage: DedupPipeline) -> None:
    dead_attempt = body_record(1, BASE_WORDS)
    stage.remember([(dead_attempt.article_key, dead_attempt.url, dead_attempt.canonical_url,
                     dead_attempt.content_hash, DEFAULT_HASHER.signature(body_text(dead_attempt)))],
                   this_run=[dead_attempt.article_key])
    assert stage.check(body_record(1, BASE_WORDS)).article_key == "demo:1"
    with pytest.raises(DuplicateDropped):  # twice in this attempt: the second is a copy
        stage.check(body_record(1, BASE_WORDS))


def test_the_same_article_twice_in_one_run_is_still_a_duplicate(stage: DedupPipeline) -> None:
    remembered(stage, [body_record(1, BASE_WORDS)])
    first = body_record(1, BASE_WORDS)
    alias = replace(first, url="https://demo.test/p/1.html?page=1",
                    canonical_url="https://demo.test/p/1.html?page=1")
    _, rows = feed(stage, [first, alias])
    assert [(row.reason, row.url, row.duplicate_of) for row in rows] == [("exact", alias.url, "demo:1")]


def test_a_canonical_link_the_content_contradicts_is_not_a_url_duplicate(
        stage: DedupPipeline, crawler: Crawler) -> None:
    first = build_record(n=1, canonical_url="https://demo.test/health")
    other = build_record(n=2, canonical_url="https://demo.test/health",
                         summary="A different article about sleep and rest.", content_hash="other")
    kept, rows = feed(stage, [first, other])
    assert (kept, rows) == (["demo:1", "demo:2"], [])
    assert other.canonical_url == "https://demo.test/p/2.html"
    assert stat(crawler, "canonical_contradicted") == 1


def test_a_canonical_link_the_content_confirms_is_a_url_duplicate(stage: DedupPipeline) -> None:
    first = body_record(1, BASE_WORDS)
    copy = replace(body_record(2, BASE_WORDS), canonical_url=first.url, content_hash="other")
    _, rows = feed(stage, [first, copy])
    assert [(row.reason, row.duplicate_of) for row in rows] == [("url", "demo:1")]


def test_an_earlier_runs_article_met_at_its_url_under_a_new_key_supersedes_the_old_key(
        stage: DedupPipeline) -> None:
    remembered(stage, [replace(body_record(1, BASE_WORDS), article_key="demo:old-1")])
    kept, rows = feed(stage, [body_record(1, BASE_WORDS)])
    assert kept == ["demo:1"]
    assert [(row.article_key, row.duplicate_of, row.reason) for row in rows] == [
        ("demo:old-1", "demo:1", "url")]


def test_an_earlier_runs_article_keeps_its_key_when_another_page_with_that_key_comes_first(
        stage: DedupPipeline) -> None:
    earlier = body_record(1, BASE_WORDS)
    remembered(stage, [earlier])
    page_two = replace(body_record(1, list(reversed(BASE_WORDS))), content_hash="page two",
                       url=earlier.url + "?page=2", canonical_url=earlier.canonical_url + "?page=2")
    kept, rows = feed(stage, [page_two, earlier])
    assert rows == []  # the earlier run's article is no copy of itself
    assert kept[1] == "demo:1" and kept[0].startswith("demo:1~")
