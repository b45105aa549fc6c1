"""The short drop log line: reason and URL, never the item's repr."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.logformatter import LogFormatterResult

from pipelines.dedup import DuplicateDropped
from pipelines.log_formatter import MAX_REASON_CHARS, ShortDropLogFormatter, drop_line
from pipelines.tables import DuplicateRow
from tests.pipelines.conftest import build_record

ROW = DuplicateRow(
    article_key="demo:2",
    url="https://demo.test/p/2.html",
    canonical_url="https://demo.test/p/2.html",
    duplicate_of="demo:1",
    reason="near",
    similarity=0.9375,
)


@pytest.fixture
def spider(crawler_factory: Callable[..., Crawler]) -> Spider:
    crawler = crawler_factory()
    spider = Spider("test")
    spider.crawler = crawler
    return spider


def message(result: LogFormatterResult) -> str:
    return result["msg"] % result["args"]


def test_duplicate_drop_is_one_short_line_at_the_exception_level(spider: Spider) -> None:
    record = build_record(n=2)
    result = ShortDropLogFormatter().dropped(record, DuplicateDropped(ROW), None, spider)
    assert result["level"] == logging.INFO
    text = message(result)
    assert text == "Dropped: near duplicate of demo:1 (similarity 0.938): https://demo.test/p/2.html"
    assert "Symptom text" not in text


def test_drop_without_url_in_the_reason_gets_the_item_url() -> None:
    assert drop_line({"url": "https://demo.test/p/3.html"}, DropItem("missing_title")) == (
        "missing_title: https://demo.test/p/3.html"
    )


def test_item_without_url_logs_the_reason_alone() -> None:
    assert drop_line(object(), DropItem("not an article record:\n  'x'")) == "not an article record: 'x'"


def test_long_reason_is_cut() -> None:
    line = drop_line(object(), DropItem("x" * 1000))
    assert len(line) == MAX_REASON_CHARS
    assert line.endswith("…")


def test_exception_without_message_logs_its_class() -> None:
    assert drop_line(object(), DropItem("")) == "DropItem"
