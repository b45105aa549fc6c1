"""Walks over a page that look for a few elements among all: the trail marked as the
breadcrumbs, the lines that start with a label (prev/next), the short texts that may be a
heading's label (the related links). Each asks something of every element of the page,
and finds a few. And the questions asked of an element's subtree or ancestors many times
a page (does it hold a heading, two? is it out of sight?).

This module is the reference; ``page_walk.pyx`` does the same walks over libxml2's nodes
(built at bootstrap, found first by the package) and is tested against it.
"""

from __future__ import annotations

from lxml import etree

from crawler.parsing.rules import ARTICLE_TAGS, PAGE_CHROME_TAGS

__all__ = ["holds_one_of", "holds_several", "is_hidden", "labelled", "linked_children", "marked_trail",
           "mentions", "out_of_sight", "short_texts"]


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


def holds_one_of(element: etree._Element, tags: frozenset[str]) -> bool:
    """Whether ``element`` is or holds an element of ``tags`` (plain names, at least one):
    what ``iter`` finds, without an iterator made and an element for the first found
    (asked of each card and box)."""
    return next(element.iter(*tags), None) is not None


def holds_several(element: etree._Element, tags: frozenset[str]) -> bool:
    """Whether ``element`` is or holds two elements of ``tags`` or more (plain names): what
    counting ``iter``'s finds up to two tells, the walk stopped at the second (asked of
    the few elements around a heading, for the box it titles)."""
    found = element.iter(*tags)
    return next(found, None) is not None and next(found, None) is not None


def is_hidden(element: etree._Element) -> bool:
    """Hidden by markup alone (CSS files are not applied)."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    if not style:  # most elements: no style to read
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def out_of_sight(element: etree._Element) -> bool:
    """Whether ``element`` is hidden (:func:`is_hidden`), itself or through an ancestor, or
    sits in the page's chrome (:data:`~crawler.parsing.rules.PAGE_CHROME_TAGS`) that no
    ``<article>``/``<main>`` holds: one climb to the root (asked of each ``<h1>``)."""
    chrome = False  # a chrome element below, no article element between it and here
    node: etree._Element | None = element
    while node is not None:
        if is_hidden(node):
            return True
        if node.tag in ARTICLE_TAGS:
            chrome = False
        elif node.tag in PAGE_CHROME_TAGS:
            chrome = True
        node = node.getparent()
    return chrome


def linked_children(
    element: etree._Element, skipped: frozenset[str]
) -> tuple[int, list[tuple[int, etree._Element]]]:
    """How many element children ``element`` has, those of ``skipped`` tags left out, and
    the ones that are or hold an ``<a>``, each with its index among those counted: what
    a group of teaser cards is told by, without an element made for every paragraph of
    an article's body (asked of the densest element and a few above it)."""
    count, linked = 0, []
    for child in element:
        if isinstance(child.tag, str) and child.tag not in skipped:
            if next(child.iter("a"), None) is not None:
                linked.append((count, child))
            count += 1
    return count, linked


def mentions(source: bytes, word: bytes) -> bool:
    """Whether the lowercase ASCII ``word`` is in ``source`` in any case: whether a walk for
    it may find anything. (The compiled twin reads the bytes where they are, unlowered.)"""
    return word in source.lower()


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
    ``most_chars`` characters and more than ``most_words`` words once stripped of
    whitespace and of the colons that end a label. What is left may be a label, for the
    caller to read."""
    found = []
    for element in region.iter(tags):
        text = element.text
        if not text or len(element):
            continue
        bare = text.strip().rstrip(": ：")
        if len(bare) > most_chars and len(bare.split(None, most_words)) > most_words:
            continue  # read as far as its words tell: a paragraph's are counted no further
        found.append(element)
    return found
