"""Find the landmarks of an article page: headline, body container, article region.

A profile's XPaths are tried first; without them (the generic profile) the headline is
the first visible, non-chrome ``<h1>`` and the body what follows it in the nearest element
holding it and the densest paragraph text (``generic``), its chrome cut later. The region
(the nearest element holding headline and body) is where prev/next lines, the Recommend
block and the date line are looked for.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from core.profiles import SiteProfile
from crawler.parsing.ancestors import common_ancestor
from crawler.parsing.generic import Density, densest_container, headline


class Landmarks:
    """Where the parts of the article sit in the tree. Read only; a plain class for mypyc
    to compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("title", "container", "region", "density")

    def __init__(self, title: etree._Element | None, container: etree._Element, region: etree._Element,
                 density: Density | None = None) -> None:
        self.title = title
        self.container = container
        """Where the body is; for the generic profile the region, still holding its chrome
        until ``generic.clean_article`` cuts it (after the page around it has been read)."""
        self.region = region
        self.density = density
        """Where no profile hint gave the container: where the page's running text is
        densest in the original tree, which tells an article from a listing (``page_type``)."""


def locate(root: etree._Element, profile: SiteProfile, names: tuple[str, ...] = ()) -> Landmarks:
    """The page's landmarks as the profile, or the page's own structure, gives them
    (``names``: what the page calls its article, for ``generic.headline``)."""
    body = child_named(root, "body")
    if body is None:
        body = root
    title = first_match(root, profile.title_xpaths)
    if title is None:
        title = headline(body, names)
    container = first_match(root, profile.container_xpaths)
    if container is None:
        return _generic_landmarks(body, title)
    if title is not None:
        return Landmarks(title, container, common_ancestor(title, container))
    return Landmarks(None, container, _parent_or_self(container))


def _generic_landmarks(body: etree._Element, title: etree._Element | None) -> Landmarks:
    """Without a container hint the article runs from the headline to the end of the
    nearest element holding it and the densest text: that region is the container, whose
    chrome ``generic.clean_article`` cuts once the page around it has been read."""
    density = densest_container(body, title)
    densest = density.densest
    region = common_ancestor(title, densest) if title is not None else _parent_or_self(densest)
    return Landmarks(title, region, region, density)


def _parent_or_self(element: etree._Element) -> etree._Element:
    parent = element.getparent()
    return parent if parent is not None else element


def child_named(element: etree._Element, tag: str) -> etree._Element | None:
    """The first child of ``element`` named ``tag``: what ``element.find(tag)`` answers,
    without ElementPath reading the path first, which costs twice the loop (asked for the
    page's ``<head>`` and ``<body>`` on every page)."""
    for child in element:
        if child.tag == tag:
            return child
    return None


def document_title(root: etree._Element) -> etree._Element | None:
    """The page's ``<title>``: the first one in any ``<head>`` of the root, as
    ``root.find("head/title")`` finds it (libxml2 keeps a second ``<head>`` a page repeats,
    and the title may be in that one)."""
    for head in root:
        if head.tag == "head" and (title := child_named(head, "title")) is not None:
            return title
    return None


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
