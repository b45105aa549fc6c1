"""The content model of one demo article page: what it says (summary, sections, items)
and how it is marked up (heading and item styles, encoding, labels, link forms).

The page HTML (``layout.py``) and its expected record (``truth.py``) are both rendered
from this model, so the truth never depends on parsing the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.demo_site.plan import Head

HEADING_STYLES = ("plain", "h2_num", "h2", "strong_num", "strong", "strong_dun", "cn")
"""plain ``<p>1. X</p>``, ``<h2>1. X</h2>``, ``<h2>X</h2>``, ``<p><strong>1. X</strong></p>``,
``<p><strong>X</strong></p>``, ``<p><strong>1、X</strong></p>``, plain ``<p>一、X</p>``."""
NUMBERED_HEADINGS = frozenset({"plain", "h2_num", "strong_num", "strong_dun", "cn"})
PLAIN_HEADINGS = frozenset({"plain", "cn"})
"""Heading styles marked up like items: only their numbering tells them apart."""

ITEM_STYLES = ("dot", "ol", "ul", "paren", "br", "dun", "circled", "step", "dash", "paras")
"""``1.`` paragraphs, ``<ol>``, ``<ul>``, ``(1)``, ``<br>`` lines, ``1、``, ``①``, ``Step 1:``,
``- `` bullets, and (prevention only) plain paragraphs that count as items."""
NUMBERED_ITEMS = frozenset({"dot", "paren", "br", "dun", "circled", "step"})


@dataclass(slots=True)
class Items:
    """An enumerated run of entries in one markup style."""

    style: str
    entries: list[str]


Block = str | Items
"""A body block: a paragraph (its text) or a run of items."""


@dataclass(slots=True)
class SectionModel:
    """A section as written: its number (``None`` if unnumbered), heading and blocks."""

    number: int | None
    heading: str
    blocks: list[Block]


@dataclass(frozen=True, slots=True)
class LinkModel:
    """A link as written on the page: its text and its ``href`` exactly as in the HTML."""

    title: str
    href: str


@dataclass(frozen=True, slots=True)
class RecModel:
    """A Recommend entry: link, teaser as displayed (with its ellipsis) or ``None``."""

    title: str
    href: str
    desc: str | None
    alias_of: int | None = None
    """Index of the article this href is a second URL of (tracking or mobile link)."""
    dead: bool = False
    """True when the href leads to a 404."""


@dataclass(slots=True)
class Style:
    """How an article is marked up; a copy keeps its original's style."""

    heading: str
    encoding: str = "utf-8"
    messy: bool = False
    wrapped: bool = False
    date: str | None = None
    """``datetime``, ``date`` or ``None`` (no date line)."""
    word_labels: bool = False
    """``Previous:``/``Next:`` instead of ``<<:``/``>>:``."""
    rec_label: str = "Recommend"
    links: str = "root"
    """How article links are written: ``absolute``, ``root`` (``/p/1.html``), ``relative``."""
    title_repeated: bool = False


@dataclass(slots=True)
class ArticleModel:
    """Everything one article page shows."""

    index: int
    kind: str
    """``original``, ``orphan``, ``exact_copy`` or ``near_copy``."""
    source: int
    head: Head
    style: Style
    summary: list[str]
    sections: list[SectionModel]
    pdf: LinkModel | None = None
    """A PDF link closing the last summary paragraph (its text ends that paragraph)."""
    prev: LinkModel | None = None
    next: LinkModel | None = None
    recs: list[RecModel] = field(default_factory=list)
    private_href: str | None = None
    """A sidebar link into ``/private/`` (robots-disallowed)."""
    changed_words: int = 0
    """For a near copy: how many words differ from the original."""
