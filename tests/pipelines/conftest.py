"""Fixtures for the pipeline tests: records built by hand, golden records, crawlers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from core.records import ArticleRecord, Link, Recommendation, Section
from tests.conftest import GOLDEN

MakeRecord = Callable[..., ArticleRecord]


def build_record(**overrides: Any) -> ArticleRecord:
    """A complete, valid record; keyword arguments replace fields."""
    number = overrides.pop("n", 1)
    values: dict[str, Any] = {
        "article_key": f"demo:{number}",
        "site": "demo",
        "url": f"https://demo.test/p/{number}.html",
        "canonical_url": f"https://demo.test/p/{number}.html",
        "article_id": str(number),
        "title": f"Article {number}",
        "summary": f"Summary of article {number} about health and sleep.",
        "sections": [
            Section(
                position=0,
                number="1",
                heading="Symptoms",
                kind="symptoms",
                text=f"Symptom text {number}.",
                items=["Fever", "Cough"],
            ),
            Section(
                position=1,
                number="2",
                heading="Prevention",
                kind="prevention",
                text="",
                items=["Wash hands.", "Sleep well."],
            ),
        ],
        "symptoms": f"Symptom text {number}.\n\nFever\n\nCough",
        "prevention": ["Wash hands.", "Sleep well."],
        "recommendations": [
            Recommendation(
                title="Other", url="https://demo.test/p/9.html", snippet="A teaser", truncated=True
            ),
        ],
        "prev_article": Link(title="Previous one", url="https://demo.test/p/0.html"),
        "next_article": None,
        "breadcrumbs": ["Home", "Health"],
        "published_at": "2024-05-01",
        "language": "en",
        "word_count": 20,
        "content_hash": f"hash-{number}",
        "fetched_at": "2024-05-02T10:00:00+00:00",
        "http_status": 200,
        "parse_warnings": [],
    }
    values.update(overrides)
    return ArticleRecord(**values)


@pytest.fixture
def make_record() -> MakeRecord:
    return build_record


def golden_records() -> list[ArticleRecord]:
    """Every golden page parsed by ``crawler.parsing.parse_article`` (empty without it)."""
    try:
        from crawler.parsing import parse_article
    except ImportError:
        return []
    records = []
    for spec_path in sorted(GOLDEN.glob("*.json")):
        url = json.loads(spec_path.read_text(encoding="utf-8"))["url"]
        html = spec_path.with_suffix(".html").read_bytes()
        records.append(parse_article(html, url, fetched_at="2024-05-02T10:00:00+00:00"))
    return records


@pytest.fixture(scope="session")
def golden() -> list[ArticleRecord]:
    records = golden_records()
    if not records:
        pytest.skip("crawler.parsing.parse_article or the golden pages are not available")
    return records


@pytest.fixture
def crawler_factory() -> Callable[..., Crawler]:
    def factory(**settings: Any) -> Crawler:
        return get_crawler(settings_dict=settings)

    return factory
