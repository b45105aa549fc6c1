"""record_to_rows: one record unnested into typed rows of every article table."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from core.records import ArticleRecord
from pipelines.tables import SCHEMAS, parse_utc, record_to_rows
from tests.pipelines.conftest import MakeRecord


def test_every_row_has_exactly_its_table_columns(golden: list[ArticleRecord]) -> None:
    for record in golden:
        for table, rows in record_to_rows(record).items():
            for row in rows:
                assert list(row) == SCHEMAS[table].names, table


def test_rows_convert_to_their_arrow_schema(golden: list[ArticleRecord]) -> None:
    for record in golden:
        for table, rows in record_to_rows(record).items():
            assert pa.Table.from_pylist(rows, schema=SCHEMAS[table]).num_rows == len(rows)


def test_child_rows_follow_the_record_lists(golden: list[ArticleRecord]) -> None:
    for record in golden:
        tables = record_to_rows(record)
        article = tables["articles"][0]
        assert article["section_count"] == len(tables["sections"]) == len(record.sections)
        assert article["prevention_count"] == len(tables["prevention"])
        assert article["recommendation_count"] == len(tables["recommendations"])
        assert len(tables["section_items"]) == sum(len(s.items) for s in record.sections)


def test_children_are_keyed_by_article_key_and_position(make_record: MakeRecord) -> None:
    tables = record_to_rows(make_record(n=4))
    assert [(r["article_key"], r["position"], r["text"]) for r in tables["prevention"]] == [
        ("demo:4", 0, "Wash hands."),
        ("demo:4", 1, "Sleep well."),
    ]
    assert [(r["section_position"], r["position"]) for r in tables["section_items"]] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]


def test_prev_and_next_links_become_four_columns(make_record: MakeRecord) -> None:
    article = record_to_rows(make_record())["articles"][0]
    assert (
        article["prev_url"],
        article["prev_title"],
        article["next_url"],
        article["next_title"],
    ) == (
        "https://demo.test/p/0.html",
        "Previous one",
        None,
        None,
    )


def test_recommendation_rows_keep_truncated_as_bool(make_record: MakeRecord) -> None:
    (row,) = record_to_rows(make_record())["recommendations"]
    assert row == {
        "article_key": "demo:1",
        "position": 0,
        "title": "Other",
        "url": "https://demo.test/p/9.html",
        "snippet": "A teaser",
        "truncated": True,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-02T10:00:00+00:00", datetime(2024, 5, 2, 10, tzinfo=UTC)),
        ("2024-05-02T10:00:00Z", datetime(2024, 5, 2, 10, tzinfo=UTC)),
        ("2024-05-02T12:00:00+02:00", datetime(2024, 5, 2, 10, tzinfo=UTC)),
        ("2024-05-02T10:00:00", datetime(2024, 5, 2, 10, tzinfo=UTC)),
    ],
)
def test_fetched_at_becomes_an_aware_utc_time(text: str, expected: datetime) -> None:
    assert parse_utc(text) == expected
