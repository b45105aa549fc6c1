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

from crawler.parsing.generic import densest_container, headline
from crawler.profiles import SiteProfile


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
        title = headline(body)
    container = first_match(root, profile.container_xpaths)
    if container is None:
        container = densest_container(body)
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


def _common_ancestor(first: etree._Element, second: etree._Element) -> etree._Element:
    ancestors = {id(first), *(id(a) for a in first.iterancestors())}
    if id(second) in ancestors:
        return second
    for candidate in second.iterancestors():
        if id(candidate) in ancestors:
            return candidate
    return second
