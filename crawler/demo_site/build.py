"""Builds the content model of one article page from the site plan.

Variants rotate with the article index (so every one of them appears in a few hundred
pages whatever the seed) while the prose itself comes from the article's generator.
Numbering is chosen so the page has one right reading under the heading-versus-item
rules (docs/record-contract.md, Headings and items): with headings marked up like items,
an item run never ends on the number the next heading takes.
"""

from __future__ import annotations

import random
import re
from types import MappingProxyType

from crawler.demo_site import phrases
from crawler.demo_site.model import (
    HEADING_STYLES,
    ITEM_STYLES,
    NUMBERED_HEADINGS,
    NUMBERED_ITEMS,
    PLAIN_HEADINGS,
    Block,
    Items,
    SectionModel,
    Style,
)
from crawler.demo_site.prose import Writer

OTHER_ITEM_STYLES = ("dot", "ol", "ul", "paren", "step", "dash")
SYNONYMS = (("often", "frequently"), ("usually", "generally"), ("doctor", "physician"),
            ("common", "frequent"), ("patients", "sufferers"), ("helps", "assists"),
            ("early", "promptly"), ("serious", "severe"), ("daily", "everyday"))
SYNONYM_RE = re.compile(r"\b(" + "|".join(word for word, _ in SYNONYMS) + r")\b")
SWAPS = MappingProxyType(dict(SYNONYMS))
MIN_SECTION_BLOCKS = 2
"""A section is a heading and one paragraph at least."""
MIN_ARTICLE_BLOCKS = 5
"""The fewest blocks any sized article fits in: the lead, the Chinese name (GBK pages),
the PDF line (every fiftieth article, some of them GBK) and one section."""
MAX_SECTIONS = 10
"""Sections of a sized article: the Chinese heading numerals (一 to 十) stop at ten."""
MAX_ITEMS = 10
"""Items of one run in a sized article: the circled numbers (① to ⑩) stop at ten."""
SIZED_SECTION_BLOCKS = 8
"""A long sized article gets another section per this many blocks, as long pages do."""
EXTRA_KINDS = ("treatment", "care", "diagnosis", "diet", "other", "symptoms", "causes")
"""Kinds of the sections added to a long article (prevention stays one section)."""


def style_for(index: int) -> Style:
    """The markup variant of an original article, rotating with its index."""
    messy = index % 29 == 11
    return Style(
        heading="h2_num" if messy else HEADING_STYLES[index % len(HEADING_STYLES)],
        encoding="gbk" if index % 23 == 5 else "utf-8",
        messy=messy,
        wrapped=index % 7 == 2,
        date=("datetime", "date", None)[index % 3],
        word_labels=index % 6 == 2,
        rec_label="Related articles" if index % 5 == 1 else "Recommend",
        links=("absolute", "root", "root", "relative")[index % 4],
        title_repeated=index % 11 == 3,
    )


def item_style_for(index: int, messy: bool) -> str:
    """The prevention items' style: rotates on a different period than the headings."""
    if messy:
        return ("ol", "ul")[index % 2]
    return ITEM_STYLES[(index // len(HEADING_STYLES)) % len(ITEM_STYLES)]


def section_kinds(index: int, rng: random.Random) -> list[str]:
    """The kinds the writer means the sections to have, in page order."""
    kinds = ["other"] if rng.random() < 0.2 else []
    if index % 9 != 7:
        kinds += ["symptoms", "symptoms"] if index % 13 == 6 else ["symptoms"]
    kinds.append("causes")
    kinds += [kind for kind, p in (("diagnosis", 0.35), ("treatment", 0.5)) if rng.random() < p]
    if index % 9 != 4:
        kinds.append("prevention")
    kinds += [kind for kind in ("diet", "care") if rng.random() < 0.35]
    if "other" not in kinds and rng.random() < 0.4:
        kinds.append("other")
    return kinds


def build_sections(index: int, writer: Writer, style: Style) -> list[SectionModel]:
    """The sections of an original article, numbered and styled."""
    rng = writer.rng
    item_style = item_style_for(index, style.messy)
    kinds = section_kinds(index, rng)
    sections: list[SectionModel] = []
    used: set[str] = set()
    for position, kind in enumerate(kinds):
        number = position + 1 if style.heading in NUMBERED_HEADINGS else None
        heading = _fresh_heading(writer, kind, used, first=position == 0)
        blocks = _blocks(writer, kind, item_style if kind == "prevention" else "", style.messy)
        if style.heading in PLAIN_HEADINGS and number is not None:
            _avoid_heading_run(blocks, number, writer, kind)
        if kind == "prevention":
            _maybe_short_item(blocks, number, rng)
        sections.append(SectionModel(number, heading, blocks))
    return sections


def build_sized_sections(index: int, writer: Writer, style: Style, blocks: int) -> list[SectionModel]:
    """The sections of an original article asked to be ``blocks`` blocks long, counting
    each heading, each paragraph and each item (a run of items is as many blocks as it
    has entries, as the record lists them): the usual kinds, cut or added to so that
    sections stay a few blocks long, then the blocks shared out among them."""
    rng = writer.rng
    item_style = item_style_for(index, style.messy)
    kinds = _sized_kinds(index, rng, blocks)
    sizes = _share(blocks - len(kinds), len(kinds), rng)
    sections: list[SectionModel] = []
    used: set[str] = set()
    for position, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
        number = position + 1 if style.heading in NUMBERED_HEADINGS else None
        heading = _fresh_heading(writer, kind, used, first=position == 0)
        avoid = number if style.heading in PLAIN_HEADINGS else None
        if kind == "prevention":
            content = _sized_prevention(writer, item_style, size, avoid)
            _maybe_short_item(content, number, rng)
        else:
            content = _sized_blocks(writer, kind, style.messy, size, avoid)
        sections.append(SectionModel(number, heading, content))
    return sections


def _sized_kinds(index: int, rng: random.Random, blocks: int) -> list[str]:
    """The usual section kinds, cut to fit (a section takes two blocks at least) or added
    to (up to one section per :data:`SIZED_SECTION_BLOCKS` blocks), never past ten."""
    kinds = section_kinds(index, rng)[:min(MAX_SECTIONS, blocks // MIN_SECTION_BLOCKS)]
    wanted = min(MAX_SECTIONS, -(-blocks // SIZED_SECTION_BLOCKS))
    while len(kinds) < wanted:
        fresh = [kind for kind in EXTRA_KINDS if kind not in kinds]
        kinds.insert(rng.randint(1, len(kinds)), rng.choice(fresh or EXTRA_KINDS))
    return kinds


def _share(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split at random into ``parts`` sizes of one at least."""
    sizes = [1] * parts
    for _ in range(total - parts):
        sizes[rng.randrange(parts)] += 1
    return sizes


def _sized_prevention(writer: Writer, item_style: str, size: int, avoid: int | None) -> list[Block]:
    """A prevention section of ``size`` blocks: tips as paragraphs, or an item run with an
    intro and a closing line as ``_blocks`` writes them, after more prose if there is room."""
    rng = writer.rng
    if item_style != "paras":
        shape = rng.randrange(3)
        frame = [rng.choice(phrases.INTRO_TO_ITEMS)] if shape else []
        closing = [rng.choice(phrases.CLOSING)] if shape == 2 else []
        run = _item_run(writer, "prevention", item_style, size - len(frame) - len(closing), avoid)
        if run is not None:
            prose = size - len(frame) - len(closing) - len(run.entries)
            return [*(writer.paragraph("prevention") for _ in range(prose)), *frame, run, *closing]
    return [writer.paragraph("prevention", 1, 2) for _ in range(size)]


def _sized_blocks(writer: Writer, kind: str, messy: bool, size: int, avoid: int | None) -> list[Block]:
    """``size`` blocks of a section other than prevention: paragraphs, or (as often as
    ``_blocks`` has them) an intro and an item run, after more paragraphs if there is room."""
    rng = writer.rng
    if kind in ("symptoms", "treatment", "care") and rng.random() < 0.35:
        style = rng.choice(("ol", "ul") if messy else OTHER_ITEM_STYLES)
        run = _item_run(writer, kind, style, size - 1, avoid)
        if run is not None:
            prose = [writer.paragraph(kind) for _ in range(size - 1 - len(run.entries))]
            return [*prose, writer.paragraph(kind, 1, 2), run]
    return [writer.paragraph(kind) for _ in range(size)]


def _item_run(writer: Writer, kind: str, style: str, room: int, avoid: int | None) -> Items | None:
    """A run of three to ten items, no more than ``room`` (the caller writes prose for
    what is left), or ``None`` if none fits. A numbered run never has ``avoid`` items: under a plain heading
    numbered ``avoid`` the next heading would continue it (see ``_avoid_heading_run``)."""
    most = min(room, MAX_ITEMS, writer.most_items(kind))
    counts = [n for n in range(3, most + 1) if n != avoid or style not in NUMBERED_ITEMS]
    return Items(style, writer.items(kind, writer.rng.choice(counts))) if counts else None


def _fresh_heading(writer: Writer, kind: str, used: set[str], *, first: bool) -> str:
    if kind == "other" and first:
        heading = f"What is {writer.cond}"
    else:
        heading = writer.heading(kind)
        for _ in range(8):
            if heading not in used:
                break
            heading = writer.heading(kind)
    used.add(heading)
    return heading


def _blocks(writer: Writer, kind: str, item_style: str, messy: bool) -> list[Block]:
    """Paragraphs and items of one section; ``item_style`` is set for prevention."""
    rng = writer.rng
    if kind == "prevention":
        if item_style == "paras":
            return [writer.paragraph("prevention", 1, 2) for _ in range(rng.randint(2, 3))]
        items = Items(item_style, writer.items(kind, rng.randint(3, 6)))
        shape = rng.randrange(3)
        if shape == 0:
            return [items]
        intro = rng.choice(phrases.INTRO_TO_ITEMS)
        return [intro, items] if shape == 1 else [intro, items, rng.choice(phrases.CLOSING)]
    if kind in ("symptoms", "treatment", "care") and rng.random() < 0.35:
        style = rng.choice(("ol", "ul") if messy else OTHER_ITEM_STYLES)
        intro = writer.paragraph(kind, 1, 2)
        return [intro, Items(style, writer.items(kind, rng.randint(3, 6)))]
    return [writer.paragraph(kind) for _ in range(rng.randint(1, 3))]


def _avoid_heading_run(blocks: list[Block], number: int, writer: Writer, kind: str) -> None:
    """Keep a numbered item run from ending on ``number`` (then the next heading,
    ``number + 1``, would continue both runs and the page would be ambiguous)."""
    for block in blocks:
        if not isinstance(block, Items) or block.style not in NUMBERED_ITEMS:
            continue
        if len(block.entries) == number:
            if number > 3:
                block.entries.pop()
            else:
                block.entries.extend(writer.items(kind, 1))


def _maybe_short_item(blocks: list[Block], number: int | None, rng: random.Random) -> None:
    """Make one ``1.`` item short and unpunctuated (``3. Quit smoking``), at a number
    that continues the item run but not the heading run, as golden page 14 does."""
    for block in blocks:
        if isinstance(block, Items) and block.style == "dot" and len(block.entries) >= 4:
            choices = [m for m in range(2, len(block.entries)) if m != (number or 0) + 1]
            if choices and rng.random() < 0.6:
                block.entries[rng.choice(choices) - 1] = rng.choice(phrases.SHORT_ADVICE)


def near_edit(sections: list[SectionModel], rng: random.Random) -> int:
    """Change a few words of the section paragraphs in place; returns how many."""
    budget = rng.randint(2, 4)
    changed = 0
    for section in sections:
        for i, block in enumerate(section.blocks):
            if changed >= budget or not isinstance(block, str):
                continue
            new, count = SYNONYM_RE.subn(_swap, block, budget - changed)
            section.blocks[i] = new
            changed += count
    return changed


def _swap(match: re.Match[str]) -> str:
    return SWAPS[match.group(1)]


def summary_for(writer: Writer, lead: str, title: str, style: Style, cond_zh: str,
                room: int | None = None) -> list[str]:
    """Intro paragraphs: the lead, one or two more, the title first when repeated.
    ``room``: at most this many paragraphs besides the repeated title, so a sized article
    keeps the rest of its blocks for the sections (it leaves room for the lead and the
    Chinese name at least)."""
    paragraphs = [lead]
    if style.encoding == "gbk":
        paragraphs.append(f"In Chinese, {writer.cond} is called {cond_zh}, and many patients "
                          "search for it under that name.")
    most = 2 if room is None else min(2, room - len(paragraphs))
    paragraphs += [writer.paragraph("intro", 2, 3) for _ in range(writer.rng.randint(0, most))]
    return [title, *paragraphs] if style.title_repeated else paragraphs
