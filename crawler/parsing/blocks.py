"""Flatten an article container into a sequence of blocks, in reading order.

A block is one line of the body as a reader sees it: a heading element, a paragraph,
one ``<li>``, one ``<br>``-separated line. It records how it was marked up (the
heading rules need that); deciding what it *is* happens in ``sections``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

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
)
from crawler.parsing.text import element_lines, element_text, normalize


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the article body."""

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
    classes, ident = element.get("class"), element.get("id")
    if not classes and not ident:
        return False
    return CHROME_MARKERS.search(f"{classes or ''} {ident or ''}") is not None


def iter_blocks(
    container: etree._Element, skip: Callable[[etree._Element], bool] = is_chrome
) -> Iterator[Block]:
    """Blocks of ``container`` in document order; subtrees for which ``skip`` is true and
    non-content elements (scripts, forms, buttons) contribute nothing."""
    inline: list[str] = []
    yield from _walk(container, skip, inline)
    yield from _flush(inline)


def _walk(
    element: etree._Element, skip: Callable[[etree._Element], bool], inline: list[str]
) -> Iterator[Block]:
    if element.text:
        inline.append(element.text)
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in SKIP_TAGS and not skip(child):
            if tag in BLOCK_TAGS:
                yield from _flush(inline)
                yield from _block(child, skip, inline)
            elif tag == "br":
                inline.append("\n")
            else:
                inline.append(element_text(child) if len(child) else (child.text or ""))
        if child.tail:
            inline.append(child.tail)


def _flush(inline: list[str]) -> Iterator[Block]:
    """Text between block elements (an unwrapped run of inline content) as blocks."""
    if inline:
        lines = [normalize(line) for line in "".join(inline).split("\n")]
        inline.clear()
        yield from _lines_or_paragraph([line for line in lines if line])


def _block(
    element: etree._Element, skip: Callable[[etree._Element], bool], inline: list[str]
) -> Iterator[Block]:
    tag = element.tag
    if tag in SECTION_HEADING_TAGS:
        text = element_text(element)
        if text:
            yield make_block(text, "heading")
    elif tag in LIST_TAGS:
        yield from _list_items(element, skip)
    elif tag in MINOR_HEADING_TAGS or tag in ("table", "hr"):
        text = element_text(element)
        if text:
            yield make_block(text, "p")
    elif _has_block_child(element):
        yield from _walk(element, skip, inline)
        yield from _flush(inline)
    else:
        yield from _paragraph(element)


def _list_items(element: etree._Element, skip: Callable[[etree._Element], bool]) -> Iterator[Block]:
    for item in element:
        if isinstance(item.tag, str) and item.tag == "li" and not skip(item):
            text = element_text(item)
            if text:
                yield Block(text, "li", split_enumerator(text))


def _paragraph(element: etree._Element) -> Iterator[Block]:
    if _is_whole_bold(element):
        text = element_text(element)
        if text:
            yield make_block(text, "bold")
        return
    if next(element.iter("br"), None) is None:
        text = element_text(element)
        if text:
            yield make_block(text, "p")
        return
    yield from _lines_or_paragraph(element_lines(element))


def _lines_or_paragraph(lines: list[str]) -> Iterator[Block]:
    """``<br>``-separated lines are items when they are enumerated, else one paragraph."""
    if len(lines) > 1 and sum(split_enumerator(line) is not None for line in lines) >= 2:
        for line in lines:
            yield make_block(line, "line")
    elif lines:
        yield make_block(" ".join(lines), "p")


def _has_block_child(element: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in element)


def _is_whole_bold(element: etree._Element) -> bool:
    """All visible text of the element sits inside ``<strong>``/``<b>``."""
    if (element.text or "").strip() or not len(element):
        return False
    bold = False
    for child in element:
        if child.tail and child.tail.strip():
            return False
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in BOLD_TAGS or (tag in ("span", "a", "em", "font") and _is_whole_bold(child)):
            bold = bold or bool(element_text(child))
        elif tag != "br" and element_text(child):
            return False
    return bold
