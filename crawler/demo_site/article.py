"""Assembles one article page's content model: body from the original (so a copy says
what its original says), links and traps from the page's own place in the site."""

from __future__ import annotations

import random

from crawler.demo_site.build import (
    MIN_SECTION_BLOCKS,
    build_sections,
    build_sized_sections,
    near_edit,
    style_for,
    summary_for,
)
from crawler.demo_site.model import ArticleModel, LinkModel, RecModel, Style
from crawler.demo_site.plan import DEAD_ID_BASE, PRIVATE_ID_BASE, SitePlan
from crawler.demo_site.prose import Writer
from crawler.demo_site.vocab import SYSTEM_BY_KEY

TRACKING_QUERY = "?utm_source=recommend&utm_medium=pc&spm=rec.1"
PDF_PATH = "/files/health-guide.pdf"
DEAD_LINKS = 5
PRIVATE_PAGES = 3


def build_article(plan: SitePlan, index: int) -> ArticleModel:
    """The full content model of the article page at ``index``."""
    source = plan.source(index)
    kind = plan.copy_kind(index) if plan.is_copy(index) else (
        "orphan" if plan.is_orphan(index) else "original")
    head = plan.head(index)
    style = style_for(source)
    writer = Writer(plan.rng(source, 1), SYSTEM_BY_KEY[head.category.system], head.cond)
    pdf = LinkModel("Download the PDF guide", PDF_PATH) if source % 50 == 25 else None
    blocks = plan.blocks_of(source)
    # the summary leaves a sized article one section at least, and the PDF line its place
    room = None if blocks is None else blocks - MIN_SECTION_BLOCKS - (pdf is not None)
    summary = summary_for(writer, head.lead, head.title, style, head.cond_zh, room)
    if pdf is not None:
        summary.append("A printable version of this guide is available: Download the PDF guide")
    if blocks is None:
        sections = build_sections(source, writer, style)
    else:
        shown = len(summary) - style.title_repeated  # the repeated title is no summary paragraph
        sections = build_sized_sections(source, writer, style, blocks - shown)
    article = ArticleModel(index=index, kind=kind, source=source, head=head, style=style,
                           summary=summary, sections=sections, pdf=pdf)
    if kind == "near_copy":
        article.changed_words = near_edit(sections, plan.rng(index, 3))
    _add_links(plan, article)
    return article


def href(plan: SitePlan, target: int, style: Style, *, allow_relative: bool = True) -> str:
    """How a page in ``style`` writes a link to article ``target`` (all pages with a
    ``relative`` style live in ``/p/``, so the file name alone is a valid link)."""
    path = plan.path(target)
    if style.links == "absolute":
        return plan.base_url + path
    if style.links == "relative" and allow_relative:
        return path.rsplit("/", 1)[1]
    return path


def _add_links(plan: SitePlan, article: ArticleModel) -> None:
    index, style = article.index, article.style
    rng = plan.rng(index, 2)
    for attr, target in (("prev", plan.prev(index)), ("next", plan.next(index))):
        if target is not None:
            link = LinkModel(plan.head(target).title, href(plan, target, style))
            setattr(article, attr, link)
    targets = plan.nearby(index, rng, rng.randint(8, 14))
    article.recs = [_rec(plan, target, style, rng) for target in targets]
    if index % 40 == 15:
        article.private_href = f"/private/p/{PRIVATE_ID_BASE + index % PRIVATE_PAGES}.html"


def _rec(plan: SitePlan, target: int, style: Style, rng: random.Random) -> RecModel:
    """One Recommend entry; a few are traps (tracking URL, mobile host, dead link)."""
    head = plan.head(target)
    desc = _desc(head.lead, head.blurb, rng.random())
    roll = rng.random()
    if roll < 0.03:
        return RecModel(head.title, href(plan, target, style, allow_relative=False) + TRACKING_QUERY, desc,
                        alias_of=target)
    if roll < 0.05:
        return RecModel(head.title, plan.mobile_base_url + plan.path(target), desc,
                        alias_of=target)
    if roll < 0.07:
        dead = f"/p/{DEAD_ID_BASE + target % DEAD_LINKS}.html"
        return RecModel(head.title, dead, desc, dead=True)
    return RecModel(head.title, href(plan, target, style), desc)


def _desc(lead: str, blurb: str, roll: float) -> str | None:
    """The teaser as displayed: cut at 49 characters with an ellipsis, shown whole,
    or absent, mixed as on golden page 09."""
    if roll < 0.70:
        return lead[:49] + "..." if len(lead) > 49 else lead
    if roll < 0.78:
        return lead[:49] + "…" if len(lead) > 49 else lead
    if roll < 0.88:
        return blurb
    return None
