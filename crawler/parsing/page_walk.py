"""Walks over a page that look for a few elements among all: the trail marked as the
breadcrumbs, the lines that start with a label (prev/next), the short texts that may be a
heading's label (the related links). Each asks something of every element of the page,
and finds a few.

This module is the reference; ``page_walk.pyx`` does the same walks over libxml2's nodes
(built at bootstrap, found first by the package) and is tested against it.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["labelled", "marked_trail", "short_texts"]


def marked_trail(root: etree._Element) -> etree._Element | None:
    """The first element marked as a breadcrumb trail: microdata ``BreadcrumbList``, a
    ``breadcrumb`` class or id, a ``<nav aria-label="Breadcrumb">``. One walk that stops at
    the first, reading each element's attributes in one call (``items()``): most elements
    have one or none, and asking four names of each cost more than the rest of the
    page's fields. (An XPath union walks the page once per branch, and libxml2's string
    functions per element cost more still.)"""
    for element in root.iter(etree.Element):
        for name, value in element.items():
            if name in ("class", "id"):
                if "breadcrumb" in value.lower():
                    return element
            elif name == "itemtype":
                if "BreadcrumbList" in value:
                    return element
            elif name == "aria-label" and element.tag == "nav" and "breadcrumb" in value.lower():
                return element
    return None


def labelled(region: etree._Element, tags: tuple[str, ...], labels: tuple[str, ...]) -> list[etree._Element]:
    """The elements of ``tags`` in ``region`` (``region`` included), in document order,
    whose own text starts with one of ``labels`` once leading whitespace is stripped."""
    found = []
    for element in region.iter(tags):
        head = (element.text or "").lstrip()
        if head and head.startswith(labels):
            found.append(element)
    return found


def short_texts(region: etree._Element, tags: tuple[str, ...], most_chars: int,
                most_words: int) -> list[etree._Element]:
    """The elements of ``tags`` in ``region`` (``region`` included), in document order, that
    hold text and no element, but those whose text is evidently a paragraph: more than
    ``most_chars`` characters and more than ``most_words`` words, colons (a label's end)
    and spaces not counted. What is left may be a label, for the caller to read."""
    return [element for element in region.iter(tags)
            if (text := element.text) and not len(element) and not _paragraph(text, most_chars, most_words)]


def _paragraph(text: str, most_chars: int, most_words: int) -> bool:
    """More than ``most_chars`` characters and ``most_words`` words, not counting spaces,
    colons, and words of colons alone. Most texts are told by their length or their
    first words."""
    if len(text) <= most_chars:
        return False
    tokens = text.split()
    colons = text.count(":") + text.count("：")
    words = sum(1 for token in tokens if token.strip(_COLONS)) if colons else len(tokens)
    return words > most_words and sum(map(len, tokens)) - colons > most_chars


_COLONS = ":："
