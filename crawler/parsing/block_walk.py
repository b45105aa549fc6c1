"""Flatten an article container into its blocks (``blocks``), in reading order: one
walk over the body, the parse's largest with every profile.

This module is the reference; ``block_walk.pyx`` does the same walk over libxml2's nodes
(built at bootstrap, found first by the package) and is tested against it.
"""

from __future__ import annotations

from lxml import etree

from core.text import normalize
from crawler.parsing.blocks import Block, Skip, is_marked_chrome, line_blocks, make_block
from crawler.parsing.rules import (
    BLOCK_TAGS,
    BOLD_TAGS,
    LIST_TAGS,
    MINOR_HEADING_TAGS,
    SECTION_HEADING_TAGS,
    SKIP_TAGS,
)
from crawler.parsing.text import TextPresence, element_lines, element_text

__all__ = ["blocks_of"]


def blocks_of(container: etree._Element, skip: Skip) -> list[Block]:
    """Blocks of ``container`` in document order; what ``skip`` names and non-content
    elements (scripts, forms, buttons) contribute nothing."""
    flattener = _Flattener(skip)
    flattener.walk(container)
    flattener.flush()
    return flattener.blocks


class _Flattener:
    """One pass over the body, appending blocks to a list (generators nested four deep
    cost more than the text work on this hot path)."""

    def __init__(self, skip: Skip) -> None:
        self.rule = skip
        self.past_headline = skip.headline is None
        self.headline_holders = set(skip.headline.iterancestors()) if skip.headline is not None else set()
        self.has_text = TextPresence()
        self.blocks: list[Block] = []
        self.inline: list[str] = []
        """Inline text waiting for the next block edge; whitespace alone is kept only
        between inline content, where it separates words."""

    def skip(self, element: etree._Element) -> bool:
        """Whether ``element`` and all it holds are left out; asked in document order."""
        if not self.past_headline:
            if element is self.rule.headline:
                self.past_headline = True
                return True
            return element not in self.headline_holders
        return element.tag in self.rule.tags or (self.rule.marked and is_marked_chrome(element))

    def add_inline(self, text: str | None) -> None:
        if text and (self.inline or not text.isspace()):
            self.inline.append(text)

    def walk(self, element: etree._Element) -> None:
        self.add_inline(element.text)
        inline, blocks = self.inline, self.blocks  # this loop runs for every child
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and tag not in SKIP_TAGS and not self.skip(child):
                if tag in BLOCK_TAGS:
                    if inline:
                        self.flush()
                    if tag not in _MARKED_BLOCKS and not len(child):  # most paragraphs: plain text
                        text = normalize(child.text or "")
                        if text:
                            blocks.append(make_block(text, "p"))
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
            self.blocks.extend(line_blocks([line for line in lines if line]))

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
            self.blocks.extend(line_blocks(element_lines(element)))

    def text_block(self, text: str, markup: str) -> None:
        if text:
            self.blocks.append(make_block(text, markup))


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
        if tag in BOLD_TAGS or (tag in _WRAPPERS and _is_whole_bold(child, has_text)):
            bold = bold or has_text(child)
        elif tag != "br" and has_text(child):
            return False
    return bold


_WRAPPERS = frozenset({"span", "a", "em", "font"})
"""Inline elements whose text may be all bold inside."""
