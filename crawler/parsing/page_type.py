"""Is this page an article, or a page that lists articles (home, category, tag, author,
search results)? Decided from the page itself, for sites without a profile whose URLs
would say it.

Evidence, in order of trust:

1. the page's JSON-LD type (``structured``): an ``Article``, ``MedicalWebPage`` and their
   kin is an article; a ``CollectionPage``, ``SearchResultsPage`` or ``ProfilePage`` lists;
2. its text: the element holding the densest paragraph text (the body an article is
   found by) is, or sits in, a group of teaser cards (four or more sibling blocks, each a
   short text led by a link to another page with a title-like text: a headline with its
   snippet and date). On an article that element is the running text; a listing's only
   paragraphs are its teasers' snippets. Link text is not running text; a list of bare
   links (no snippets) whose link text outweighs the page's running text twice is a
   listing when it is such a group. A page without a paragraph of running text (a menu of
   subcategories) lists too, and so does a later page of a listing (``/page/2``,
   ``?page=2``) whose last teaser sits alone.

A page that is not an article is followed, not exported. Its label only says which kind
of listing it is, from its type and URL (``search``, ``author``, ``tag``, ``home``, else
``listing``), for the stats.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from crawler.parsing.generic import Density
from crawler.parsing.page_walk import linked_children
from crawler.parsing.running_text import ElementLengths
from crawler.parsing.structured import ARTICLE_TYPES, LISTING_TYPES, StructuredData
from crawler.parsing.text import Lengths, element_text

ARTICLE = "article"
PAGE_TYPES = (ARTICLE, "listing", "home", "search", "tag", "author")

MIN_CARDS = 4
"""Sibling teaser cards that make a group: fewer are a related-links box, not a list."""
MAX_CARD_CHARS = 600
"""A card is short: a title, a snippet, a date; a longer block is text of its own."""
MIN_TITLE_CHARS = 12
"""A teaser's link reads like a headline, not "more" or a page number."""
MIN_LINK_SHARE = 0.2
"""Of a card's text, at least this much is its links (the headline)."""
_CLIMB = 3
"""How far above the densest element a card group may sit (card > body > snippet)."""

_PAGINATED = re.compile(r"/page/\d+(?:/|\.s?html?|\.php)?(?:$|[?#])|[?&](?:page|paged|pg)=\d+", re.IGNORECASE)
"""A URL of a listing's later page (``/page/2``, ``?page=2``): its grid may hold one card."""
_SEARCH_KEYS = frozenset({"q", "s", "query", "search", "keyword", "keywords", "term"})
_AUTHOR_SEGMENTS = frozenset({"author", "authors", "contributor", "contributors", "expert", "experts",
                              "writer", "writers", "profile", "people"})
_TAG_SEGMENTS = frozenset({"tag", "tags", "topic", "topics", "label", "labels", "keyword"})
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/default.aspx"})
_SKIPPED = frozenset({"script", "style", "noscript", "template"})


def page_type(data: StructuredData, density: Density, url: str) -> str:
    """One of :data:`PAGE_TYPES` for a page whose running text is as ``density`` found it."""
    kinds = data.types
    if kinds & ARTICLE_TYPES:
        return ARTICLE
    groups = _CardGroups(ElementLengths(), 1 if _PAGINATED.search(url) else 2)
    link_list = density.link_list
    listed = not density.running_text or groups.holds(density.densest) or (
        link_list is not None and groups.holds(link_list))
    if not (kinds & LISTING_TYPES) and not listed:
        return ARTICLE
    return _listing_kind(kinds, url)


class _CardGroups:
    """Whether an element is, or sits in, a group of teaser cards (a card's snippet); a
    group of bare headline-led teasers holds ``fewest`` at least. ``text_length`` tells a
    long block (no card) without reading its text."""

    def __init__(self, text_length: Lengths, fewest: int) -> None:
        self.text_length = text_length
        self.fewest = fewest

    def holds(self, element: etree._Element) -> bool:
        node: etree._Element | None = element
        for _ in range(_CLIMB + 1):
            if node is None:
                return False
            if self._is_group(node):
                return True
            node = node.getparent()
        return False

    def _is_group(self, element: etree._Element) -> bool:
        """Four cards or more, most of the children; or, on the last page of a listing,
        from ``fewest`` to three short children that are all led by a headline link. A
        child without a link is no card: only those with one are read, and the children
        between them are counted by their indexes."""
        count, linked = linked_children(element, _SKIPPED)
        if count < self.fewest:
            return False
        if count < MIN_CARDS:
            return len(linked) == count and all(self._teaser(child)[1] for _, child in linked)
        needed = 0.6 * count
        cards = 0
        for index, child in linked:
            if cards + count - index < needed:  # the link-less children before it leave too few
                return False
            cards += self._teaser(child)[0]
            if cards >= MIN_CARDS and cards >= needed:
                return True
            if cards + count - index - 1 < needed:
                return False
        return False

    def _teaser(self, element: etree._Element) -> tuple[bool, bool]:
        """Whether ``element``, which is or holds an ``<a>``, is a teaser card, and whether
        it is a short block whose text starts with its headline link (a brief's paragraph
        holding a link is rarely so led). A card is led so, or its links are a fair share
        of its text (a label before the headline); a long excerpt makes that share small."""
        if self.text_length.longer_than(element, MAX_CARD_CHARS):
            return False, False
        length = self.text_length(element)
        if not length:
            return False, False
        titles = [a for a in element.iter("a") if a.get("href") and self.text_length(a) >= MIN_TITLE_CHARS]
        if not titles:
            return False, False
        led = element_text(element).startswith(element_text(titles[0]))
        return led or sum(map(self.text_length, titles)) >= MIN_LINK_SHARE * length, led


def _listing_kind(kinds: frozenset[str], url: str) -> str:
    parts = urlsplit(url)
    segments = {segment.lower() for segment in parts.path.split("/") if segment}
    if "SearchResultsPage" in kinds or "search" in segments or any(
            key.lower() in _SEARCH_KEYS for key, _ in parse_qsl(parts.query)):
        return "search"
    if "ProfilePage" in kinds or segments & _AUTHOR_SEGMENTS:
        return "author"
    if segments & _TAG_SEGMENTS:
        return "tag"
    if parts.path in _HOME_PATHS and not parts.query:
        return "home"
    return "listing"
