"""The measures the density score (``generic.densest_container``) reads from a page: the
running text and link text of the paragraphs under each parent, and the text each
``<div>`` holds itself between its children, chrome left out; and the text length of an
element, which the page type and the chrome boxes ask of cards and boxes.

Every paragraph of the page is read, so this is the generic profile's largest walk. The
bootstrap also compiles ``running_text.pyx``, which reads the same measures from
libxml2's nodes directly, without an lxml element for each node it passes
(``benchmarks/RESULTS.md``, issue 18, sixteenth session); when that build is there, the
package finds it before this module. Both give the same answers, to the parents' order
(``tests/parsing/test_running_text.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from crawler.parsing.chrome import ChromeRule
from crawler.parsing.rules import DENSITY_TAGS, MIN_PARAGRAPH_CHARS
from crawler.parsing.text import Lengths, TextLengths, flat_lengths, normalized_length, visible_length

__all__ = ["ElementLengths", "RunningText", "running_text"]
"""What the compiled twin (``running_text.pyx``) offers too."""

ElementLengths: Callable[[], Lengths] = TextLengths
"""Makes the :class:`Lengths` of one tree (the compiled module's measure from the nodes)."""


class RunningText:
    """What the density score reads from a page, chrome left out. Read only; a plain class,
    whose constructor the compiled twin compiles (a ``NamedTuple``'s runs as interpreted
    Python)."""

    __slots__ = ("totals", "divs")

    def __init__(self, totals: dict[etree._Element, list[int]],
                 divs: list[tuple[etree._Element, int]]) -> None:
        self.totals = totals
        """Per parent, the running text and the link text of the paragraphs it holds (each
        a ``p``, ``li``... of at least :data:`MIN_PARAGRAPH_CHARS` characters as
        ``element_text`` has them, its link text, the text of the links inside it, at most
        that), in the order parents are first credited."""
        self.divs = divs
        """The ``<div>`` elements holding at least :data:`MIN_PARAGRAPH_CHARS` characters of
        text of their own, between their children (a blog post written as lines split by
        ``<br>``), spaces aside, in document order, each with that length."""


def running_text(body: etree._Element, chrome: ChromeRule, headline: etree._Element | None) -> RunningText:
    """The paragraphs and divs of ``body`` that are not under chrome: an element is, when
    ``chrome`` says so of it or of an ancestor, but what holds the ``headline`` is not
    (Blogger's ``<div class="widget Blog">`` around the post). Elements under chrome are
    not read: on most pages chrome holds half the paragraphs."""
    known: dict[etree._Element, bool] = dict.fromkeys(
        headline.iterancestors() if headline is not None else (), False)

    def under_chrome(element: etree._Element) -> bool:
        """Answers are kept in ``known``: paragraphs share ancestors."""
        answer = known.get(element)
        if answer is None:
            parent = element.getparent()
            answer = chrome.is_chrome(element) or (parent is not None and under_chrome(parent))
            known[element] = answer
        return answer

    return RunningText(_paragraph_totals(body, under_chrome),
                       [(div, own) for div, own in _divs_with_text(body) if not under_chrome(div)])


def _paragraph_totals(body: etree._Element,
                      chrome: Callable[[etree._Element], bool]) -> dict[etree._Element, list[int]]:
    """:attr:`RunningText.totals`, of paragraphs whose parent is not ``chrome``."""
    by_parent: dict[etree._Element, list[int]] = {}
    text_length_of = TextLengths()  # nested paragraphs share their text: read it once
    for paragraph in body.iter(*DENSITY_TAGS):
        parent = paragraph.getparent()
        if parent is None:
            continue
        if chrome(parent):
            continue
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


def _divs_with_text(body: etree._Element) -> list[tuple[etree._Element, int]]:
    """:attr:`RunningText.divs`, chrome included."""
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
