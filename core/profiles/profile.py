"""What a site profile holds: everything that is specific to one site, as data.

A profile names the site's hosts, which URLs are articles (and where their id is),
and hints that help the parser find the article on the page. The parser reads a
profile; it never branches on a site's name. ``generic`` has no hints and finds the
article from the page's own structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from core.article_ids import article_identity, compiled, id_span
from core.section_kinds import SECTION_KINDS, KindTable
from core.urls import host_name

DEFAULT_PREV_LABELS = ("<<:", "<<", "«", "Previous:", "Previous article:", "Prev:", "上一篇")
DEFAULT_NEXT_LABELS = (">>:", ">>", "»", "Next:", "Next article:", "下一篇")
DEFAULT_RECOMMEND_LABELS = ("Recommend", "Recommended", "Related articles", "Related", "相关推荐")
DEFAULT_DATE_LABELS = ("Time:", "Date:", "Published:", "Posted:", "Updated:", "时间：", "发布时间：")
DEFAULT_CRUMB_LABELS = ("Current location:", "You are here:", "当前位置：")


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteProfile:
    """What one site looks like. Frozen: profiles are shared, read-only data."""

    name: str
    """Profile name, used as the record's ``site`` and in ``article_key``."""
    hosts: tuple[str, ...] = ()
    """Desktop host names the spider may crawl (empty: any host, for ``generic``)."""
    host_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Alias host -> canonical host (the ``m.`` mobile site), used by canonicalization."""
    start_urls: tuple[str, ...] = ()
    """Where a crawl starts when no start URL is given."""
    article_url_pattern: str = ""
    """Regex searched in the canonical URL; a match is an article, group ``id`` its id.
    Empty: any page may be an article (the generic profile parses every page and the
    validate stage drops those without a title or body)."""
    article_id_pattern: str = ""
    """Regex whose groups named ``id...`` give the article id, when it differs from
    ``article_url_pattern`` (the generic profile reads ids without deciding what is an article)."""
    ids_site_wide: bool = True
    """The id names one article on the whole site (keepto's ``/p/<id>.html``): the article key
    is ``<site>:<id>``. Off (generic): sites number articles per section, so ``/news/12345``
    and ``/drugs/12345`` are two articles, and the key also holds the URL before the id."""
    mobile_path_segments: tuple[str, ...] = ("amp", "m", "mobile")
    """Path segments that only say which copy of a page this is (``/amp/news/12345`` is
    ``/news/12345``): left out of the section part of a key."""
    min_article_words: int = 0
    """Where any page may be an article (no ``article_url_pattern``): a parsed page is an
    article only with at least this many words of prose (summary and section text, not
    list items), so home and listing pages, mostly links, are not exported."""
    listing_url_pattern: str = ""
    """Regex of listing pages (home, categories, pagination) whose links the spider follows;
    empty: every same-site page that is not an article is treated as a listing."""
    skip_url_pattern: str = ""
    """Regex of canonical URLs a crawl never requests (site search, login, a calendar):
    pages with no article, linked from every page's chrome; the crawler-trap defences
    drop them (``crawler.middlewares.traps``)."""
    title_xpaths: tuple[str, ...] = ()
    """XPaths tried in order for the headline element."""
    container_xpaths: tuple[str, ...] = ()
    """XPaths tried in order for the element holding the article body."""
    breadcrumb_xpaths: tuple[str, ...] = ()
    """XPaths for the breadcrumb trail element."""
    prev_next_xpaths: tuple[str, ...] = ()
    """XPaths of the element holding the prev/next lines (default: search the article region)."""
    recommend_xpaths: tuple[str, ...] = ()
    """XPaths of the Recommend block (default: the block under a ``recommend_labels`` heading)."""
    prev_labels: tuple[str, ...] = DEFAULT_PREV_LABELS
    next_labels: tuple[str, ...] = DEFAULT_NEXT_LABELS
    recommend_labels: tuple[str, ...] = DEFAULT_RECOMMEND_LABELS
    recommend_label_prefixes: tuple[str, ...] = ()
    """Starts of short headings (four words at most) of a related-links block ("Related
    news", "Related conditions"), besides the whole ``recommend_labels``."""
    recommend_class_pattern: str = ""
    """Regex of ``class``/``id`` values of a related-links block without a known heading
    (searched case-insensitively; empty: none is looked for)."""
    date_labels: tuple[str, ...] = DEFAULT_DATE_LABELS
    crumb_labels: tuple[str, ...] = DEFAULT_CRUMB_LABELS
    section_kinds: KindTable = SECTION_KINDS
    """Heading keywords per section kind, first match wins (default: the table of
    docs/record-contract.md, Section kinds)."""
    prevention_paragraphs_are_items: bool = True
    """A prevention section with paragraphs but no enumerated entry takes the paragraphs
    as its items (docs/record-contract.md, Symptoms and prevention). Sites whose tips sit in
    prose turn this off."""
    heading_elements_rule: bool = False
    """On a page whose body has ``<h2>``-``<h4>`` headings, only those start sections
    (bold and numbered lines are text and items). Off for sites like keepto, whose
    headings may be plain numbered paragraphs beside heading elements."""
    only_heading_elements: bool = False
    """Only ``<h2>``-``<h4>`` start sections on every page, also one without any: bold and
    numbered lines are text. Real sites bold captions, publishing notes, calls to action
    and emphasis far more often than section titles (tests/fixtures/real-pages/README.md,
    rule 1, and tests/fixtures/more-real-pages)."""
    prevention_first_list_only: bool = False
    """A prevention section's items are the entries of its first list only (real sites
    follow a tips list with unrelated lists: sources, related links)."""

    def article_id(self, canonical_url: str) -> str | None:
        """The site's id of the article at ``canonical_url``, if the pattern finds one."""
        found = id_span(self.article_id_pattern or self.article_url_pattern, canonical_url)
        return canonical_url[found[0]:found[1]] if found else None

    def article_ref(self, canonical_url: str) -> str | None:
        """What names the article at ``canonical_url`` within its site, the part of
        ``article_key`` after ``<site>:``; None without an id. With ``ids_site_wide`` the
        id alone; else the path (and query) before the id, the ``mobile_path_segments``
        left out, then the id: ``news/12345``, ``view.php?id=5``, ``12345`` at the root."""
        return self.article_identity(canonical_url)[1]

    def article_identity(self, canonical_url: str) -> tuple[str | None, str | None]:
        """``(article_id, article_ref)`` of ``canonical_url``, the URL read once for both
        (``core.article_ids``)."""
        return article_identity(canonical_url, self.article_id_pattern or self.article_url_pattern,
                                self.ids_site_wide, self.mobile_path_segments)

    def is_article_url(self, canonical_url: str) -> bool:
        """True when the profile says this (canonical) URL may be an article page."""
        if not self.article_url_pattern:
            return True
        return compiled(self.article_url_pattern).search(canonical_url) is not None

    def is_listing_url(self, canonical_url: str) -> bool:
        """True for pages whose links the spider follows (home, categories, pagination).
        Without a pattern: every page that is not a known article."""
        if self.listing_url_pattern:
            return compiled(self.listing_url_pattern).search(canonical_url) is not None
        return not (self.article_url_pattern and self.is_article_url(canonical_url))

    def site_name(self, url: str) -> str:
        """``name``, or the host of ``url`` for a profile that covers any host."""
        if self.hosts:
            return self.name
        return (host_name(url) or self.name).removeprefix("www.")
