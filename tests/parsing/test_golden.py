"""Every golden page parses to its expected record, field by field."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from core.records import ArticleRecord
from tests.parsing.golden import RUN_DEPENDENT, golden_cases, golden_names, golden_page, parsed


@pytest.mark.parametrize(("page", "field"), golden_cases(), ids=[f"{p}::{f}" for p, f in golden_cases()])
def test_golden_field_matches(page: str, field: str) -> None:
    expected = golden_page(page).expected[field]
    actual = parsed(page).to_dict()[field]
    assert actual == expected, (
        f"{page} field {field!r}\n  expected: {json.dumps(expected, ensure_ascii=False)}\n"
        f"  actual:   {json.dumps(actual, ensure_ascii=False)}\n  notes: {golden_page(page).notes}"
    )


@pytest.mark.parametrize("page", golden_names())
def test_golden_record_has_no_extra_fields(page: str) -> None:
    fields = set(parsed(page).to_dict())
    assert fields == set(golden_page(page).expected) | set(RUN_DEPENDENT)


@pytest.mark.parametrize("page", golden_names())
def test_golden_article_key_is_site_and_id(page: str) -> None:
    record = parsed(page)
    assert record.site == "keepto"
    assert record.article_key == f"keepto:{golden_page(page).expected['article_id']}"


@pytest.mark.parametrize("page", golden_names())
def test_golden_record_keeps_fetched_url(page: str) -> None:
    assert parsed(page).url == golden_page(page).url


@pytest.mark.parametrize("page", golden_names())
def test_golden_word_count_counts_summary_texts_and_items(page: str) -> None:
    record = parsed(page)
    texts = [record.summary or "", *(s.text for s in record.sections),
             *(i for s in record.sections for i in s.items)]
    spaced_words = sum(len(t.split()) for t in texts)
    cjk_extra = sum(len(w) - 1 for t in texts for w in t.split() if "\u4e00" <= w[0] <= "\u9fff")
    assert record.word_count == spaced_words + cjk_extra > 0


@pytest.mark.parametrize("page", golden_names())
def test_golden_record_round_trips_through_dict(page: str) -> None:
    record = parsed(page)
    assert ArticleRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record


@pytest.mark.parametrize("page", golden_names())
def test_golden_records_dict_is_dataclasses_asdict_in_its_order_with_lists_copied(page: str) -> None:
    record = parsed(page)
    plain = record.to_dict()
    assert json.dumps(plain) == json.dumps(asdict(record))
    plain["sections"][0]["items"].append("changed")
    plain["prevention"].append("changed")
    assert record.to_dict() == asdict(record) != plain


def test_content_hashes_differ_between_golden_articles() -> None:
    hashes = {parsed(name).content_hash for name in golden_names()}
    assert len(hashes) == len(golden_names())
