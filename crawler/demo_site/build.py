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


def summary_for(writer: Writer, lead: str, title: str, style: Style, cond_zh: str) -> list[str]:
    """Intro paragraphs: the lead, one or two more, the title first when repeated."""
    paragraphs = [lead]
    if style.encoding == "gbk":
        paragraphs.append(f"In Chinese, {writer.cond} is called {cond_zh}, and many patients "
                          "search for it under that name.")
    paragraphs += [writer.paragraph("intro", 2, 3) for _ in range(writer.rng.randint(0, 2))]
    return [title, *paragraphs] if style.title_repeated else paragraphs
