"""The record and its parts, made by compiled code.

``core.records`` defines them as dataclasses, whose generated ``__init__`` is interpreted
Python however the caller is built: a frame a call, its keyword arguments bound one by
one. A long page makes some twenty (the related links, the sections, prev/next and the
record), and in the parse loop an interpreted call costs several times what it costs
alone. Here each is made as unpickling makes it (``core.records._link``): a bare instance
whose fields are set one by one, which mypyc compiles. Every field is set, so an object
made here equals the one its constructor makes (tests/parsing/test_record_parts.py).
"""

from __future__ import annotations

from core.records import ArticleRecord, Link, Recommendation, Section

_new = object.__new__


def new_link(title: str, url: str) -> Link:
    link: Link = _new(Link)
    link.title = title
    link.url = url
    return link


def new_recommendation(title: str, url: str, snippet: str | None, truncated: bool) -> Recommendation:
    entry: Recommendation = _new(Recommendation)
    entry.title = title
    entry.url = url
    entry.snippet = snippet
    entry.truncated = truncated
    return entry


def new_section(position: int, number: str | None, heading: str, kind: str, text: str,
                items: list[str]) -> Section:
    section: Section = _new(Section)
    section.position = position
    section.number = number
    section.heading = heading
    section.kind = kind
    section.text = text
    section.items = items
    return section


def new_record(*, article_key: str, site: str, url: str, canonical_url: str, article_id: str | None,
               title: str, summary: str | None, sections: list[Section], symptoms: str | None,
               prevention: list[str], recommendations: list[Recommendation], prev_article: Link | None,
               next_article: Link | None, breadcrumbs: list[str], published_at: str | None,
               language: str | None, word_count: int, content_hash: str, fetched_at: str,
               http_status: int, parse_warnings: list[str]) -> ArticleRecord:
    record: ArticleRecord = _new(ArticleRecord)
    record.article_key = article_key
    record.site = site
    record.url = url
    record.canonical_url = canonical_url
    record.article_id = article_id
    record.title = title
    record.summary = summary
    record.sections = sections
    record.symptoms = symptoms
    record.prevention = prevention
    record.recommendations = recommendations
    record.prev_article = prev_article
    record.next_article = next_article
    record.breadcrumbs = breadcrumbs
    record.published_at = published_at
    record.language = language
    record.word_count = word_count
    record.content_hash = content_hash
    record.fetched_at = fetched_at
    record.http_status = http_status
    record.parse_warnings = parse_warnings
    return record
