"""Blocks: the lines of an article body in reading order, and what the block walk
(``block_walk``) leaves out.

A block is one line of the body as a reader sees it: a heading element, a paragraph,
one ``<li>``, one ``<br>``-separated line. It records how it was marked up (the
heading rules need that); deciding what it *is* happens in ``sections``.
"""

from __future__ import annotations

from lxml import etree

from crawler.parsing.enumerators import Enumerated, split_enumerator
from crawler.parsing.rules import CHROME_MARKERS, CHROME_TAGS, marked_by


class Block:
    """One line of the article body. Read only. A plain class, not a dataclass: mypyc
    compiles a plain class's constructor, where a dataclass's runs as interpreted Python,
    and a page makes one block a line."""

    __slots__ = ("text", "markup", "enum")

    def __init__(self, text: str, markup: str, enum: Enumerated | None) -> None:
        self.text = text
        """Normalized text, enumerator included."""
        self.markup = markup
        """How it was marked up: heading (h2-h4), bold (whole-bold), li, line (a <br> line), p."""
        self.enum = enum
        """Its enumerator or bullet, if it starts with one."""


def make_block(text: str, markup: str) -> Block:
    return Block(text, markup, split_enumerator(text))


def is_chrome(element: etree._Element) -> bool:
    """True for site chrome inside a body: nav/aside/footer/form, or a chrome class or id."""
    return element.tag in CHROME_TAGS or is_marked_chrome(element)


def is_marked_chrome(element: etree._Element) -> bool:
    """True for an element whose class or id marks site chrome (:data:`CHROME_MARKERS`)."""
    marks = marks_of(element)
    return marks is not None and chrome_marked(marks)


chrome_marked = marked_by(CHROME_MARKERS)
"""Whether an element's class and id (:func:`marks_of`) mark chrome."""


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


class Skip:
    """What the block walk (``block_walk.blocks_of``) leaves out with all it holds, as data
    that the compiled walk reads without asking Python about each element. Read only; a
    plain class for mypyc to compile its constructor (see :class:`Block`): a page with a
    headline in its body makes one."""

    __slots__ = ("tags", "marked", "headline")

    def __init__(self, tags: frozenset[str], marked: bool = False,
                 headline: etree._Element | None = None) -> None:
        self.tags = tags
        """Elements by their tag."""
        self.marked = marked
        """Elements whose class or id marks chrome (:func:`is_marked_chrome`)."""
        self.headline = headline
        """Everything before the headline in document order and the headline itself (it is
        not body), but what holds the headline."""


CHROME = Skip(CHROME_TAGS, marked=True)
"""Site chrome inside a body: what :func:`is_chrome` tells."""


def line_blocks(lines: list[str]) -> list[Block]:
    """Blocks of normalized non-empty ``lines`` (``<br>``-separated, or an unwrapped run of
    inline content split at its newlines): one block each when at least two are
    enumerated, else one paragraph."""
    if len(lines) > 1 and sum(split_enumerator(line) is not None for line in lines) >= 2:
        return [make_block(line, "line") for line in lines]
    return [make_block(" ".join(lines), "p")] if lines else []
