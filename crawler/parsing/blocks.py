"""Flatten an article container into a sequence of blocks, in reading order.

A block is one line of the body as a reader sees it: a heading element, a paragraph,
one ``<li>``, one ``<br>``-separated line. It records how it was marked up (the
heading rules need that); deciding what it *is* happens in ``sections``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from core.text import normalize
from crawler.parsing.enumerators import Enumerated, split_enumerator
from crawler.parsing.rules import (
    BLOCK_TAGS,
    BOLD_TAGS,
    CHROME_MARKERS,
    CHROME_TAGS,
    LIST_TAGS,
    MINOR_HEADING_TAGS,
    SECTION_HEADING_TAGS,
    SKIP_TAGS,
    marked_by,
)
from crawler.parsing.text import TextPresence, element_lines, element_text


@dataclass(slots=True)
class Block:
    """One line of the article body. Read only, though not frozen: a page makes one per
    line, and a frozen dataclass costs nearly three times as much to make."""

    text: str
    """Normalized text, enumerator included."""
    markup: str
    """How it was marked up: heading (h2-h4), bold (whole-bold), li, line (a <br> line), p."""
    enum: Enumerated | None
    """Its enumerator or bullet, if it starts with one."""


def make_block(text: str, markup: str) -> Block:
    return Block(text, markup, split_enumerator(text))


def is_chrome(element: etree._Element) -> bool:
    """True for site chrome inside a body: nav/aside/footer/form, or a chrome class or id."""
    if element.tag in CHROME_TAGS:
        return True
    marks = marks_of(element)
    return marks is not None and _chrome_marked(marks)


_chrome_marked = marked_by(CHROME_MARKERS)


def marks_of(element: etree._Element) -> str | None:
    """``element``'s class and id, lowercased, as the chrome markers are searched in; None
    without either (most elements: the search is skipped). An element without attributes,
    most paragraphs, is told by one call."""
    if not element.keys():
        return None
    classes, ident = element.get("class"), element.get("id")
    if not classes and not ident:
        return None
    return f"{classes or ''} {ident or ''}".lower()


def blocks_of(
    container: etree._Element, skip: Callable[[etree._Element], bool] = is_chrome
) -> list[Block]:
    """Blocks of ``container`` in document order; subtrees for which ``skip`` is true and
    non-content elements (scripts, forms, buttons) contribute nothing."""
    flattener = _Flattener(skip)
    flattener.walk(container)
    flattener.flush()
    return flattener.blocks


class _Flattener:
    """One pass over the body, appending blocks to a list (generators nested four deep
    cost more than the text work on this hot path)."""

    def __init__(self, skip: Callable[[etree._Element], bool]) -> None:
        self.skip = skip
        self.has_text = TextPresence()
        self.blocks: list[Block] = []
        self.inline: list[str] = []
        """Inline text waiting for the next block edge; whitespace alone is kept only
        between inline content, where it separates words."""

    def add_inline(self, text: str | None) -> None:
        if text and (self.inline or not text.isspace()):
            self.inline.append(text)

    def walk(self, element: etree._Element) -> None:
        self.add_inline(element.text)
        skip, inline, blocks = self.skip, self.inline, self.blocks  # this loop runs for every child
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and tag not in SKIP_TAGS and not skip(child):
                if tag in BLOCK_TAGS:
                    if inline:
                        self.flush()
                    if tag not in _MARKED_BLOCKS and not len(child):  # most paragraphs: plain text
                        text = normalize(child.text or "")
                        if text:
                            blocks.append(Block(text, "p", split_enumerator(text)))
                    else:
                        self.block(child)
                elif tag == "br":
                    inline.append("\n")
                else:
                    self.add_inline(element_text(child) if len(child) else child.text)
            tail = child.tail  # add_inline, inline
            if tail and (inline or not tail.isspace()):
                inline.append(tail)

    def flush(self) -> None:
        """Text between block elements (an unwrapped run of inline content) as blocks."""
        if self.inline:
            lines = [normalize(line) for line in "".join(self.inline).split("\n")]
            self.inline.clear()
            self.lines_or_paragraph([line for line in lines if line])

    def block(self, element: etree._Element) -> None:
        """A block element other than a plain paragraph (which ``walk`` reads itself)."""
        tag = element.tag
        if tag in SECTION_HEADING_TAGS:
            self.text_block(element_text(element), "heading")
        elif tag in LIST_TAGS:
            for item in element:
                if isinstance(item.tag, str) and item.tag == "li" and not self.skip(item):
                    self.text_block(element_text(item), "li")
        elif tag in MINOR_HEADING_TAGS or tag in ("table", "hr"):
            self.text_block(element_text(element), "p")
        elif _has_block_child(element):
            self.walk(element)
            self.flush()
        elif _is_whole_bold(element, self.has_text):
            self.text_block(element_text(element), "bold")
        elif next(element.iter("br"), None) is None:
            self.text_block(element_text(element), "p")
        else:
            self.lines_or_paragraph(element_lines(element))

    def text_block(self, text: str, markup: str) -> None:
        if text:
            self.blocks.append(make_block(text, markup))

    def lines_or_paragraph(self, lines: list[str]) -> None:
        """``<br>``-separated lines are items when they are enumerated, else one paragraph."""
        if len(lines) > 1 and sum(split_enumerator(line) is not None for line in lines) >= 2:
            self.blocks.extend(make_block(line, "line") for line in lines)
        elif lines:
            self.blocks.append(make_block(" ".join(lines), "p"))


_MARKED_BLOCKS = SECTION_HEADING_TAGS | LIST_TAGS | MINOR_HEADING_TAGS | {"table", "hr"}
"""Blocks read by their tag; any other block element without children is a plain paragraph."""


def _has_block_child(element: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in element)


def _is_whole_bold(element: etree._Element, has_text: TextPresence) -> bool:
    """All visible text of the element sits inside ``<strong>``/``<b>``."""
    if (element.text or "").strip() or not len(element):
        return False
    bold = False
    for child in element:
        if child.tail and child.tail.strip():
            return False
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in BOLD_TAGS or (tag in ("span", "a", "em", "font") and _is_whole_bold(child, has_text)):
            bold = bold or has_text(child)
        elif tag != "br" and has_text(child):
            return False
    return bold
