"""What a page says about itself in JSON-LD (schema.org): its type, headline and dates.

Most CMSs emit ``<script type="application/ld+json">`` for search engines: the page's type
(``Article``, ``MedicalWebPage``, ``CollectionPage``), its ``headline`` and
``datePublished``. It is the most trustworthy evidence a page has about itself, so the
page type, headline and date rules read it first. Only the top-level nodes (and those of
an ``@graph``) describe the page; nested ones are its author, publisher or images.
A script that is not valid JSON is skipped, as browsers and search engines do.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from typing import Any

from lxml import etree

from core.text import normalize

_LD_JSON = "application/ld+json"
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
"""A MIME type is ASCII case-insensitive (``str.lower`` would fold other letters too)."""
_XML_SPACE = re.compile("[ \t\r\n]+")

ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "ScholarlyArticle", "MedicalScholarlyArticle",
    "TechArticle", "Report", "AnalysisNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle",
    "ReviewNewsArticle", "BackgroundNewsArticle", "MedicalWebPage", "HealthTopicContent",
    "HowTo", "Recipe", "FAQPage", "QAPage",
})
"""Types a page gives itself when it is one piece of content (schema.org)."""

LISTING_TYPES = frozenset({"CollectionPage", "SearchResultsPage", "ProfilePage"})
"""Types of pages that list other pages (a category, search results, an author)."""


class StructuredData:
    """The page's own top-level JSON-LD nodes, read once per page. Read only; a plain
    class for mypyc to compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: tuple[dict[str, Any], ...] = ()) -> None:
        self.nodes = nodes

    @property
    def types(self) -> frozenset[str]:
        """Every ``@type`` the top-level nodes declare."""
        return frozenset(kind for node in self.nodes for kind in _types(node))

    def first(self, key: str, kinds: frozenset[str] = ARTICLE_TYPES, *, only: bool = False) -> str | None:
        """The first text value of ``key`` in a node of one of ``kinds`` (the article's own
        node), else (unless ``only``) in any node."""
        ordered = sorted(self.nodes, key=lambda node: kinds.isdisjoint(_types(node)))
        if only:
            ordered = [node for node in ordered if not kinds.isdisjoint(_types(node))]
        for node in ordered:
            value = node.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str) and (text := normalize(value)):
                return text
        return None


def structured_data(root: etree._Element) -> StructuredData:
    """The page's JSON-LD top-level nodes (those of an ``@graph`` included)."""
    nodes: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if not _is_ld_json(script.get("type")):
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        nodes.extend(_top_level(data))
    return StructuredData(tuple(nodes))


def _is_ld_json(kind: str | None) -> bool:
    """``type`` names JSON-LD: XML spaces trimmed and collapsed, its ASCII letters in any
    case. A walk over the page's scripts (a handful) costs a third of an XPath testing each
    element (which, besides, lowered only some of the letters)."""
    if not kind:
        return False
    if kind == _LD_JSON:
        return True
    return _XML_SPACE.sub(" ", kind.strip(" \t\r\n")).translate(_ASCII_LOWER) == _LD_JSON


def _top_level(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _top_level(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from (node for node in graph if isinstance(node, dict))
        if "@type" in data:
            yield data


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]
