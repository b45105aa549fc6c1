"""The measures the density score (``generic.densest_container``) reads from a page: the
running text and link text of the paragraphs under each parent, and the text each
``<div>`` holds itself between its children; and the text length of an element, which
the page type and the chrome boxes ask of cards and boxes.

Every paragraph of the page is read, so this is the generic profile's largest walk. The
bootstrap also compiles ``running_text.pyx``, which reads the same measures from
libxml2's nodes directly, without an lxml element for each node it passes (about a
fifth of the time: ``benchmarks/RESULTS.md``); when that build is there, the package
finds it before this module. Both give the same answers, to the parents' order
(``tests/parsing/test_running_text.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from crawler.parsing.rules import DENSITY_TAGS, MIN_PARAGRAPH_CHARS
from crawler.parsing.text import Lengths, TextLengths, flat_lengths, normalized_length, visible_length

__all__ = ["ElementLengths", "divs_with_text", "paragraph_totals"]
"""What the compiled twin (``running_text.pyx``) offers too."""

ElementLengths: Callable[[], Lengths] = TextLengths
"""Makes the :class:`Lengths` of one tree (the compiled module's measure from the nodes)."""


def paragraph_totals(body: etree._Element,
                     chrome: Callable[[etree._Element], bool]) -> dict[etree._Element, list[int]]:
    """Per parent, the running text and the link text of the paragraphs it holds (each a
    ``p``, ``li``... of at least :data:`MIN_PARAGRAPH_CHARS` characters as ``element_text``
    has them, its link text at most that), in the order parents are first credited;
    paragraphs whose parent is ``chrome`` are not read. A paragraph's link text is the
    text of the links inside it."""
    by_parent: dict[etree._Element, list[int]] = {}
    known: dict[etree._Element, bool] = {}  # most parents hold several paragraphs
    text_length_of = TextLengths()  # nested paragraphs share their text: read it once
    for paragraph in body.iter(*DENSITY_TAGS):
        parent = paragraph.getparent()
        if parent is None:
            continue
        skipped = known.get(parent)
        if skipped is None:
            skipped = known[parent] = chrome(parent)
        if skipped:
            continue  # chrome is not measured: on most pages it holds half the paragraphs
        if not len(paragraph):  # most paragraphs: plain text
            text_length, link_length = normalized_length(paragraph.text), 0
        elif (flat := flat_lengths(paragraph)) is not None:  # text, links and emphasis
            text_length, link_length = flat
        else:  # nested markup: measured element by element, links only when it counts
            text_length = text_length_of(paragraph)
            link_length = (sum(text_length_of(a) for a in paragraph.iter("a"))
                           if text_length >= MIN_PARAGRAPH_CHARS else 0)
        if text_length < MIN_PARAGRAPH_CHARS:
            continue
        link_length = min(link_length, text_length)
        total = by_parent.get(parent)
        if total is None:
            by_parent[parent] = [text_length - link_length, link_length]
        else:
            total[0] += text_length - link_length
            total[1] += link_length
    return by_parent


def divs_with_text(body: etree._Element) -> list[tuple[etree._Element, int]]:
    """The ``<div>`` elements inside ``body`` holding at least :data:`MIN_PARAGRAPH_CHARS`
    characters of text of their own, between their children (a blog post written as lines
    split by ``<br>``), spaces aside, in document order, each with that length."""
    found = []
    for div in _DIVS_WITH_TEXT(body):
        own = visible_length(div.text) + sum(visible_length(child.tail) for child in div)
        if own >= MIN_PARAGRAPH_CHARS:
            found.append((div, own))
    return found


_DIVS_WITH_TEXT = etree.XPath("descendant::div[text()[normalize-space()]]")
"""The ``<div>`` elements inside an element that hold text of their own between their
children, in document order. Most divs hold only the indentation between their children:
libxml2 passes them over in C, where reading every div's children and their tails from
Python cost a fifth of the density score. (XPath's spaces are ASCII ones only, so a div
holding only no-break spaces is found too, and measured as none.)"""
