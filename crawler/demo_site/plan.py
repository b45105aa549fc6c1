"""The demo site's structure: which index is which article, its id, URL, category,
headline and neighbours, and which pages are copies, orphans or traps.

Everything is a pure function of ``(seed, index)`` so a page can be written without
holding the site in memory; the only per-site state is one byte of category per
article and a bounded cache of headlines (recommendations point near their page).
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from crawler.demo_site import phrases
from crawler.demo_site.prose import Writer
from crawler.demo_site.vocab import CATEGORIES, SYSTEM_BY_KEY, Category

ID_BASE = 100_001
"""Article ids have one width (6 digits) so URL order is id order (dedup tie-break)."""
PRIVATE_ID_BASE = 990_001
DEAD_ID_BASE = 980_001
OLD_ID_BASE = 970_001
ORPHAN_EVERY, ORPHAN_AT = 50, 37
COPY_EVERY = 25
HEAD_CACHE_SIZE = 2048
FIRST_DATE = datetime(2019, 3, 1, 8, 0)


@dataclass(frozen=True, slots=True)
class Head:
    """What other pages show of an article: headline, teaser, category, date."""

    index: int
    article_id: int
    category: Category
    cond: str
    cond_zh: str
    title: str
    lead: str
    """First summary paragraph; recommendation teasers are cut from it."""
    blurb: str
    published: datetime


def mix(*values: int) -> int:
    """A stable 64-bit hash of integers (splitmix64), for choices outside ``random``."""
    state = 0x9E3779B97F4A7C15
    for value in values:
        state = (state ^ value) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        state = (state ^ (state >> 31)) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
        state ^= state >> 29
    return state


class SitePlan:
    """Index-level facts of one generated site (``pages`` article pages under ``/p/``)."""

    def __init__(self, pages: int, seed: int, base_url: str,
                 article_blocks: tuple[int, int] | None = None) -> None:
        if pages < 1:
            raise ValueError(f"pages must be at least 1, got {pages}")
        self.pages = pages
        self.seed = seed
        self.article_blocks = article_blocks
        """``(low, high)`` body blocks an original has, or ``None`` (as its prose falls)."""
        self.base_url = base_url.rstrip("/")
        self.mobile_base_url = mobile_url(self.base_url)
        self.copies = pages // COPY_EVERY if pages >= 10 else 0
        self.originals = pages - self.copies
        self._heads: OrderedDict[int, Head] = OrderedDict()
        self.category_of = bytearray(self._category(i) for i in range(pages))

    # --- identity -------------------------------------------------------------------
    def article_id(self, index: int) -> int:
        return ID_BASE + index

    def path(self, index: int) -> str:
        return f"/p/{self.article_id(index)}.html"

    def url(self, index: int) -> str:
        return self.base_url + self.path(index)

    def rng(self, index: int, stream: int) -> random.Random:
        """The generator of one article's ``stream`` (0 head, 1 body, 2 links, 3 near edit,
        4 length)."""
        return random.Random(mix(self.seed, index, stream))

    def blocks_of(self, index: int) -> int | None:
        """How many body blocks original ``index`` has (``None``: no length asked for).
        A stream of its own, so the length does not shift the prose drawn after it."""
        if self.article_blocks is None:
            return None
        return self.rng(index, 4).randint(*self.article_blocks)

    # --- kinds ----------------------------------------------------------------------
    def is_copy(self, index: int) -> bool:
        return index >= self.originals

    def is_orphan(self, index: int) -> bool:
        """Orphans are linked from nowhere: only the sitemap leads to them."""
        return index < self.originals and index % ORPHAN_EVERY == ORPHAN_AT

    def is_linked(self, index: int) -> bool:
        return 0 <= index < self.pages and not self.is_orphan(index)

    def copy_kind(self, index: int) -> str:
        """``exact_copy`` or ``near_copy`` (alternating), for a copy index."""
        return "exact_copy" if (index - self.originals) % 2 == 0 else "near_copy"

    def source(self, index: int) -> int:
        """The original a copy republishes (itself for an original)."""
        if not self.is_copy(index):
            return index
        src = mix(self.seed, index, 7) % self.originals
        return src - 1 if self.is_orphan(src) else src

    def _category(self, index: int) -> int:
        return mix(self.seed, self.source(index), 3) % len(CATEGORIES)

    # --- neighbours -----------------------------------------------------------------
    def prev(self, index: int) -> int | None:
        j = index - 1
        while j >= 0 and self.is_orphan(j):
            j -= 1
        return j if j >= 0 else None

    def next(self, index: int) -> int | None:
        j = index + 1
        while j < self.pages and self.is_orphan(j):
            j += 1
        return j if j < self.pages else None

    def nearby(self, index: int, rng: random.Random, count: int) -> list[int]:
        """Up to ``count`` distinct linked articles near ``index`` (recommendations; near,
        so the headline cache serves them)."""
        low, high = max(0, index - 60), min(self.pages, index + 61)
        drawn = rng.sample(range(low, high), min(count + 6, high - low))
        return [j for j in drawn if j != index and not self.is_orphan(j)][:count]

    # --- headlines ------------------------------------------------------------------
    def head(self, index: int) -> Head:
        """The article's headline facts, cached because neighbours show them often."""
        cached = self._heads.get(index)
        if cached is not None:
            self._heads.move_to_end(index)
            return cached
        head = self._make_head(index)
        self._heads[index] = head
        if len(self._heads) > HEAD_CACHE_SIZE:
            self._heads.popitem(last=False)
        return head

    def published(self, index: int) -> datetime:
        """Publication time: ids grow with time, so a republished copy is newer."""
        return FIRST_DATE + timedelta(minutes=97 * index + mix(self.seed, index, 5) % 60)

    def _make_head(self, index: int) -> Head:
        published = self.published(index)
        if self.is_copy(index):
            return replace(self.head(self.source(index)), index=index,
                           article_id=self.article_id(index), published=published)
        category = CATEGORIES[self.category_of[index]]
        system = SYSTEM_BY_KEY[category.system]
        rng = self.rng(index, 0)
        cond, cond_zh = rng.choice(system.conditions)
        writer = Writer(rng, system, cond)
        title = writer.title()
        lead = writer.paragraph("intro", 2, 3)
        blurb = rng.choice(phrases.BLURBS)
        return Head(index, self.article_id(index), category, cond, cond_zh, title, lead,
                    blurb, published)


def mobile_url(base_url: str) -> str:
    """The ``m.`` alias of a desktop base URL (``www.`` replaced, else ``m.`` prefixed)."""
    scheme, _, rest = base_url.partition("://")
    host = rest.removeprefix("www.")
    return f"{scheme}://m.{host}"
