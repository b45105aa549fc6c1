"""Text of elements, normalized (``core.text``), shared by every field function.

Block-level elements get a space at each edge and inline elements none, so
"weight.<sup>[26]</sup>" stays joined while "<li>a</li><li>b</li>" does not.

Questions asked of many nested elements (has it text? how long is its text?) are
answered without building each element's text: on deep markup that would copy the same
text once per level.
"""

from __future__ import annotations

import re
import sys
from typing import Protocol

from lxml import etree

from core.text import has_visible_text, is_printable, normalize, strip_invisible
from crawler.parsing.rules import BLOCK_TAGS, SKIP_TAGS

_XML_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters lxml refuses to store in a tree, though its parser keeps some it reads."""


def xml_text(text: str) -> str:
    """``text`` as lxml accepts it for ``.text`` or ``.tail``. The parser keeps control
    characters and noncharacters (U+FFFF) that a page holds, but refuses them when text
    is set; none of them is text a reader sees."""
    return _XML_REFUSED.sub("", text) if _XML_REFUSED.search(text) else text


def element_text(element: etree._Element) -> str:
    """Normalized visible text of ``element`` (scripts, styles, buttons left out)."""
    if not len(element):
        return normalize(element.text or "")
    parts: list[str] = []
    _collect(element, parts, "")
    return normalize("".join(parts))


def element_lines(element: etree._Element) -> list[str]:
    """Normalized non-empty lines of ``element``, split at ``<br>`` and block edges."""
    parts: list[str] = []
    _collect(element, parts, "\n")
    return [line for line in (normalize(x) for x in "".join(parts).split("\n")) if line]


def _collect(element: etree._Element, parts: list[str], block_edge: str) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            tag = tag.lower()
            if tag == "br":
                parts.append(block_edge or " ")
            elif tag not in SKIP_TAGS:
                edge = (block_edge or " ") if tag in BLOCK_TAGS else ""
                parts.append(edge)
                _collect(child, parts, block_edge)
                parts.append(edge)
        if child.tail:
            parts.append(child.tail)


def visible_length(text: str | None) -> int:
    """Characters of ``text`` that ``element_text`` keeps, spaces aside. A printable text
    has no invisible character and no whitespace but the ASCII space (``normalize``).
    Whitespace alone (the indentation between elements, most texts of a page) counts 0
    without being split; other text is told from it at its first visible character."""
    if not text or text.isspace():
        return 0
    if is_printable(text):
        return len(text) - text.count(" ")
    return len("".join(strip_invisible(text).split()))


def normalized_length(text: str | None) -> int:
    """``len(normalize(text))``, counted without building the normalized text. A
    printable text with no double space, most texts, is normalized already but for its
    edges."""
    if not text:
        return 0
    if is_printable(text) and "  " not in text:
        return len(text.strip(" "))
    return _length(_text_span(text))


def flat_lengths(element: etree._Element) -> tuple[int, int] | None:
    """``(len(element_text(element)), the length of its links' text)`` for an element
    whose children are inline elements holding text only (the usual paragraph: text,
    links, emphasis), read in one pass: their texts simply join. None for any other (a
    block, a ``<br>``, a skipped or nested element inside), which :class:`TextLengths`
    measures."""
    parts = [element.text or ""]
    links = 0
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            if len(child) or tag in _NOT_FLAT:
                return None
            text = child.text or ""
            parts.append(text)
            if tag == "a":
                links += normalized_length(text)
        parts.append(child.tail or "")
    return normalized_length("".join(parts)), links


_NOT_FLAT = BLOCK_TAGS | SKIP_TAGS | {"br"}


class TextPresence:
    """``bool(element_text(e))`` for many elements of one tree: each check stops at the
    first visible character, and answers are kept, so asking level after level of deep
    inline markup reads each element once."""

    def __init__(self) -> None:
        self.known: dict[etree._Element, bool] = {}  # held: lxml proxies stay stable

    def __call__(self, element: etree._Element) -> bool:
        known = self.known.get(element)
        if known is None:
            known = self.known[element] = self.find(element)
        return known

    def find(self, element: etree._Element) -> bool:
        if element.text and has_visible_text(element.text):
            return True
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and tag.lower() not in _NO_TEXT and self(child):
                return True
            if child.tail and has_visible_text(child.tail):
                return True
        return False


_NO_TEXT = SKIP_TAGS | {"br"}

Span = tuple[int, int, bool, bool]
"""A run of text as ``normalize`` would count it: (characters in words, words, starts
with a space, ends with a space); a run without words has both flags set when it holds
whitespace."""
_NOTHING: Span = (0, 0, False, False)
_SPACE: Span = (0, 0, True, True)


class Lengths(Protocol):
    """``len(element_text(element))`` of an element (``__call__``), and whether it is longer
    than a limit (``longer_than``), for many elements of one tree."""

    def __call__(self, element: etree._Element) -> int: ...

    def longer_than(self, element: etree._Element, limit: int) -> bool: ...


class TextLengths:
    """``len(element_text(e))`` for many elements of one tree, each text node read once:
    an element's length is combined from its children's, which are kept."""

    def __init__(self) -> None:
        self.spans: dict[etree._Element, Span] = {}  # held: lxml proxies stay stable

    def __call__(self, element: etree._Element) -> int:
        return _length(self.span(element))

    def longer_than(self, element: etree._Element, limit: int) -> bool:
        """``self(element) > limit``; an element not measured yet is measured only as far
        as ``limit`` characters, so a long one is never measured whole, and a short one is
        read once."""
        span = self._span_within(element, limit)
        return span is None or _length(span) > limit

    def _span_within(self, element: etree._Element, budget: int) -> Span | None:
        """:meth:`span`, or None once more than ``budget`` characters (spaces aside) are
        read: the text is then longer than ``budget`` whatever follows."""
        known = self.spans.get(element)
        if known is not None:
            return known if known[0] <= budget else None
        span = _text_span(element.text)
        for child in element:
            if span[0] > budget:
                return None
            tag = child.tag
            if isinstance(tag, str):
                tag = tag.lower()
                if tag == "br":
                    span = _joined(span, _SPACE)
                elif tag not in SKIP_TAGS:
                    inner = self._span_within(child, budget - span[0])
                    if inner is None:
                        return None
                    edge = _SPACE if tag in BLOCK_TAGS else _NOTHING
                    span = _joined(_joined(_joined(span, edge), inner), edge)
            span = _joined(span, _text_span(child.tail))
        if span[0] > budget:
            return None
        self.spans[element] = span
        return span

    def span(self, element: etree._Element) -> Span:
        span = self._span_within(element, _NO_LIMIT)
        assert span is not None  # nothing is longer than no limit
        return span


_NO_LIMIT = sys.maxsize


def _length(span: Span) -> int:
    """Length of a run of text once normalized: its words' characters and a space between
    each two."""
    characters, words, _, _ = span
    return characters + words - 1 if words else 0


def _text_span(text: str | None) -> Span:
    if not text:
        return _NOTHING
    if is_printable(text):  # no invisible character, no whitespace but the space
        trimmed = text.strip(" ")
        if not trimmed:
            return _SPACE
        if "  " not in trimmed:  # single spaces between words: counted, not split
            spaces = trimmed.count(" ")
            return len(trimmed) - spaces, spaces + 1, text[0] == " ", text[-1] == " "
    text = strip_invisible(text)
    words = text.split()
    if not words:
        return _SPACE if text else _NOTHING
    return len("".join(words)), len(words), text[0].isspace(), text[-1].isspace()


def _joined(first: Span, second: Span) -> Span:
    """The span of two runs of text written one after the other."""
    characters, words, lead, trail = first
    characters2, words2, lead2, trail2 = second
    if not words2:
        return (characters, words, lead, trail or lead2) if words else (0, 0, lead or lead2, lead or lead2)
    if not words:
        return characters2, words2, lead or lead2, trail2
    merged = 0 if trail or lead2 else 1  # a word ending one run and starting the next is one
    return characters + characters2, words + words2 - merged, lead, trail2
