"""Blocks to summary and sections (docs/record-contract.md, Headings and items).

A block is a heading when it is an ``<h2>``-``<h4>``, whole-bold, or a short numbered
line that does not end like a sentence. Where length cannot tell ("3. Quit smoking"),
numbering decides: continuing the item run makes an item, continuing the heading run a
heading, restarting at 1 under a fresh heading an item; when both fit, a line marked up
like the earlier headings is a heading.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.records import Section
from core.section_kinds import SECTION_KINDS, KindTable, section_kind
from core.text import count_words
from crawler.parsing.blocks import Block
from crawler.parsing.record_parts import new_section
from crawler.parsing.rules import LONG_BOLD_WORDS, SENTENCE_ENDINGS, SHORT_LINE_WORDS


class _Draft:
    """A section being read. A plain class: mypyc compiles its constructor, where a
    dataclass's runs as interpreted Python."""

    __slots__ = ("number", "heading", "markup", "paragraphs", "items", "last_item", "first_run_length")

    def __init__(self, number: int | None, heading: str, markup: tuple[str, str]) -> None:
        self.number = number
        self.heading = heading
        self.markup = markup
        self.paragraphs: list[str] = []
        self.items: list[str] = []
        self.last_item: int | None = None
        self.first_run_length: int | None = None
        """How many items the first unbroken run (the first list) has, once it ended."""


class Body:
    """The body split: intro paragraphs and sections, in page order. A plain class for
    mypyc to compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("summary", "sections")

    def __init__(self, summary: list[str], sections: list[Section]) -> None:
        self.summary = summary
        self.sections = sections


def _markup_of(block: Block) -> tuple[str, str]:
    return block.markup, block.enum.style if block.enum else "none"


class _Splitter:
    """Walks blocks once, keeping the two numbering runs the rules compare against."""

    def __init__(self, heading_elements_only: bool = False) -> None:
        self.summary: list[str] = []
        self.drafts: list[_Draft] = []
        self.last_heading_number = 0
        self.heading_elements_only = heading_elements_only

    @property
    def current(self) -> _Draft | None:
        return self.drafts[-1] if self.drafts else None

    def feed(self, block: Block) -> None:
        if block.enum is None and block.markup == "p":  # a plain paragraph, most blocks
            self._add_paragraph(block.text)
            return
        if self._is_heading(block):
            self._start_section(block)
            return
        if block.enum is not None or block.markup in ("li", "line"):
            self._add_item(block)
            return
        self._add_paragraph(block.text)

    def _add_paragraph(self, text: str) -> None:
        current = self.drafts[-1] if self.drafts else None
        if current is None:
            self.summary.append(text)
            return
        current.paragraphs.append(text)
        if current.items and current.first_run_length is None:
            current.first_run_length = len(current.items)

    def _is_heading(self, block: Block) -> bool:
        if block.markup == "heading":
            return True
        if self.heading_elements_only:
            return False
        if block.markup == "li" or (block.enum is not None and block.enum.number is None):
            return False
        if block.markup == "bold":  # CJK characters count as words; a sentence is emphasis
            return count_words(block.text) <= LONG_BOLD_WORDS and not block.text.endswith(SENTENCE_ENDINGS)
        if block.enum is None:
            return False
        rest = block.enum.rest
        if rest.endswith(SENTENCE_ENDINGS) or len(rest.split()) > SHORT_LINE_WORDS:
            return False
        return self._numbering_says_heading(block)

    def _numbering_says_heading(self, block: Block) -> bool:
        number = block.enum.number if block.enum else None
        current = self.current
        fits_heading = number == self.last_heading_number + 1
        fits_item = current is not None and (
            number == (current.last_item or 0) + 1
        )
        if fits_item != fits_heading:
            return fits_heading
        return current is None or _markup_of(block) == current.markup

    def _start_section(self, block: Block) -> None:
        number = block.enum.number if block.enum else None
        heading = block.enum.rest if block.enum else block.text
        if number is not None:
            self.last_heading_number = number
        self.drafts.append(_Draft(number, heading, _markup_of(block)))

    def _add_item(self, block: Block) -> None:
        text = block.enum.rest if block.enum else block.text
        current = self.current
        if current is None:
            self.summary.append(text)
            return
        current.items.append(text)
        if block.enum is not None and block.enum.number is not None:
            current.last_item = block.enum.number
        else:
            current.last_item = (current.last_item or 0) + 1


def split_body(
    blocks: Iterable[Block],
    title: str,
    *,
    kinds: KindTable = SECTION_KINDS,
    paragraphs_as_items: bool = True,
    heading_elements_rule: bool = False,
    only_heading_elements: bool = False,
    prevention_first_list_only: bool = False,
) -> Body:
    """Summary and sections of an article body whose headline is ``title``.

    ``kinds`` classifies headings; ``paragraphs_as_items`` makes the paragraphs of a
    prevention section without enumerated entries its items; ``heading_elements_rule``
    lets only ``<h2>``-``<h4>`` start sections on a page that has them,
    ``only_heading_elements`` on every page;
    ``prevention_first_list_only`` keeps a prevention section's first list as its items.
    """
    blocks = list(blocks)
    has_headings = any(b.markup == "heading" for b in blocks)
    splitter = _Splitter(only_heading_elements or (heading_elements_rule and has_headings))
    first = True
    for block in blocks:
        if first and title and block.text.casefold() == title.casefold():
            first = False
            continue
        first = False
        splitter.feed(block)
    sections = [_finish(i, d, kinds, paragraphs_as_items, prevention_first_list_only)
                for i, d in enumerate(splitter.drafts)]
    return Body(splitter.summary, sections)


def _finish(
    position: int, draft: _Draft, kinds: KindTable, paragraphs_as_items: bool, first_list_only: bool
) -> Section:
    kind = section_kind(draft.heading, kinds)
    items, paragraphs = draft.items, draft.paragraphs
    if kind == "prevention" and first_list_only and draft.first_run_length is not None:
        items = items[: draft.first_run_length]
    if paragraphs_as_items and kind == "prevention" and not items and paragraphs:
        items, paragraphs = paragraphs, []
    return new_section(
        position=position,
        number=str(draft.number) if draft.number is not None else None,
        heading=draft.heading,
        kind=kind,
        text="\n\n".join(paragraphs),
        items=list(items),
    )
