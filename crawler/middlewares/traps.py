"""Crawler-trap defences: a crawl ends on any site without a flag (docs/design.md, Crawler traps).

A trap is a family of URLs with no end that holds no article: a calendar linking the next
day, faceted search, sort orders. Session ids are dropped by canonicalization
(``core.urls``); what remains is bounded here by the *URL template*
(``core.urls.url_template``: ``www.site/calendar/N-N-N``) and by what each page brought:

- a page is *productive* when it yielded an article or linked a new URL of an **article
  template** (a template some page of which yielded an article). Article templates are
  never capped: ``/p/N.html`` of a 100,000-article site is one template;
- :class:`TrapHopsMiddleware` (spider middleware) counts *hops*, unproductive pages in a
  row; a link more than ``HEALTHCRAWL_TRAP_MAX_HOPS`` of them away is not followed.
  Pagination stays free (each listing page links new articles), a calendar's days do not.
  URLs a sitemap or robots.txt declares start again at 0. It also drops the URLs the
  profile skips (``SiteProfile.skip_url_pattern``: search, login), and counts the
  unproductive pages per template and per path with a query;
- :class:`TrapCapsMiddleware` (downloader middleware) does not fetch more of a template
  once ``HEALTHCRAWL_TRAP_MAX_PER_TEMPLATE`` of its pages were unproductive, nor more
  queries of a path once ``HEALTHCRAWL_TRAP_MAX_QUERY_VARIANTS`` were (faceted search
  spreads wide, not deep). It decides when a request is about to be downloaded, with the
  most known: the thousand facet links a page queued are dropped there, unfetched.

A URL the profile calls an article is never cut. Each cut is counted in
``healthcrawl/traps/<kind>``; the first cut of each template is logged at INFO. Every
limit is a setting; 0 turns it off.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.httpobj import urlparse_cached

from core.profiles import SiteProfile
from core.urls import canonical_of, url_template

logger = logging.getLogger(__name__)

STAT = "healthcrawl/traps"
HOPS = "healthcrawl_hops"
"""Request meta: non-article pages in a row that led to this request (absent: 0)."""
TEMPLATE = "healthcrawl_template"
"""Request meta: ``(url, its URL template)``, computed once when the request is made."""


class TrapLedger:
    """What the crawl has learned about URL templates, shared by the two middlewares of
    one crawler (:meth:`of`)."""

    _by_crawler: WeakKeyDictionary[Crawler, TrapLedger] = WeakKeyDictionary()

    def __init__(self, crawler: Crawler) -> None:
        self._crawler = weakref.ref(crawler)
        """Weakly: the ledger is the value of a weak map keyed by its crawler."""
        self.article_templates: set[str] = set()
        """Templates some page of which yielded an article: never capped."""
        self.unproductive: Counter[str] = Counter()
        """Unproductive pages fetched per template."""
        self.unproductive_queries: Counter[str] = Counter()
        """Unproductive pages fetched per ``host + path``, of URLs with a query."""
        self.capping = False
        """Whether some template or path has reached its cap: until then no request can be
        over one, and :meth:`over_cap` answers without computing the request's template
        (on most sites, for the whole crawl)."""
        settings = crawler.settings
        self.max_per_template = settings.getint("HEALTHCRAWL_TRAP_MAX_PER_TEMPLATE", 100)
        self.max_query_variants = settings.getint("HEALTHCRAWL_TRAP_MAX_QUERY_VARIANTS", 100)
        self._logged: set[tuple[str, str]] = set()
        self._profile: SiteProfile | None = None
        self._skip: re.Pattern[str] | None = None

    @property
    def crawler(self) -> Crawler:
        crawler = self._crawler()
        assert crawler is not None, "the ledger outlived its crawl"
        return crawler

    @classmethod
    def of(cls, crawler: Crawler) -> TrapLedger:
        if crawler not in cls._by_crawler:
            cls._by_crawler[crawler] = cls(crawler)
        return cls._by_crawler[crawler]

    def _load_profile(self) -> SiteProfile | None:
        """The crawling spider's site profile (none for a spider without one), read once
        the spider exists, with the pattern of the URLs it skips."""
        if self._profile is None:
            self._profile = getattr(self.crawler.spider, "profile", None)
            pattern = self._profile.skip_url_pattern if self._profile else ""
            self._skip = re.compile(pattern) if pattern else None
        return self._profile

    def template(self, request: Request) -> str:
        """The request's URL template: from its meta when made for this very URL."""
        known = request.meta.get(TEMPLATE)
        if known is not None and known[0] == request.url:
            return str(known[1])
        template = url_template(request.url)
        request.meta[TEMPLATE] = (request.url, template)
        return template

    def canonical(self, request: Request) -> str:
        return canonical_of(request.url, request.meta)

    def is_article(self, request: Request) -> bool:
        """True when the profile calls the request's URL an article (a regex: asked only
        when a limit is about to cut)."""
        profile = self._load_profile()
        return profile is not None and bool(profile.article_url_pattern) \
            and profile.is_article_url(self.canonical(request))

    def is_skipped(self, request: Request) -> bool:
        """True for URLs the profile says are never worth a request (search, login)."""
        self._load_profile()
        return self._skip is not None and self._skip.search(self.canonical(request)) is not None

    def over_cap(self, request: Request) -> tuple[str, str] | None:
        """``(kind, why)`` when ``request`` is of a template, or a query of a path, whose
        pages were unproductive too often (and never yielded an article); else None."""
        if not self.capping:
            return None
        template = self.template(request)
        if template in self.article_templates:
            return None
        limit = self.max_per_template
        if limit and self.unproductive[template] >= limit and not self.is_article(request):
            return "template", f"{limit} of its pages brought no article; HEALTHCRAWL_TRAP_MAX_PER_TEMPLATE"
        limit = self.max_query_variants
        parts = urlparse_cached(request)
        if limit and parts.query and self.unproductive_queries[parts.netloc + parts.path] >= limit \
                and not self.is_article(request):
            return "query_variants", (f"{limit} queries of {parts.path} brought no new article; "
                                      "HEALTHCRAWL_TRAP_MAX_QUERY_VARIANTS")
        return None

    def count_unproductive(self, template: str, request: Request) -> None:
        """One more page of ``template`` (and of its path's queries) that led nowhere new."""
        self.unproductive[template] += 1
        if self.max_per_template and self.unproductive[template] >= self.max_per_template:
            self.capping = True
        parts = urlparse_cached(request)
        if parts.query:
            path = parts.netloc + parts.path
            self.unproductive_queries[path] += 1
            if self.max_query_variants and self.unproductive_queries[path] >= self.max_query_variants:
                self.capping = True

    def cut(self, kind: str, request: Request, why: str) -> None:
        """Count a request not made; log the first of each template and kind."""
        self.crawler.stats.inc_value(f"{STAT}/{kind}")
        template = self.template(request)
        if (kind, template) not in self._logged:
            self._logged.add((kind, template))
            logger.info("crawler trap (%s): not following %s and further %s URLs (%s)",
                        kind, request.url, template, why)


class TrapHopsMiddleware:
    """Spider middleware: learns article templates from what each page yields, and does
    not follow links too many non-article pages away from the last productive page."""

    def __init__(self, crawler: Crawler, max_hops: int) -> None:
        self.ledger = TrapLedger.of(crawler)
        self.max_hops = max_hops

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapHopsMiddleware:
        return cls(crawler, crawler.settings.getint("HEALTHCRAWL_TRAP_MAX_HOPS", 10))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        page = _PageOutput(self, response)
        for output in result:
            if (kept := page.admit(output)) is not None:
                yield kept
        page.close()

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        page = _PageOutput(self, response)
        async for output in result:
            if (kept := page.admit(output)) is not None:
                yield kept
        page.close()


class _PageOutput:
    """One page's output as it streams by (holding it back until the page is done costs
    the crawl about a tenth of its CPU): a page is productive from its first article, or
    its first link of an article template, on. The spider yields a page's article before
    its links, so every link of an article page has hop 0; a listing page's links before
    its first article-template link count one hop more, which only matters ten hops deep.

    Hops of a page's links: 0 after a productive page or a sitemap (the site declares
    those URLs), one more than the page's own after an unproductive one, which is counted
    against its template. A page not served whole (a 304 of an incremental run, an error
    page) says nothing either way."""

    def __init__(self, middleware: TrapHopsMiddleware, response: Response) -> None:
        self.ledger = middleware.ledger
        self.max_hops = middleware.max_hops
        self.request = response.request or Request(response.url)
        self.counts = isinstance(response, HtmlResponse) and response.status == 200
        self.productive = not self.counts
        self.hops = (0 if not isinstance(response, HtmlResponse)
                     else int(response.meta.get(HOPS, 0)) + self.counts)

    def admit(self, output: Any) -> Any:
        """``output``, or None for a request not to follow."""
        ledger = self.ledger
        if not isinstance(output, Request):
            if not self.productive:  # an article
                self._became_productive()
            return output
        if not self.productive and ledger.template(output) in ledger.article_templates:
            self._became_productive()
        if ledger.is_skipped(output):
            ledger.cut("skipped_by_profile", output, "the site profile skips them")
            return None
        hops = self.hops
        if self.max_hops and hops > self.max_hops and not ledger.is_article(output):
            ledger.cut("hops", output, f"{hops} pages in a row without a new article; "
                                       f"HEALTHCRAWL_TRAP_MAX_HOPS={self.max_hops}")
            return None
        if capped := ledger.over_cap(output):
            ledger.cut(capped[0], output, capped[1])
            return None
        if hops:
            output.meta[HOPS] = hops
        return output

    def _became_productive(self) -> None:
        self.productive = True
        self.hops = 0
        if self.counts:
            self.ledger.article_templates.add(self.ledger.template(self.request))

    def close(self) -> None:
        """The page is done: count it against its template if it led nowhere new."""
        if not self.productive:
            self.ledger.count_unproductive(self.ledger.template(self.request), self.request)


class TrapCapsMiddleware:
    """Downloader middleware: no request for a template, or a path's queries, whose pages
    proved unproductive too often since the request was queued."""

    def __init__(self, crawler: Crawler) -> None:
        self.ledger = TrapLedger.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapCapsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if capped := self.ledger.over_cap(request):
            kind, why = capped
            self.ledger.cut(kind, request, why)
            raise IgnoreRequest(f"crawler trap ({kind}): {why}")
