"""The fuzz targets: one property each, over one strategy of inputs.

A target fails when its property does: the parser raises anything but
``UnusableDocumentError`` (or the ``ValueError`` of a page URL that is no URL); the
sitemap reader raises anything but ``BadSitemap``, or expands an entity; protego raises
on a valid URL; canonicalization raises anything but ``ValueError``, is not idempotent,
or changes the host.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st
from lxml import etree
from protego import Protego
from w3lib.url import safe_url_string

from core.errors import UnusableDocumentError
from core.profiles.registry import get_profile
from core.records import ArticleRecord
from core.urls import canonicalize_url, fetch_url
from crawler.parsing import parse_article
from crawler.sitemaps import SITEMAP_MAX_URLS, SITEMAP_MAXSIZE, BadSitemap, read_sitemap
from tests.fuzz import strategies as s


@dataclass(frozen=True)
class Target:
    name: str
    inputs: st.SearchStrategy[Any]
    check: Callable[..., None]
    """Called with the drawn tuple unpacked; raises when the property fails."""


def parsed_or_refused(html: str | bytes, url: str, profile: str | None,
                      content_type: str | None) -> ArticleRecord | None:
    """The record, or None when the parser refused the input as no document at all."""
    try:
        record = parse_article(html, url, profile=get_profile(profile) if profile else None,
                               content_type=content_type, fetched_at="2024-01-01T00:00:00+00:00")
    except UnusableDocumentError:
        return None
    assert isinstance(record.title, str)
    assert record.word_count >= 0
    assert all(isinstance(w, str) for w in record.parse_warnings)
    assert [s.position for s in record.sections] == list(range(len(record.sections)))
    return record


def check_page(html: str | bytes, url: str, profile: str | None, content_type: str | None) -> None:
    """A page URL is one Scrapy fetched; one that is no URL at all (a port out of range)
    may raise the ``ValueError`` canonicalization raises for it."""
    try:
        parsed_or_refused(html, url, profile, content_type)
    except ValueError:
        if _is_url(url):
            raise


def _is_url(url: str) -> bool:
    try:
        canonicalize_url(url)
    except ValueError:
        return False
    return True


def check_sitemap(body: bytes) -> None:
    """As ``HealthSpider.parse_sitemap`` reads a sitemap: ``read_sitemap`` refuses what it
    cannot use with ``BadSitemap`` only, and what it accepts gives entries without an
    expanded entity (lxml failing mid-file is counted by the spider, and allowed)."""
    try:
        sitemap = read_sitemap(body, SITEMAP_MAXSIZE)
    except BadSitemap:
        return
    assert sitemap.type in ("urlset", "sitemapindex")
    try:
        entries = list(islice(sitemap, SITEMAP_MAX_URLS + 1))
    except etree.LxmlError:
        return
    for entry in entries:
        assert all(s.ENTITY_MARKER not in str(value) for value in entry.values()), entry


def check_robots(text: str, url: str, user_agent: str) -> None:
    """Scrapy asks robots.txt only about URLs it could make a request of: a URL
    ``urlsplit`` refuses may raise its ``ValueError``."""
    robots = Protego.parse(text)
    try:
        assert isinstance(robots.can_fetch(url, user_agent), bool)
    except ValueError:
        if _splits(url):
            raise
    delay = robots.crawl_delay(user_agent)
    assert delay is None or (math.isfinite(delay) and delay >= 0), delay
    assert all(isinstance(sitemap, str) for sitemap in robots.sitemaps)
    robots.request_rate(user_agent)


def _splits(url: str) -> bool:
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def _host_as_requested(url: str, aliases: dict[str, str] | None) -> str | None:
    """The host a request for ``url`` goes to (Scrapy escapes URLs the way
    ``safe_url_string`` does), aliases mapped and a trailing dot dropped."""
    host = (urlsplit(safe_url_string(url.strip())).hostname or "").rstrip(".")
    return (aliases or {}).get(host, host)


def check_canonical(url: str, aliases: dict[str, str] | None) -> None:
    try:
        canonical = canonicalize_url(url, aliases)
    except ValueError:  # no valid URL: a port out of range, a broken IPv6 host
        return
    assert canonicalize_url(canonical, aliases) == canonical, canonical
    if canonical.startswith("https://"):
        assert (urlsplit(canonical).hostname or "") == _host_as_requested(url, aliases), canonical


def check_fetch_url(url: str, aliases: dict[str, str] | None) -> None:
    """For the http(s) links a crawler follows: idempotent, and the page it fetches has
    the canonical URL of the link."""
    if not url.strip().lower().startswith(("http://", "https://")):
        return
    try:
        fetched = fetch_url(url, aliases)
    except ValueError:
        return
    assert fetch_url(fetched, aliases) == fetched, fetched
    try:
        canonical = canonicalize_url(url, aliases)
    except ValueError:
        return
    assert canonicalize_url(fetched, aliases) == canonical, (fetched, canonical)


TARGETS = (  # cheap targets first: time one leaves unused goes to the parser's
    Target("urls: canonicalize_url", st.tuples(s.any_urls, s.host_aliases), check_canonical),
    Target("urls: fetch_url", st.tuples(s.any_urls, s.host_aliases), check_fetch_url),
    Target("sitemap: read_sitemap, entries", st.tuples(s.sitemap_bodies()), check_sitemap),
    Target("robots: parse, can_fetch, delay, sitemaps",
           st.tuples(s.robots_texts(), s.any_urls, s.user_agents), check_robots),
    Target("parse_article: random bytes",
           st.tuples(st.binary(max_size=20_000), s.any_urls, s.profiles, s.content_types), check_page),
    Target("parse_article: tag soup",
           st.tuples(s.markup, s.any_urls, s.profiles, s.content_types), check_page),
    Target("parse_article: mutated golden pages",
           st.tuples(s.mutated_pages(), s.profiles, s.content_types).map(
               lambda t: (t[0][0], t[0][1], t[1], t[2])), check_page),
)
