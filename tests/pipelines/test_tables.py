"""record_to_rows: one record unnested into typed rows of every article table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from core.records import ArticleRecord
from pipelines.tables import (
    ARTICLE_TABLES,
    SCHEMAS,
    TABLES,
    Column,
    DuplicateRow,
    article_sources,
    parse_utc,
    record_to_rows,
    table_schema,
)
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


def test_a_records_values_appended_column_by_column_are_those_of_its_rows(
        golden: list[ArticleRecord]) -> None:
    """What the table writer buffers (``Table.append_rows``) is what ``Table.rows`` gives."""
    for record in golden:
        rows = record_to_rows(record, "updated")
        for table, source in article_sources(record, "updated"):
            columns: dict[str, list[object]] = {name: [] for name in SCHEMAS[table.name].names}
            assert table.append_rows(source, columns) == len(rows[table.name])
            assert columns == {name: [row[name] for row in rows[table.name]] for name in columns}


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


def test_schemas_and_rows_come_from_the_one_declaration(make_record: MakeRecord) -> None:
    assert [table.name for table in TABLES] == list(SCHEMAS)
    for table in TABLES:
        assert [(f.name, f.type, f.nullable) for f in SCHEMAS[table.name]] == [
            (c.name, c.type, c.nullable) for c in table.columns
        ]
        assert SCHEMAS[table.name].metadata == {b"schema_version": b"1", b"tables_version": b"2",
                                                b"table": table.name.encode()}
    rows = record_to_rows(make_record())
    assert list(rows) == [table.name for table in ARTICLE_TABLES]


def test_duplicate_row_has_the_duplicates_columns() -> None:
    row = DuplicateRow(article_key="demo:2", url="https://m.demo.test/p/2.html",
                       canonical_url="https://demo.test/p/2.html", duplicate_of="demo:1",
                       reason="near", similarity=0.96875).to_row()
    assert list(row) == SCHEMAS["duplicates"].names
    assert row["similarity"] == 0.96875
    assert row["duplicate_of"] == "demo:1"


def test_a_declared_column_reaches_schema_and_rows(make_record: MakeRecord) -> None:
    # Adding a column is one Column line: the schema and every row follow.
    articles, sections = ARTICLE_TABLES[0], ARTICLE_TABLES[1]
    first = Column("first_crumb", pa.string(), lambda r, change: r.breadcrumbs[0] if r.breadcrumbs else None,
                   nullable=True)
    wider = [
        replace(articles, columns=(*articles.columns, first)),
        replace(sections, columns=(*sections.columns, Column("heading_words", pa.int32(),
                                                              lambda key, s: len(s.heading.split())))),
    ]
    record = make_record()
    assert table_schema(wider[0]).names[-1] == "first_crumb"
    assert wider[0].rows((record, "new"))[0]["first_crumb"] == "Home"
    assert [row["heading_words"] for row in wider[1].rows(record)] == [
        len(section.heading.split()) for section in record.sections]
    for table, source in zip(wider, [(record, "new"), record], strict=True):
        table_rows = table.rows(source)
        assert pa.Table.from_pylist(table_rows, schema=table_schema(table)).num_rows == len(table_rows)


def test_a_missing_prev_or_next_link_reads_as_null(make_record: MakeRecord) -> None:
    row = record_to_rows(make_record())["articles"][0]
    assert (row["next_url"], row["next_title"], row["prev_title"]) == (None, None, "Previous one")


def test_child_rows_follow_their_list_order(make_record: MakeRecord) -> None:
    record = make_record()
    rows = record_to_rows(record)
    assert [row["text"] for row in rows["prevention"]] == record.prevention
    assert [row["position"] for row in rows["prevention"]] == list(range(len(record.prevention)))
    assert [(row["section_position"], row["text"]) for row in rows["section_items"]] == [
        (section.position, item) for section in record.sections for item in section.items]
