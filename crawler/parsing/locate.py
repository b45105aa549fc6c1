"""Find the landmarks of an article page: headline, body container, article region.

A profile's XPaths are tried first; without them (the generic profile) the headline is
the first visible, non-chrome ``<h1>`` and the body the element with the densest
paragraph text. The region (the nearest element holding both) is where prev/next
lines, the Recommend block and the date line are looked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from crawler.parsing.blocks import is_chrome
from crawler.parsing.text import element_text
from crawler.profiles import SiteProfile

_HIDDEN_STYLE = ("display:none", "visibility:hidden")
_PAGE_CHROME = frozenset({"header", "nav", "footer", "aside"})
_DENSITY_TAGS = ("p", "li", "pre", "blockquote", "td", "dd")
_MIN_PARAGRAPH_CHARS = 25


@dataclass(frozen=True, slots=True)
class Landmarks:
    """Where the parts of the article sit in the tree."""

    title: etree._Element | None
    container: etree._Element
    region: etree._Element


def locate(root: etree._Element, profile: SiteProfile) -> Landmarks:
    """The page's landmarks as the profile, or the page's own structure, gives them."""
    body = root.find("body")
    if body is None:
        body = root
    title = first_match(root, profile.title_xpaths)
    if title is None:
        title = _generic_title(body)
    container = first_match(root, profile.container_xpaths)
    if container is None:
        container = _densest(body)
    if title is not None:
        return Landmarks(title, container, _common_ancestor(title, container))
    parent = container.getparent()
    return Landmarks(None, container, parent if parent is not None else container)


def first_match(root: etree._Element, xpaths: tuple[str, ...]) -> etree._Element | None:
    """The first element the first matching XPath of ``xpaths`` finds."""
    for xpath in xpaths:
        found = compiled_xpath(xpath)(root)
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
    return None


@lru_cache(maxsize=256)
def compiled_xpath(xpath: str) -> etree.XPath:
    """Profiles hold XPaths as strings (data); compiling once per string saves the parse
    on every page. The cache holds only immutable compiled expressions."""
    return etree.XPath(xpath)


def is_hidden(element: etree._Element) -> bool:
    """Hidden by markup alone (CSS files are not applied)."""
    style = (element.get("style") or "").replace(" ", "").lower()
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or any(marker in style for marker in _HIDDEN_STYLE)
    )


def _generic_title(body: etree._Element) -> etree._Element | None:
    """The first visible ``<h1>`` outside page chrome with real text (not a template)."""
    for h1 in body.iter("h1"):
        text = element_text(h1)
        if not text or "{{" in text or "{%" in text:
            continue
        if any(is_hidden(e) for e in h1.iterancestors()) or is_hidden(h1):
            continue
        if any(a.tag in _PAGE_CHROME and not _inside_article(a) for a in h1.iterancestors()):
            continue
        return h1
    return None


def _inside_article(element: etree._Element) -> bool:
    return any(a.tag in ("article", "main") for a in element.iterancestors())


def _densest(body: etree._Element) -> etree._Element:
    """The element whose children hold the most paragraph text (readability-style score)."""
    scores: dict[etree._Element, float] = {}
    for tag in _DENSITY_TAGS:
        for paragraph in body.iter(tag):
            text_length = len(element_text(paragraph))
            if text_length < _MIN_PARAGRAPH_CHARS or any(is_chrome(a) for a in paragraph.iterancestors()):
                continue
            parent = paragraph.getparent()
            if parent is None:
                continue
            scores[parent] = scores.get(parent, 0.0) + text_length
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + text_length / 2
    return max(scores, key=scores.__getitem__) if scores else body


def _common_ancestor(first: etree._Element, second: etree._Element) -> etree._Element:
    ancestors = {id(first), *(id(a) for a in first.iterancestors())}
    if id(second) in ancestors:
        return second
    for candidate in second.iterancestors():
        if id(candidate) in ancestors:
            return candidate
    return second
