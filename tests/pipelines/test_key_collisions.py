"""Keys that collide or copies that point at themselves: dedup and retraction never delete
an unrelated article, never call it a copy, and never loop."""

from __future__ import annotations

import logging
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pandas as pd
import pytest
from scrapy.crawler import Crawler

from core.records import ArticleRecord
from crawler.parsing import parse_article
from pipelines.dedup import DedupPipeline, DuplicateDropped
from pipelines.tables import DuplicateRow
from pipelines.tableset import TableSet
from tests.pipelines.conftest import build_record


@contextmanager
def hang_guard(seconds: float = 20) -> Iterator[None]:
    """Turn a loop that never ends into a failure (the loops these tests guard against
    ran forever)."""
    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s: a loop that never ends")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def crawler(crawler_factory: Callable[..., Crawler]) -> Crawler:
    return crawler_factory()


def article(url: str, key: str, text: str) -> ArticleRecord:
    """A record at ``url`` under ``key`` whose body and hash are ``text``'s."""
    return build_record(article_key=key, url=url, canonical_url=url, content_hash=text,
                        summary=f"{text} " * 40, sections=[])


def publish(stage: DedupPipeline, folder: Path, records: list[ArticleRecord]) -> list[DuplicateRow]:
    """Run ``records`` through dedup and the tables as a crawl does: kept records
    written, superseded ones retracted; returns the duplicates rows."""
    rows: list[DuplicateRow] = []
    successors: dict[str, str] = {}

    def superseded(row: DuplicateRow) -> None:
        rows.append(row)
        successors[row.article_key] = row.duplicate_of

    stage.on_superseded = superseded
    tables = TableSet(folder, ["csv"])
    tables.open()
    for record in records:
        try:
            tables.write_record(stage.check(record))
        except DuplicateDropped as dropped:
            rows.append(dropped.row)
    tables.close()
    tables.retract(successors)
    return rows


def published_urls(folder: Path) -> list[str]:
    return sorted(pd.read_csv(folder / "articles.csv")["url"])


def test_a_copy_superseding_one_of_two_articles_with_one_key_leaves_the_other_published(
        crawler: Crawler, tmp_path: Path) -> None:
    news = article("https://h.test/news/12345", "h.test:12345", "news")
    drugs = article("https://h.test/drugs/12345", "h.test:12345", "drugs")
    copy = article("https://h.test/a/drugs/12345", "h.test:a/drugs/12345", "drugs")
    with hang_guard():
        rows = publish(DedupPipeline(crawler.stats), tmp_path, [news, drugs, copy])
    assert published_urls(tmp_path) == [copy.url, news.url]
    assert [(row.url, row.reason, row.duplicate_of) for row in rows] == [
        (drugs.url, "exact", copy.article_key)]


def test_the_second_article_with_a_taken_key_gets_a_key_of_its_own(
        crawler: Crawler, caplog: pytest.LogCaptureFixture) -> None:
    stage = DedupPipeline(crawler.stats)
    first = stage.check(article("https://h.test/news/12345", "h.test:12345", "news"))
    with caplog.at_level(logging.WARNING):
        second = stage.check(article("https://h.test/drugs/12345", "h.test:12345", "drugs"))
    assert first.article_key == "h.test:12345"
    assert re.fullmatch(r"h\.test:12345~[0-9a-f]{8}", second.article_key)
    assert crawler.stats.get_value("healthcrawl/dedup/key_collision") == 1
    assert "https://h.test/drugs/12345" in caplog.text


def test_the_same_article_met_again_under_its_key_keeps_its_key(crawler: Crawler) -> None:
    stage = DedupPipeline(crawler.stats)
    stage.check(article("https://h.test/news/12345", "h.test:news/12345", "news"))
    with pytest.raises(DuplicateDropped) as dropped:
        stage.check(article("https://h.test/news/12345?page=1", "h.test:news/12345", "news"))
    assert (dropped.value.row.article_key, dropped.value.row.duplicate_of) == (
        "h.test:news/12345", "h.test:news/12345")


def test_a_copy_under_its_own_key_that_sorts_first_is_dropped_not_its_own_successor(
        crawler: Crawler, tmp_path: Path) -> None:
    news = article("https://h.test/news/12345", "h.test:news/12345", "news")
    amp = article("https://h.test/amp/news/12345", "h.test:news/12345", "news")
    later = article("https://h.test/news/99999", "h.test:news/99999", "news")
    with hang_guard():
        rows = publish(DedupPipeline(crawler.stats), tmp_path, [news, amp, later])
    assert published_urls(tmp_path) == [news.url]
    assert [(row.url, row.duplicate_of) for row in rows] == [
        (amp.url, news.article_key), (later.url, news.article_key)]


def test_amp_copy_of_a_parsed_page_is_caught_as_the_same_article(crawler: Crawler) -> None:
    page = ("<html><body><h1>Flu</h1>" + "<p>Rest, drink water and stay home a few days.</p>" * 12
            + "</body></html>")
    stage = DedupPipeline(crawler.stats)
    with hang_guard():
        stage.check(parse_article(page, "https://h.test/news/12345"))
        with pytest.raises(DuplicateDropped) as dropped:
            stage.check(parse_article(page, "https://h.test/amp/news/12345"))
    assert dropped.value.row.duplicate_of == "h.test:news/12345"
