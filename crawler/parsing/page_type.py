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
   listing when it is such a group.

A page that is not an article is followed, not exported. Its label only says which kind
of listing it is, from its type and URL (``search``, ``author``, ``tag``, ``home``, else
``listing``), for the stats.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from crawler.parsing.structured import ARTICLE_TYPES, LISTING_TYPES, StructuredData
from crawler.parsing.text import element_text

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

_SEARCH_KEYS = frozenset({"q", "s", "query", "search", "keyword", "keywords", "term"})
_AUTHOR_SEGMENTS = frozenset({"author", "authors", "contributor", "contributors", "expert", "experts",
                              "writer", "writers", "profile", "people"})
_TAG_SEGMENTS = frozenset({"tag", "tags", "topic", "topics", "label", "labels", "keyword"})
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/default.aspx"})
_SKIPPED = frozenset({"script", "style", "noscript", "template"})


def page_type(data: StructuredData, densest: etree._Element, url: str,
              link_list: etree._Element | None = None) -> str:
    """One of :data:`PAGE_TYPES` for a page whose densest text is ``densest``, and whose
    ``link_list`` (if any) outweighs that text."""
    kinds = data.types
    if kinds & ARTICLE_TYPES:
        return ARTICLE
    listed = in_card_group(densest) or (link_list is not None and in_card_group(link_list))
    if not (kinds & LISTING_TYPES) and not listed:
        return ARTICLE
    return _listing_kind(kinds, url)


def in_card_group(element: etree._Element) -> bool:
    """``element`` is a group of teaser cards, or sits in one (a card's snippet)."""
    node: etree._Element | None = element
    for _ in range(_CLIMB + 1):
        if node is None:
            return False
        if _is_card_group(node):
            return True
        node = node.getparent()
    return False


def _is_card_group(element: etree._Element) -> bool:
    """Four cards or more, most of the children; or, on the last page of a listing, two
    or three children that are all cards led by their headline link."""
    children = [child for child in element if isinstance(child.tag, str) and child.tag not in _SKIPPED]
    if len(children) < 2:
        return False
    cards = [_card(child) for child in children]
    found = sum(1 for card in cards if card is not None)
    if found >= MIN_CARDS and found >= 0.6 * len(children):
        return True
    return len(children) < MIN_CARDS and all(cards)


def _card(element: etree._Element) -> bool | None:
    """None when ``element`` is no teaser card; else whether its text starts with its
    headline link (a brief's paragraph holding a link is rarely so led)."""
    text = element_text(element)
    if not text or len(text) > MAX_CARD_CHARS:
        return None
    titles = [linked for a in element.iter("a")
              if a.get("href") and len(linked := element_text(a)) >= MIN_TITLE_CHARS]
    if not titles or sum(map(len, titles)) < MIN_LINK_SHARE * len(text):
        return None
    return text.startswith(titles[0])


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
