"""Where an article's id sits in its URL, and what names the article within its site:
the rules ``SiteProfile.article_identity`` states, as functions of the profile's data.
Compiled with the parser (``core/native.py``): the parse asks them of every page, and
in Python, between the compiled parts of a parse, they cost as much as a field."""

from __future__ import annotations

import re
from functools import lru_cache

from core.urls import path_and_query


def id_span(pattern: str, url: str) -> tuple[int, int] | None:
    """Where in ``url`` the id is: the first non-empty group named ``id...`` of the first
    match of ``pattern``; None without a pattern or a match."""
    match = compiled(pattern).search(url) if pattern else None
    if match is None:
        return None
    for name, value in match.groupdict().items():
        if value and name.startswith("id"):
            return match.span(name)
    return None


def article_identity(url: str, pattern: str, ids_site_wide: bool,
                     mobile_segments: tuple[str, ...]) -> tuple[str | None, str | None]:
    """``(article_id, article_ref)`` of the canonical ``url`` (``SiteProfile.article_ref``)."""
    found = id_span(pattern, url)
    if found is None:
        return None, None
    start, end = found
    article_id = url[start:end]
    if ids_site_wide:
        return article_id, article_id
    path, query = path_and_query(url[:start])
    mobile = _folded(mobile_segments)
    section = "/".join([s for s in path.split("/") if s and s.casefold() not in mobile])
    if query:
        return article_id, f"{section}?{query}{article_id}"
    return article_id, f"{section}/{article_id}" if section else article_id


@lru_cache(maxsize=64)
def compiled(pattern: str) -> re.Pattern[str]:
    """A profile's URL pattern (data) compiled once: ``re.search`` looks its cache up in
    Python on every call, and the parse and the spider ask of every URL."""
    return re.compile(pattern)


@lru_cache(maxsize=16)
def _folded(segments: tuple[str, ...]) -> frozenset[str]:
    """A profile's ``mobile_path_segments`` case-folded, once per profile."""
    return frozenset(segment.casefold() for segment in segments)
