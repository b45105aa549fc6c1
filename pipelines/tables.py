"""The exported tables: one typed pyarrow schema each, and the pure record-to-rows split.

``record_to_rows`` unnests one record into rows of the child tables, keyed by
``article_key`` (plus ``position`` for order, and ``section_position`` for section items).
Rows are plain dicts whose values already have the schema's Python types (``datetime``
for timestamps, ``list[str]`` for list columns), so writers never convert.
``exports/README.md`` documents every column and is tested against these schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from core.records import SCHEMA_VERSION, ArticleRecord, Link

Row = dict[str, Any]

_STR = pa.string()
_INT = pa.int32()
_LIST = pa.list_(pa.string())


def _schema(table: str, *fields: pa.Field) -> pa.Schema:
    # Parquet files keep this metadata, so a file found alone still says what it holds.
    return pa.schema(fields, metadata={"schema_version": str(SCHEMA_VERSION), "table": table})


SCHEMAS: Mapping[str, pa.Schema] = {
    "articles": _schema(
        "articles",
        pa.field("article_key", _STR, nullable=False),
        pa.field("site", _STR, nullable=False),
        pa.field("url", _STR, nullable=False),
        pa.field("canonical_url", _STR, nullable=False),
        pa.field("article_id", _STR),
        pa.field("title", _STR, nullable=False),
        pa.field("summary", _STR),
        pa.field("symptoms", _STR),
        pa.field("published_at", _STR),
        pa.field("language", _STR),
        pa.field("word_count", _INT, nullable=False),
        pa.field("content_hash", _STR, nullable=False),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("http_status", _INT, nullable=False),
        pa.field("prev_url", _STR),
        pa.field("prev_title", _STR),
        pa.field("next_url", _STR),
        pa.field("next_title", _STR),
        pa.field("breadcrumbs", _LIST, nullable=False),
        pa.field("section_count", _INT, nullable=False),
        pa.field("prevention_count", _INT, nullable=False),
        pa.field("recommendation_count", _INT, nullable=False),
        pa.field("parse_warnings", _LIST, nullable=False),
    ),
    "sections": _schema(
        "sections",
        pa.field("article_key", _STR, nullable=False),
        pa.field("position", _INT, nullable=False),
        pa.field("number", _STR),
        pa.field("heading", _STR, nullable=False),
        pa.field("kind", _STR, nullable=False),
        pa.field("text", _STR, nullable=False),
        pa.field("item_count", _INT, nullable=False),
    ),
    "section_items": _schema(
        "section_items",
        pa.field("article_key", _STR, nullable=False),
        pa.field("section_position", _INT, nullable=False),
        pa.field("position", _INT, nullable=False),
        pa.field("text", _STR, nullable=False),
    ),
    "prevention": _schema(
        "prevention",
        pa.field("article_key", _STR, nullable=False),
        pa.field("position", _INT, nullable=False),
        pa.field("text", _STR, nullable=False),
    ),
    "recommendations": _schema(
        "recommendations",
        pa.field("article_key", _STR, nullable=False),
        pa.field("position", _INT, nullable=False),
        pa.field("title", _STR, nullable=False),
        pa.field("url", _STR, nullable=False),
        pa.field("snippet", _STR),
        pa.field("truncated", pa.bool_(), nullable=False),
    ),
    "duplicates": _schema(
        "duplicates",
        pa.field("article_key", _STR, nullable=False),
        pa.field("url", _STR, nullable=False),
        pa.field("canonical_url", _STR, nullable=False),
        pa.field("duplicate_of", _STR, nullable=False),
        pa.field("reason", _STR, nullable=False),
        pa.field("similarity", pa.float64(), nullable=False),
    ),
}
"""Every table's schema, in publication order; metadata carries ``schema_version``."""


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
        return asdict(self)


def parse_utc(value: str) -> datetime:
    """An ISO-8601 time as an aware UTC datetime; a time without zone is taken as UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def record_to_rows(record: ArticleRecord) -> dict[str, list[Row]]:
    """Split one record into rows of every article table (lists may be empty)."""
    key = record.article_key
    return {
        "articles": [_article_row(record)],
        "sections": [
            {
                "article_key": key,
                "position": section.position,
                "number": section.number,
                "heading": section.heading,
                "kind": section.kind,
                "text": section.text,
                "item_count": len(section.items),
            }
            for section in record.sections
        ],
        "section_items": [
            {"article_key": key, "section_position": section.position, "position": i, "text": text}
            for section in record.sections
            for i, text in enumerate(section.items)
        ],
        "prevention": [
            {"article_key": key, "position": i, "text": text} for i, text in enumerate(record.prevention)
        ],
        "recommendations": [
            {
                "article_key": key,
                "position": i,
                "title": item.title,
                "url": item.url,
                "snippet": item.snippet,
                "truncated": item.truncated,
            }
            for i, item in enumerate(record.recommendations)
        ],
    }


def _article_row(record: ArticleRecord) -> Row:
    return {
        "article_key": record.article_key,
        "site": record.site,
        "url": record.url,
        "canonical_url": record.canonical_url,
        "article_id": record.article_id,
        "title": record.title,
        "summary": record.summary,
        "symptoms": record.symptoms,
        "published_at": record.published_at,
        "language": record.language,
        "word_count": record.word_count,
        "content_hash": record.content_hash,
        "fetched_at": parse_utc(record.fetched_at),
        "http_status": record.http_status,
        **_link_columns("prev", record.prev_article),
        **_link_columns("next", record.next_article),
        "breadcrumbs": list(record.breadcrumbs),
        "section_count": len(record.sections),
        "prevention_count": len(record.prevention),
        "recommendation_count": len(record.recommendations),
        "parse_warnings": list(record.parse_warnings),
    }


def _link_columns(prefix: str, link: Link | None) -> Row:
    return {
        f"{prefix}_url": link.url if link else None,
        f"{prefix}_title": link.title if link else None,
    }
