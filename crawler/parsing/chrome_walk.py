"""The walk that finds the chrome boxes in the generic profile's article
(``generic.clean_article``): every element of the article region is asked, so it is the
generic reading's second largest walk.

The bootstrap also compiles ``chrome_walk.pyx``, which walks libxml2's nodes, asks the
chrome rule of the nodes themselves, and makes an lxml element only of a heading to read
or a box found; when that build is there, the package finds it before this module. Both
give the same boxes in the same order (``tests/parsing/test_chrome_walk.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from crawler.parsing.chrome import ChromeRule
from crawler.parsing.rules import HEADING_TAGS

__all__ = ["chrome_boxes"]
"""What the compiled twin (``chrome_walk.pyx``) offers too."""


def chrome_boxes(article: etree._Element, chrome: ChromeRule,
                 heading_boxes: Callable[[etree._Element], list[etree._Element]]) -> list[etree._Element]:
    """Chrome subtrees of ``article`` in document order, outermost only: an element that is
    ``chrome`` by its rule, and what ``heading_boxes`` finds for a heading (whose subtree is
    not walked)."""
    found: list[etree._Element] = []
    stack = list(reversed(article))
    while stack:
        element = stack.pop()
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if chrome.is_chrome(element):
            found.append(element)
        elif tag in HEADING_TAGS:
            found.extend(heading_boxes(element))
        else:
            stack.extend(reversed(element))
    return found
