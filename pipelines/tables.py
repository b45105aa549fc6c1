"""The exported tables: one declaration (``TABLES``) from which each table's pyarrow schema
(``SCHEMAS``) and its rows (``record_to_rows``, ``DuplicateRow.to_row``) are built.

A table is a tuple of ``Column`` (name, pyarrow type, nullability, and a function that
reads the value) and the sources of its rows: an article's child tables have one row per
section, item or recommendation, keyed by ``article_key`` (plus ``position`` for order,
and ``section_position`` for section items). Adding a column is one line here, plus its
line in ``exports/README.md`` (the data dictionary, which ``tests/pipelines/test_readme.py``
checks against ``SCHEMAS``).

Rows are plain dicts whose values already have the schema's Python types (``datetime``
for timestamps, ``list[str]`` for list columns), so writers never convert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from core.records import SCHEMA_VERSION, ArticleRecord, Recommendation, Section

Row = dict[str, Any]


def parse_utc(value: str) -> datetime:
    """An ISO-8601 time as an aware UTC datetime; a time without zone is taken as UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def publication_date(value: str | None) -> date | None:
    """The date of an ISO-8601 date or datetime as a page states it (``2021-03-08``,
    ``2021-03-08T10:00``): a date column is a date in every format and database, so
    analysts compare and group it without parsing text; None when there is no date."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its name and pyarrow type, and how its value is read."""

    name: str
    type: pa.DataType
    value: Callable[..., Any]
    """Reads the value from one row's sources (what the table's ``sources`` yields), as the
    schema's Python type (``datetime`` for timestamps, ``list`` for list columns)."""
    nullable: bool = False


def _one_row(source: Any) -> Iterator[tuple[Any, ...]]:
    yield (source,)


@dataclass(frozen=True, slots=True)
class Table:
    """A table's columns, in file order, and the sources of its rows."""

    name: str
    columns: tuple[Column, ...]
    sources: Callable[[Any], Iterable[tuple[Any, ...]]] = _one_row
    """One tuple a row: what each column's ``value`` is called with. By default one row of
    the object itself (a record's ``articles`` row, a ``duplicates`` row)."""

    def rows(self, source: Any) -> list[Row]:
        """The table's rows for ``source`` (a record, or a duplicate)."""
        columns = [(column.name, column.value) for column in self.columns]
        return [{name: value(*row) for name, value in columns} for row in self.sources(source)]

    def append_rows(self, source: Any, columns: Mapping[str, list[Any]]) -> int:
        """Append the values of :meth:`rows` to ``columns`` (a list per column name), a
        row's cell to each list, without making a dict a row (which cost the table
        writer three times the appends); returns how many rows."""
        cells = [(columns[column.name].append, column.value) for column in self.columns]
        count = 0
        for row in self.sources(source):
            for append, value in cells:
                append(value(*row))
            count += 1
        return count


_STR = pa.string()
_INT = pa.int32()
_LIST = pa.list_(pa.string())
_TIME = pa.timestamp("us", tz="UTC")
_DATE = pa.date32()


def _changed(source: tuple[ArticleRecord, str]) -> Iterator[tuple[ArticleRecord, str]]:
    yield source


def _sections(record: ArticleRecord) -> Iterator[tuple[str, Section]]:
    key = record.article_key
    return ((key, section) for section in record.sections)


def _section_items(record: ArticleRecord) -> Iterator[tuple[str, Section, int, str]]:
    key = record.article_key
    return ((key, section, position, item) for section in record.sections
            for position, item in enumerate(section.items))


def _prevention(record: ArticleRecord) -> Iterator[tuple[str, int, str]]:
    key = record.article_key
    return ((key, position, item) for position, item in enumerate(record.prevention))


def _recommendations(record: ArticleRecord) -> Iterator[tuple[str, int, Recommendation]]:
    key = record.article_key
    return ((key, position, item) for position, item in enumerate(record.recommendations))


ARTICLE_TABLES = (
    Table("articles", (
        Column("article_key", _STR, lambda r, change: r.article_key),
        Column("site", _STR, lambda r, change: r.site),
        Column("url", _STR, lambda r, change: r.url),
        Column("canonical_url", _STR, lambda r, change: r.canonical_url),
        Column("article_id", _STR, lambda r, change: r.article_id, nullable=True),
        Column("title", _STR, lambda r, change: r.title),
        Column("summary", _STR, lambda r, change: r.summary, nullable=True),
        Column("symptoms", _STR, lambda r, change: r.symptoms, nullable=True),
        Column("published_at", _DATE, lambda r, change: publication_date(r.published_at), nullable=True),
        Column("language", _STR, lambda r, change: r.language, nullable=True),
        Column("word_count", _INT, lambda r, change: r.word_count),
        Column("content_hash", _STR, lambda r, change: r.content_hash),
        Column("fetched_at", _TIME, lambda r, change: parse_utc(r.fetched_at)),
        Column("http_status", _INT, lambda r, change: r.http_status),
        Column("prev_url", _STR, lambda r, change: r.prev_article and r.prev_article.url, nullable=True),
        Column("prev_title", _STR, lambda r, change: r.prev_article and r.prev_article.title, nullable=True),
        Column("next_url", _STR, lambda r, change: r.next_article and r.next_article.url, nullable=True),
        Column("next_title", _STR, lambda r, change: r.next_article and r.next_article.title, nullable=True),
        Column("breadcrumbs", _LIST, lambda r, change: list(r.breadcrumbs)),
        Column("section_count", _INT, lambda r, change: len(r.sections)),
        Column("prevention_count", _INT, lambda r, change: len(r.prevention)),
        Column("recommendation_count", _INT, lambda r, change: len(r.recommendations)),
        Column("parse_warnings", _LIST, lambda r, change: list(r.parse_warnings)),
        Column("change", _STR, lambda r, change: change),
    ), _changed),
    Table("sections", (
        Column("article_key", _STR, lambda key, section: key),
        Column("position", _INT, lambda key, section: section.position),
        Column("number", _STR, lambda key, section: section.number, nullable=True),
        Column("heading", _STR, lambda key, section: section.heading),
        Column("kind", _STR, lambda key, section: section.kind),
        Column("text", _STR, lambda key, section: section.text),
        Column("item_count", _INT, lambda key, section: len(section.items)),
    ), _sections),
    Table("section_items", (
        Column("article_key", _STR, lambda key, section, position, item: key),
        Column("section_position", _INT, lambda key, section, position, item: section.position),
        Column("position", _INT, lambda key, section, position, item: position),
        Column("text", _STR, lambda key, section, position, item: item),
    ), _section_items),
    Table("prevention", (
        Column("article_key", _STR, lambda key, position, item: key),
        Column("position", _INT, lambda key, position, item: position),
        Column("text", _STR, lambda key, position, item: item),
    ), _prevention),
    Table("recommendations", (
        Column("article_key", _STR, lambda key, position, item: key),
        Column("position", _INT, lambda key, position, item: position),
        Column("title", _STR, lambda key, position, item: item.title),
        Column("url", _STR, lambda key, position, item: item.url),
        Column("snippet", _STR, lambda key, position, item: item.snippet, nullable=True),
        Column("truncated", pa.bool_(), lambda key, position, item: item.truncated),
    ), _recommendations),
)
"""The tables one ``ArticleRecord`` fills (``record_to_rows``)."""
ARTICLES = ARTICLE_TABLES[0]

DUPLICATES = Table("duplicates", (
    Column("article_key", _STR, lambda d: d.article_key),
    Column("url", _STR, lambda d: d.url),
    Column("canonical_url", _STR, lambda d: d.canonical_url),
    Column("duplicate_of", _STR, lambda d: d.duplicate_of),
    Column("reason", _STR, lambda d: d.reason),
    Column("similarity", pa.float64(), lambda d: d.similarity),
))
"""The table of dropped copies, one row per ``DuplicateRow``."""

REMOVED = Table("removed", (
    Column("article_key", _STR, lambda r: r.article_key),
    Column("url", _STR, lambda r: r.url),
    Column("canonical_url", _STR, lambda r: r.canonical_url),
    Column("reason", _STR, lambda r: r.reason),
    Column("published_in", _STR, lambda r: r.published_in),
))
"""Published articles a run found gone, one row per ``pipelines.state.Removal``."""

TABLES = (*ARTICLE_TABLES, DUPLICATES, REMOVED)
"""Every table, in publication order."""


ROW_ORDER: Mapping[str, tuple[str, ...]] = {
    "articles": ("article_key",),
    "sections": ("article_key", "position"),
    "section_items": ("article_key", "section_position", "position"),
    "prevention": ("article_key", "position"),
    "recommendations": ("article_key", "position"),
    "duplicates": ("article_key", "url", "duplicate_of", "reason"),
    "removed": ("article_key",),
}
"""The columns each table's rows are ordered by in a publication (``pipelines.row_order``);
for the article tables, their key: one row per value."""


TABLES_VERSION = 2
"""Version of the tables' layout (their columns and types), which files and databases
written by an older layout are checked against: 2, ``articles.published_at`` is a date."""


def table_schema(table: Table) -> pa.Schema:
    """The table's pyarrow schema; Parquet files keep its metadata, so a file found alone
    still says what it holds."""
    return pa.schema(
        [pa.field(column.name, column.type, nullable=column.nullable) for column in table.columns],
        metadata={"schema_version": str(SCHEMA_VERSION), "tables_version": str(TABLES_VERSION),
                  "table": table.name},
    )


SCHEMAS: Mapping[str, pa.Schema] = {table.name: table_schema(table) for table in TABLES}
"""Every table's schema, in publication order; metadata carries ``schema_version``."""


CHANGES = ("new", "updated", "unchanged")
"""Values of ``articles.change``: the article against what ``latest`` held before the run."""


def record_to_rows(record: ArticleRecord, change: str = "new") -> dict[str, list[Row]]:
    """Split one record into rows of every article table (lists may be empty)."""
    return {table.name: table.rows(source) for table, source in article_sources(record, change)}


def article_sources(record: ArticleRecord, change: str = "new") -> tuple[tuple[Table, Any], ...]:
    """Each article table, with what its rows of ``record`` are read from (:meth:`Table.rows`)."""
    return ((ARTICLES, (record, change)), *((table, record) for table in ARTICLE_TABLES[1:]))


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateRow:
    """One dropped copy: a row of the ``duplicates`` table."""

    article_key: str
    url: str
    canonical_url: str
    duplicate_of: str
    reason: str
    similarity: float

    def to_row(self) -> Row:
        """The row as the ``duplicates`` schema expects it."""
        return DUPLICATES.rows(self)[0]
