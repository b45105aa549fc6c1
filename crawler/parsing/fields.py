"""Field functions for the page-level fields: title, language, canonical URL,
breadcrumbs, publication date. Each takes the tree (or a landmark) and returns a value."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from core.profiles import SiteProfile
from core.text import normalize
from core.urls import canonicalize_url, plain_url_parts, same_site
from crawler.parsing.dates import date_line, iso_date, url_date, url_month
from crawler.parsing.locate import child_named, document_title, first_match
from crawler.parsing.page_walk import marked_trail, mentions
from crawler.parsing.structured import ARTICLE_TYPES, StructuredData
from crawler.parsing.text import element_text

_TITLE_SUFFIX = re.compile(r"\s*(?:[|_–—]|\s-\s).*$")
"""A ``<title>``'s site suffix ("... | Wellness Daily", "... - Site"): from the first
separator, with the whitespace before it, to the end (:func:`without_site_suffix`)."""
_SUFFIX_MARKS = "|_–—"
_DATE_META = ("article:published_time", "datepublished", "pubdate", "publishdate", "date")
ROBOTS_META_NAMES = frozenset({"robots", "healthcrawl"})
"""Metas whose directives add up (``robots``, and ``healthcrawl``: the bot's own)."""


def head_metas(root: etree._Element) -> dict[str, str]:
    """``<meta>`` values keyed by lower-cased name, property, itemprop or http-equiv: the
    first of each, except that the directives of every :data:`ROBOTS_META_NAMES` meta are
    joined with commas, as crawlers combine them."""
    metas: dict[str, str] = {}
    head = child_named(root, "head")
    for meta in (head if head is not None else root).iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content is not None:
            key = key.strip().lower()
            if key in metas and key in ROBOTS_META_NAMES:
                metas[key] = f"{metas[key]},{content.strip()}"
            else:
                metas.setdefault(key, content.strip())
    return metas


def title_text(title: etree._Element | None, root: etree._Element, metas: dict[str, str]) -> str:
    """The headline element's text; else og:title; else ``<title>`` without the site suffix."""
    if title is not None:
        text = element_text(title)
        if text:
            return text
    if metas.get("og:title"):
        return normalize(metas["og:title"])
    title_element = document_title(root)
    if title_element is None:
        return ""
    return without_site_suffix(normalize(title_element.text or ""))


def without_site_suffix(title: str) -> str:
    """``title`` without its site suffix: what ``_TITLE_SUFFIX.sub("", title)`` gives, found
    by a few ``str.find`` instead of the regex, which tries its leading ``\\s*`` at every
    character (2.6 us for a title of 90 characters, read twice a page). A title holding a
    line break, which ``.`` does not cross, is left to the regex."""
    if "\n" in title:
        return _TITLE_SUFFIX.sub("", title)
    end = len(title)
    for mark in _SUFFIX_MARKS:
        at = title.find(mark, 0, end)
        if at >= 0:
            end = at
    dash = title.find("-", 1, end)
    while dash > 0:
        if dash + 1 < len(title) and title[dash - 1].isspace() and title[dash + 1].isspace():
            end = dash - 1  # the separator " - " starts at its first space
            break
        dash = title.find("-", dash + 1, end)
    if end == len(title):
        return title
    while end > 0 and title[end - 1].isspace():
        end -= 1
    return title[:end]


def article_names(data: StructuredData, metas: dict[str, str], root: etree._Element) -> tuple[str, ...]:
    """What the page calls its article, most trusted first: the structured data's
    ``headline`` (or ``name``), ``og:title``, ``twitter:title``, the ``<title>`` without
    its site suffix."""
    document = document_title(root)
    page_title = None if document is None else without_site_suffix(normalize(document.text or ""))
    names = (data.first("headline"), data.first("name", ARTICLE_TYPES, only=True),
             metas.get("og:title"), metas.get("twitter:title"), page_title)
    return tuple(dict.fromkeys(normalize(name) for name in names if name))


def language(root: etree._Element, metas: dict[str, str]) -> str | None:
    """``<html lang>``, else ``<meta http-equiv="Content-Language">``."""
    lang = str(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    if lang.strip():
        return lang.strip()
    return metas.get("content-language") or None


def canonical_url(root: etree._Element, url: str, profile: SiteProfile) -> str:
    """The page's ``<link rel=canonical>`` resolved against ``url`` when it is a credible
    claim, else ``url`` canonicalized. Passed over: a link that is no valid URL (a port out
    of range, a broken IPv6 host), off-site, or evidently not this page (see
    :func:`_contradicts`)."""
    own: str | None = None
    head = child_named(root, "head")
    for link in (head if head is not None else root).iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            href = str(link.get("href", "")).strip()
            if href == url and _joins_to_itself(url):  # the page names itself, as most do
                return url
            try:
                resolved = urljoin(url, href)
                if resolved == url:  # the page names itself: nothing to check
                    return resolved
                own = own or canonicalize_url(url, profile.host_aliases)
                if same_site(resolved, url, profile.host_aliases) and not _contradicts(
                        canonicalize_url(resolved, profile.host_aliases), own, profile):
                    return resolved
            except ValueError:
                continue
    return own or canonicalize_url(url, profile.host_aliases)


def _joins_to_itself(url: str) -> bool:
    """Whether ``urljoin(url, url)`` is ``url``, told without parsing it twice (it costs
    more than the rest of the field): a plain http(s) URL (``core.urls.plain_url_parts``)
    with a host, and without an empty query, fragment or last-segment parameters, which
    ``urlunsplit`` drops."""
    parts = plain_url_parts(url)
    if parts is None or not parts[0]:
        return False
    _, path, query = parts
    before_fragment, hashed, fragment = url.partition("#")
    if (hashed and not fragment) or (not query and before_fragment.endswith("?")):
        return False
    semicolon = path.find(";", max(path.rfind("/"), 0))  # where urlparse's parameters start
    return semicolon < 0 or semicolon < len(path) - 1


def _contradicts(claimed: str, own: str, profile: SiteProfile) -> bool:
    """True when a canonical link evidently names another page than the one fetched: the
    site's home page for a page that is not it (sites that point every page home), or a
    URL without an article id for a URL that has one (a section or listing page)."""
    if claimed == own:
        return False
    parts = urlsplit(claimed)
    if parts.path == "/" and not parts.query:
        return True
    return profile.article_id(own) is not None and profile.article_id(claimed) is None


def breadcrumbs(root: etree._Element, profile: SiteProfile, source: str | bytes | None = None) -> list[str]:
    """Link texts of the category trail; its label and separators are not entries.
    ``source``: the page as fetched, when at hand: a page whose source never says
    "breadcrumb" has no element marked so, and is not walked to find one."""
    trail = first_match(root, profile.breadcrumb_xpaths)
    if trail is None:
        trail = marked_trail(root) if source is None or _mentions_breadcrumb(source) else None
        if trail is None:
            trail = _labelled(root, profile.crumb_labels)
    if trail is None:
        return []
    return [text for text in (element_text(a) for a in trail.iter("a")) if text]


def _mentions_breadcrumb(source: str | bytes) -> bool:
    """Whether the source holds "breadcrumb" in any case. A page in an encoding that is not
    ASCII-compatible (UTF-16 and UTF-32 put NUL bytes beside each ASCII letter) cannot be
    told from its bytes, and is assumed to."""
    if isinstance(source, str):
        return "readcrumb" in source.lower()
    return mentions(source, b"readcrumb") or source.find(b"\x00", 0, 4096) != -1


def _labelled(root: etree._Element, labels: tuple[str, ...]) -> etree._Element | None:
    """The first element whose own text starts with one of the ``labels`` ("You are here:"),
    or its parent when the label is all it holds. A text whose first character is visible
    starts its normalized text with it: one character tells most texts apart, unread."""
    firsts = frozenset(label[0] for label in labels) if all(labels) else None
    for element in root.iter("div", "p", "span", "nav"):
        text = element.text or ""
        if firsts is not None and text[:1] not in firsts and text[:1].isprintable() and text[:1] != " ":
            continue
        if normalize(text).startswith(labels):
            return element if len(element) else element.getparent()
    return None


def published_at(
    region: etree._Element, body: etree._Element, metas: dict[str, str], profile: SiteProfile,
    declared: str | None = None, title: etree._Element | None = None, url: str = "",
) -> str | None:
    """The article's own date, from the evidence the page gives, most trusted first: its
    structured data (``declared``: JSON-LD ``datePublished``), a meta tag
    (``article:published_time``), a ``<time datetime>`` or an element marked
    ``itemprop="datePublished"`` ahead of the ``body``, a date line
    there (labelled "Published:", or after the ``title`` a short line that is a date with
    at most a few words around it), and last the URL (``/2023/05/14/``). Only what comes
    before the body counts: comments and teasers after it carry dates of their own (but see
    :func:`_dated_as_filed`). A time stated in UTC is read in the page's own zone when the
    page states that too (:func:`_in_page_zone`)."""
    stated = [claim for claim in (declared, *(metas.get(key) for key in _DATE_META)) if claim]
    for claim in stated:
        if date := iso_date(claim):
            return _in_page_zone(claim, stated) or date
    after_title = title is None
    for element in region.iter():
        if element is body:
            break
        if element is title:
            after_title = True
        if element.tag == "time" and (value := iso_date(element.get("datetime") or "")):
            return value
        if element.get("itemprop") == "datePublished" and (value := iso_date(_microdata_value(element))):
            return value
        own = normalize(element.text or "")
        if own.startswith(profile.date_labels) and (value := iso_date(element_text(element))):
            return value
        if after_title and (value := date_line(own)):
            return value
    return url_date(url) or _dated_as_filed(region, body, url_month(url))


def _dated_as_filed(region: etree._Element, body: etree._Element, month: str | None) -> str | None:
    """On a page the URL files under a year and month only (``/2017/05/``), the first date
    line from the body on that falls in that month: a blog's post footer ("Posted on May 3,
    2017"). Comments come later, and a comment of the same month comes after the post's line."""
    if month is None:
        return None
    reached = False
    for element in region.iter():
        reached = reached or element is body
        if reached and (value := date_line(normalize(element.text or ""))) and value.startswith(month):
            return value
    return None


def _in_page_zone(value: str, stated: list[str]) -> str | None:
    """A time stated in UTC (``2019-10-18T22:04:00Z``) as the page states the same instant
    in its own zone elsewhere (``Sat, 19 Oct 2019 00:04:00 +0200``): the reader's date is
    the local one. None when ``value`` is no UTC time or no other statement agrees."""
    instant = _instant(value)
    if instant is None or instant.utcoffset() != timedelta(0):
        return None
    for other in stated:
        local = _instant(other)
        if local is not None and local.utcoffset() and local == instant:
            return iso_date(local.replace(tzinfo=None).isoformat())
    return None


def _instant(value: str) -> datetime | None:
    """An ISO-8601 or RFC 2822 time with its zone; None without one, or unreadable."""
    for read in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            moment = read(value.strip())
        except (ValueError, TypeError, IndexError):
            continue
        return moment if moment.tzinfo is not None else None
    return None


def _microdata_value(element: etree._Element) -> str:
    """A microdata property's value outside ``<meta>``: its ``content`` or ``datetime``,
    else its text."""
    return element.get("content") or element.get("datetime") or element_text(element)
