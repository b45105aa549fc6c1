"""The walk that finds the chrome boxes in the generic profile's article
(``generic.clean_article``): every element of the article region is asked, so it is the
generic reading's second largest walk.

The bootstrap also compiles ``chrome_walk.pyx``, which walks libxml2's nodes and makes an
lxml element only of those the questions need (a class or an id to search, a heading to
read); when that build is there, the package finds it before this module. Both give the
same boxes in the same order (``tests/parsing/test_chrome_walk.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from crawler.parsing.rules import CHROME_BOX_TAGS, HEADING_TAGS

__all__ = ["chrome_boxes"]
"""What the compiled twin (``chrome_walk.pyx``) offers too."""


def chrome_boxes(article: etree._Element, marked: Callable[[etree._Element], bool],
                 heading_boxes: Callable[[etree._Element], list[etree._Element]]) -> list[etree._Element]:
    """Chrome subtrees of ``article`` in document order, outermost only: an element of
    :data:`~crawler.parsing.rules.CHROME_BOX_TAGS`, one ``marked`` by its class or id (asked
    only of elements having either, and false for the others), and what ``heading_boxes``
    finds for a heading (whose subtree is not walked)."""
    found: list[etree._Element] = []
    stack = list(reversed(article))
    while stack:
        element = stack.pop()
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in CHROME_BOX_TAGS or marked(element):
            found.append(element)
        elif tag in HEADING_TAGS:
            found.extend(heading_boxes(element))
        else:
            stack.extend(reversed(element))
    return found
