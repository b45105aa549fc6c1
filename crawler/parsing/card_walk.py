"""The entries of a block of links to other articles (a Recommend block, a related box):
each entry's link and the text the entry shows beside it (its teaser's snippet).

This module is the reference; ``card_walk.pyx`` does the same over libxml2's nodes (built
at bootstrap, found first by the package) and is tested against it.
"""

from __future__ import annotations

from lxml import etree

from core.text import normalize
from crawler.parsing.held import HeldCounts
from crawler.parsing.text import element_text

__all__ = ["teasers"]


def teasers(block: etree._Element) -> list[tuple[etree._Element, str]]:
    """Per entry of ``block`` that holds a link, in page order: the link, and the entry's
    text beside it, normalized ("" when there is none).

    An entry is an ``<li>``; without them, the largest element around each link that
    holds no other link, with the link-less siblings after it (a ``<dt>`` link and its
    ``<dd>`` teaser), inside the block: a block that is one link is that link alone. The
    text beside the link is the entry's own text and its children's but the one holding
    the link, then the text of those siblings."""
    return [(anchor, _beside(entry, anchor, extra)) for entry, anchor, extra in _entries(block)
            if anchor is not None]


def _entries(
    block: etree._Element,
) -> list[tuple[etree._Element, etree._Element | None, list[etree._Element]]]:
    """``(entry, its link, elements after it that belong to it)`` per entry of ``block``."""
    items = list(block.iter("li"))
    if items:
        return [(li, _first_link(li), []) for li in items]
    entries = []
    anchors = [a for a in block.iter("a") if a.get("href")]
    links = HeldCounts(anchors, block)
    for anchor in anchors:
        entry = anchor
        while (parent := entry.getparent()) is not None and parent is not block and links.of(parent) == 1:
            entry = parent
        extra = []
        siblings = entry.itersiblings() if entry is not block else iter(())  # a lone link's are not its own
        for sibling in siblings:
            if not isinstance(sibling.tag, str) or links.of(sibling):
                break
            extra.append(sibling)
        entries.append((entry, anchor, extra))
    return entries


def _first_link(element: etree._Element) -> etree._Element | None:
    """The entry's first link with text (a card leads with its image's link), else its
    first link."""
    first = None
    for anchor in element.iter("a"):
        if anchor.get("href"):
            if element_text(anchor):
                return anchor
            if first is None:
                first = anchor
    return first


def _beside(entry: etree._Element, anchor: etree._Element, extra: list[etree._Element]) -> str:
    """The entry's text beside its link. Whitespace between the entry's elements (the
    page's indentation) is left out: the join normalizes it away, and without it the
    joined text is mostly normalized already."""
    parts: list[str] = []
    if anchor is not entry:
        linked = anchor
        while (parent := linked.getparent()) is not entry and parent is not None:
            linked = parent
        text = entry.text
        if text and not text.isspace():
            parts.append(text)
        for child in entry:
            if child is not linked and isinstance(child.tag, str):
                parts.append(element_text(child))
            tail = child.tail
            if tail and not tail.isspace():
                parts.append(tail)
    for element in extra:
        parts.append(element_text(element))
    return normalize(" ".join(parts)) if parts else ""
