"""The record's parts made by compiled code (``crawler.parsing.record_parts``) are the
objects their dataclass constructors make: every field set, each to the value given."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pytest

from core.records import ArticleRecord, Link, Recommendation, Section
from crawler.parsing import record_parts

LINK: dict[str, Any] = {"title": "Flu", "url": "https://www.example.org/flu"}
ENTRY: dict[str, Any] = {"title": "Cold", "url": "https://www.example.org/cold", "snippet": "Rest and fluids",
                         "truncated": True}
SECTION: dict[str, Any] = {"position": 1, "number": "2", "heading": "Prevention", "kind": "prevention",
                           "text": "Wash.", "items": ["Rest", "Drink water"]}
RECORD: dict[str, Any] = {
    "article_key": "example.org:12345", "site": "example.org", "url": "https://www.example.org/12345",
    "canonical_url": "https://www.example.org/12345", "article_id": "12345", "title": "Flu",
    "summary": "What flu is.", "sections": [Section(**SECTION)], "symptoms": None, "prevention": ["Rest"],
    "recommendations": [Recommendation(**ENTRY)], "prev_article": Link(**LINK), "next_article": None,
    "breadcrumbs": ["Home", "Health"], "published_at": "2024-04-23", "language": "en", "word_count": 7,
    "content_hash": "0" * 64, "fetched_at": "2024-04-23T10:00:00+00:00", "http_status": 200,
    "parse_warnings": ["no_symptoms_section"],
}
CASES = [
    pytest.param(Link, record_parts.new_link, LINK, id="link"),
    pytest.param(Recommendation, record_parts.new_recommendation, ENTRY, id="recommendation"),
    pytest.param(Section, record_parts.new_section, SECTION, id="section"),
    pytest.param(ArticleRecord, record_parts.new_record, RECORD, id="record"),
]


@pytest.mark.parametrize(("cls", "make", "values"), CASES)
def test_a_made_part_equals_the_one_its_constructor_makes(cls: type, make: Callable[..., Any],
                                                          values: dict[str, Any]) -> None:
    made = make(**values)
    assert type(made) is cls
    assert made == cls(**values)
    assert {f.name: getattr(made, f.name) for f in fields(cls)} == values


@pytest.mark.parametrize(("cls", "make", "values"), CASES)
def test_a_maker_takes_every_field_of_its_class_in_field_order(cls: type, make: Callable[..., Any],
                                                              values: dict[str, Any]) -> None:
    assert list(inspect.signature(make).parameters) == [f.name for f in fields(cls)]


@pytest.mark.parametrize(("cls", "make", "values"), CASES)
def test_a_made_part_pickles_as_its_constructors_does(cls: type, make: Callable[..., Any],
                                                      values: dict[str, Any]) -> None:
    assert pickle.dumps(make(**values)) == pickle.dumps(cls(**values))
