"""Finding the article on a page without site hints (the generic profile).

The headline is the first visible ``<h1>`` outside page chrome with real text; the body
is the element whose paragraphs hold the most text (a readability-style score: each
paragraph credits its parent fully and its grandparent by half). On a real site that
element is often one column or one list of the article, so the article itself is taken
as everything after the headline in the nearest element holding both, with the chrome
boxes found there (menus, related lists, sign-up banners, teaser cards) cut out.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from crawler.parsing.ancestors import is_inside
from crawler.parsing.blocks import is_chrome
from crawler.parsing.chrome import ChromeRule
from crawler.parsing.chrome_walk import chrome_boxes
from crawler.parsing.dates import iso_date
from crawler.parsing.page_walk import holds_one_of, holds_several, out_of_sight
from crawler.parsing.rules import (
    CHROME_BOX_MAX_CHARS,
    CHROME_BOX_TAGS,
    CHROME_BOX_TEXT,
    CHROME_HEADINGS,
    CHROME_MARKERS,
    CHROME_TAGS,
    DENSITY_TAGS,
    GENERIC_CHROME_MARKERS,
    HEADING_TAGS,
    MEDIA_CAPTIONS,
    MIN_PARAGRAPH_CHARS,
    SECTION_HEADING_TAGS,
    marked_by,
)
from crawler.parsing.running_text import ElementLengths, running_text
from crawler.parsing.text import Lengths, element_text, xml_text

_TRAILING_PUNCTUATION = " :：?？!.…"


def headline(body: etree._Element, names: tuple[str, ...] = ()) -> etree._Element | None:
    """The displayed headline: of the visible ``<h1>`` outside page chrome with real text
    (not a template), the first that agrees with the most trusted of the ``names`` the
    page gives its article (structured data, ``og:title``, ``<title>``) that any agrees
    with, else the first. A page whose ``<h1>`` is its logo or a chrome box's title, with
    the headline in an ``<h2>``: the first ``<h2>``/``<h3>`` that agrees."""
    candidates = [h1 for h1 in body.iter("h1") if _shown(h1)]
    for name in (name.casefold() for name in names if name):
        for heading in candidates:
            if _agrees(element_text(heading).casefold(), name):
                return heading
    for name in (name.casefold() for name in names if name):
        for heading in body.iter("h2", "h3"):
            if _agrees(element_text(heading).casefold(), name) and _shown(heading):
                return heading
    return candidates[0] if candidates else None


def _shown(heading: etree._Element) -> bool:
    text = element_text(heading)
    if not text or "{{" in text or "{%" in text:
        return False
    return not out_of_sight(heading)


_MIN_NAME_SHARE = 0.6
"""A heading agrees with a name the page gives its article when one holds the other and
the shorter is at least this share of the longer (a ``<title>`` keeps a site suffix)."""


def _agrees(text: str, name: str) -> bool:
    shorter, longer = sorted((text, name), key=len)
    return bool(shorter) and shorter in longer and len(shorter) >= _MIN_NAME_SHARE * len(longer)


class Density:
    """Where a page's running text is densest, and the list of links that outweighs it.
    Read only; a plain class for mypyc to compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("densest", "link_list", "running_text")

    def __init__(self, densest: etree._Element, link_list: etree._Element | None,
                 running_text: bool = True) -> None:
        self.densest = densest
        self.link_list = link_list
        """The element densest in link text when its link text is more than
        :data:`_LINKS_OUTWEIGH` times the densest running text: on a listing of bare links
        the densest running text is a footer note, and the page is its links."""
        self.running_text = running_text
        """False for a page without a paragraph of running text (a menu of subcategories)."""


_LINKS_OUTWEIGH = 2.0


def densest_container(body: etree._Element, headline: etree._Element | None = None) -> Density:
    """The element whose children hold the most running text (readability-style score:
    each paragraph credits its parent fully and its grandparent by half). A paragraph is
    a ``p``, ``li``... element, or the text a ``<div>`` holds itself between its children
    (a blog post written as lines split by ``<br>``). A paragraph's link text does not
    count: a list of links (a sidebar's "most read", a menu) is no article however long
    it is; it is scored apart, for ``link_list``. A page with no running text at all is
    its links. Chrome holds no paragraphs, but what holds the ``headline`` is not chrome
    whatever its class (Blogger's ``<div class="widget Blog">`` around the post). The
    measures come from one walk over the paragraphs (``running_text``); each parent's
    are summed there and credited once (a column holds dozens of paragraphs), to the same
    scores in the same order."""
    prose: dict[etree._Element, float] = {}
    linked: dict[etree._Element, float] = {}
    read = running_text(body, _DENSITY_CHROME, headline)
    for parent, (running, linking) in read.totals.items():
        _credit(prose, parent, running, linked, linking)
    for div, own in read.divs:
        _credit(prose, div, own)
    links = max(linked, key=linked.__getitem__) if linked else None
    text = max(prose, key=prose.__getitem__) if prose else None
    if text is None or not prose[text]:
        return Density(links if links is not None else body, links, False)
    outweighs = links is not None and linked[links] > _LINKS_OUTWEIGH * prose[text]
    return Density(text, links if outweighs else None, True)


def _credit(prose: dict[etree._Element, float], parent: etree._Element, text: int,
            linked: dict[etree._Element, float] | None = None, links: int = 0) -> None:
    """A paragraph's running ``text`` (and ``links``, when ``linked`` scores them) credited
    to its ``parent`` in full and to the grandparent by half."""
    grandparent = parent.getparent()
    prose[parent] = prose.get(parent, 0.0) + text
    if grandparent is not None:
        prose[grandparent] = prose.get(grandparent, 0.0) + text / 2
    if linked is not None:
        linked[parent] = linked.get(parent, 0.0) + links
        if grandparent is not None:
            linked[grandparent] = linked.get(grandparent, 0.0) + links / 2


_NEVER_CHROME = frozenset({"form", "body", "html", "main", "article"})
"""Never chrome for the density score, whatever their classes say: ASP.NET pages wrap the
whole page in a ``<form>`` (and a search or comment form holds no long paragraphs
anyway); themes class ``<body>`` and ``<article>`` by the layout around them
(``content-sidebar``, ``has-sidebar``)."""


_PAGE_FOOTER = re.compile(r"(?:^|[\s_-])(?:footer|site-?footer|colophon)(?=$|[\s_-])")
"""A page footer by class or id (``<div class="footer">``): its disclaimer is no article."""


_DENSITY_CHROME = ChromeRule(
    CHROME_TAGS, marked_by(re.compile(f"{CHROME_MARKERS.pattern}|{_PAGE_FOOTER.pattern}")),
    by_tag=dict.fromkeys(_NEVER_CHROME), unless_holding=frozenset({"main", "article"}))
"""Chrome for the density score (see :data:`_NEVER_CHROME`): what ``is_chrome`` says, and
a page footer; but not a wrapper whose class names the sidebar beside the article it holds
(``content-sidebar-wrap``)."""


def clean_article(
    region: etree._Element, title: etree._Element | None, body: etree._Element
) -> etree._Element:
    """``region`` made the article, in place: what precedes the headline, and chrome
    boxes, removed; returns ``region``.

    In place, so it comes after everything read from the page around the article
    (breadcrumbs, prev/next, the Recommend block, the page type): the tree is not the
    page's any more afterwards. ``body`` is the densest element: neither it nor what holds
    it is chrome (:func:`_unmark_wrappers`).
    """
    region.tail = None
    if title is not None and title is not region:
        _drop_up_to(title, region)
    _unmark_wrappers(body, region)
    if title is not None:
        _drop_lead_in(body, region)
    lengths = ElementLengths()
    for element in chrome_boxes(region, _BOX_CHROME,
                                lambda heading: _heading_chrome(heading, region, lengths)):
        _drop(element)
    if holds_one_of(region, SECTION_HEADING_TAGS):
        # A page whose sections are heading elements uses bold for emphasis and labels,
        # and those must not start sections.
        etree.strip_tags(region, "strong", "b")
    return region


def _unmark_wrappers(densest: etree._Element, article: etree._Element) -> None:
    """The elements holding the densest text are the article's wrappers, whatever their
    tags and classes say: a ``<form>`` around the page (ASP.NET) becomes a ``<div>``, and a
    wrapper classed like chrome (``<article class="content widget">``) loses its class and
    id, so neither the chrome boxes nor the block walk take the article for chrome."""
    wrapper: etree._Element | None = densest
    while wrapper is not None:
        if wrapper.tag in CHROME_TAGS:
            wrapper.tag = "div"
        if is_chrome(wrapper) or _BOX_CHROME.is_chrome(wrapper):
            for name in ("class", "id"):
                wrapper.attrib.pop(name, None)
        if wrapper is article:
            break
        wrapper = wrapper.getparent()


def _drop_up_to(element: etree._Element, top: etree._Element) -> None:
    """Remove ``element`` and everything before it in document order inside ``top`` (the
    page above the headline and the headline itself); nothing when ``element`` is not
    inside ``top`` (a malformed page can put it elsewhere)."""
    if not is_inside(element, top):
        return
    node = element
    while node is not top:
        parent = node.getparent()
        for sibling in list(node.itersiblings(preceding=True)):
            parent.remove(sibling)
        parent.text = None
        node = parent
    _drop(element)


def _drop_lead_in(densest: etree._Element, top: etree._Element) -> None:
    """Between the headline and the densest text sit byline, date and share lines: drop
    what there (inside ``top``) holds neither a section heading nor a paragraph of real text.
    A densest element that went with what preceded the headline is outside ``top``: nothing
    of the article is dropped for it."""
    node = densest
    while node is not top:
        parent = node.getparent()
        if parent is None:
            return
        for sibling in list(node.itersiblings(preceding=True)):
            if not _holds_content(sibling):
                parent.remove(sibling)
        node = parent


def _holds_content(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return False
    # a C walk first tells most lines (a byline, share buttons) apart without an iterator
    if holds_one_of(element, SECTION_HEADING_TAGS) and any(
            not _is_byline(heading) for heading in element.iter(*SECTION_HEADING_TAGS)):
        return True
    return holds_one_of(element, _DENSITY_NAMES) and any(
        len(element_text(p)) >= MIN_PARAGRAPH_CHARS for p in element.iter(*DENSITY_TAGS))


_BYLINE_CHARS = 60
_DENSITY_NAMES = frozenset(DENSITY_TAGS)


def _is_byline(heading: etree._Element) -> bool:
    """A short heading that holds a date is the byline or date line above the text
    ("Source: ... 2024-04-23 12:27"), not a section's title."""
    text = element_text(heading)
    return len(text) <= _BYLINE_CHARS and iso_date(text) is not None


def _drop(element: etree._Element) -> None:
    """Remove ``element`` and its subtree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = xml_text((previous.tail or "") + element.tail)
        else:
            parent.text = xml_text((parent.text or "") + element.tail)
    parent.remove(element)


_BOX_CHROME = ChromeRule(
    CHROME_BOX_TAGS, marked_by(re.compile(f"{CHROME_MARKERS.pattern}|{GENERIC_CHROME_MARKERS.pattern}")),
    by_tag={"form": marked_by(GENERIC_CHROME_MARKERS)})
"""Chrome boxes of the article: by ``is_chrome``'s tags and markers, or by the generic
profile's markers; a ``<form>`` by the latter only (ASP.NET wraps whole pages in one)."""


def _heading_chrome(heading: etree._Element, article: etree._Element,
                    lengths: Lengths) -> list[etree._Element]:
    """What a heading's chrome reading removes: its box when the heading titles a chrome
    box (by its words, as a teaser link, or as a sign-up box); nothing otherwise."""
    text = element_text(heading).rstrip(_TRAILING_PUNCTUATION)
    if not text:
        return []
    caption, chrome = _heading_words(text)
    if caption:
        return [heading]
    box = _box(heading, article, lengths)
    box_text = element_text(box) if box is not heading else text
    if chrome:
        return [box] if box is not heading else [heading, *_section_after(heading)]
    if _is_teaser(heading, article) or (box is not heading and CHROME_BOX_TEXT.search(box_text)):
        return [box]
    return []


@lru_cache(maxsize=4096)
def _heading_words(text: str) -> tuple[bool, bool]:
    """Whether a heading's ``text`` captions a media player (:data:`MEDIA_CAPTIONS`), and
    whether it titles a chrome box (:data:`CHROME_HEADINGS`): answered once per text, since
    a site's pages share most of their headings, and a search through either alternation
    costs more than the rest of a heading's reading."""
    return MEDIA_CAPTIONS.match(text) is not None, CHROME_HEADINGS.fullmatch(text) is not None


def _box(heading: etree._Element, article: etree._Element, lengths: Lengths) -> etree._Element:
    """The largest ancestor of ``heading`` that holds no other heading and little text:
    the card, panel or banner the heading titles (the heading itself in flat text). A
    climb of a step or two, each asking one element whether it holds a second heading
    (a walk of its subtree that stops there), instead of counting every heading's
    ancestors for the few asked."""
    box = heading
    parent = heading.getparent()
    while parent is not None and parent is not article and not holds_several(parent, HEADING_TAGS):
        if lengths.longer_than(parent, CHROME_BOX_MAX_CHARS):
            break
        box = parent
        parent = parent.getparent()
    return box


def _section_after(heading: etree._Element) -> list[etree._Element]:
    """Siblings after a heading up to the next heading: its part of a flat text."""
    following: list[etree._Element] = []
    for sibling in heading.itersiblings():
        if isinstance(sibling.tag, str) and holds_one_of(sibling, HEADING_TAGS):
            break
        following.append(sibling)
    return following


def _is_teaser(heading: etree._Element, article: etree._Element) -> bool:
    """A heading inside a link, or whose whole text is one link to another page, titles
    a teaser card for another article."""
    ancestor = heading.getparent()  # a climb of a step or two: no lxml iterator to set up
    while ancestor is not None and ancestor is not article:
        if ancestor.tag == "a":
            return True
        ancestor = ancestor.getparent()
    if not len(heading):  # most headings are plain text: no link inside
        return False
    links = [a for a in heading.iter("a") if element_text(a)]
    if len(links) != 1:
        return False
    href = (links[0].get("href") or "").strip()
    return bool(href) and not href.startswith(("#", "javascript:")) and (
        element_text(links[0]) == element_text(heading)
    )
