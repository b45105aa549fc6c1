"""The ``health`` spider: discovers article pages and hands each to ``parse_article``.

Discovery: robots.txt ``Sitemap:`` lines (sitemap indexes, gzipped sitemaps), listing
pages and their pagination, and each article's prev/next and Recommend links. Only URLs
the profile calls articles are parsed; off-site links are never followed (Scrapy's
offsite filter on ``allowed_domains``); robots.txt is obeyed (``ROBOTSTXT_OBEY``); one
canonical URL is fetched once (``CanonicalUrlFingerprinter``).

    scrapy crawl health -a site=keepto -a start_url=https://www.keepto.com/
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS
from core.profiles import all_host_aliases
from core.records import ArticleRecord, SignedRecord
from core.urls import CANONICAL_URL, canonical_of, canonicalize_url, fetch_url
from core.worker_pool import WorkerPool, crawl_pool
from crawler.params import CrawlParams
from crawler.parse_jobs import ArticlePage, LinksJob, ParseJob

STAT = "healthcrawl/spider"


class HealthSpider(scrapy.Spider):
    name = "health"

    def __init__(self, site: str = "keepto", start_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.params = CrawlParams.from_args(site=site, start_url=start_url)
        self.profile = self.params.profile
        self.allowed_domains = self.params.allowed_hosts
        self.requested: set[int] = set()
        """Hashes of the links seen (as written) and of the canonical URLs requested: an
        article links a dozen others, mostly seen; skipping those here saves building a
        Request the dupefilter would drop (about half the framework's per-page CPU). The
        dupefilter stays the rule."""
        self.canonical_aliases = MappingProxyType({**all_host_aliases(), **self.profile.host_aliases})
        """Alias hosts for canonical URLs: every profile's, as the request fingerprint
        uses (``crawler.fingerprint``), so the canonical URL a request carries is the one
        the fingerprint would compute."""
        self.parser = WorkerPool(0)
        self.num_perm = 0
        """MinHash slots to compute with each parse for the dedup stage (0: none)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Parse in the crawl's worker pool (``core.worker_pool.crawl_pool``), which the
        dedup stage shares."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.parser = crawl_pool(crawler)
        if spider.parser.workers and settings.getbool("HEALTHCRAWL_DEDUP_ENABLED", True):
            # The signature costs the worker little beside the parse, and saves the dedup
            # stage a round trip of its own: it travels with the item (``SignedRecord``).
            spider.num_perm = (settings.getint("HEALTHCRAWL_DEDUP_MINHASH_BANDS", DEFAULT_BANDS)
                               * settings.getint("HEALTHCRAWL_DEDUP_MINHASH_ROWS", DEFAULT_ROWS))
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.params.start_urls:
            yield scrapy.Request(urljoin(url, "/robots.txt"), callback=self.parse_robots,
                                 errback=self.count_failure)
            for request in self.follow_new([url]):
                yield request

    def follow_new(self, urls: Iterable[str]) -> Iterator[scrapy.Request]:
        """Requests for the on-site http(s) ``urls`` whose canonical URL was not requested
        yet. The URL exactly as written is checked first: most repeats are, and cost a set
        lookup instead of a canonicalization. A request goes to the desktop host without
        tracking keys (``fetch_url``) and carries its canonical URL (:func:`canonical_of`).
        A link that is no valid URL (a port out of range, a broken IPv6 host) is counted
        and skipped."""
        requested = self.requested
        for url in urls:
            raw = hash(url)
            if raw in requested:
                continue
            requested.add(raw)
            try:
                request = self._request_if_new(url, raw)
            except ValueError:
                self.crawler.stats.inc_value(f"{STAT}/skipped/bad_link")
                continue
            if request is not None:
                yield request

    def _request_if_new(self, url: str, raw: int) -> scrapy.Request | None:
        if not self.on_site(url):
            return None
        canonical = canonicalize_url(url, self.canonical_aliases)
        key = hash(canonical)
        if key != raw:  # a link already in canonical form was checked as written
            if key in self.requested:
                return None
            self.requested.add(key)
        target = fetch_url(url, self.profile.host_aliases)
        return scrapy.Request(target, callback=self.parse_page, errback=self.count_failure,
                              meta={CANONICAL_URL: (target, canonical)})

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for sitemap in Protego.parse(response.text).sitemaps:
            yield scrapy.Request(sitemap, callback=self.parse_sitemap, errback=self.count_failure)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml's XMLSyntaxError and friends: a broken sitemap is data
            self.crawler.stats.inc_value(f"{STAT}/bad_sitemap")
            return
        locations = [entry.get("loc", "") for entry in sitemap]
        if sitemap.type == "sitemapindex":
            for loc in locations:
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.count_failure)
        else:
            yield from self.follow_new(loc for loc in locations if loc)

    async def parse_page(self, response: Response) -> list[ArticleRecord | scrapy.Request]:
        """Parse an article or collect a listing's links in the worker pool, then follow.

        A coroutine: it awaits the pool, and its output (the record, new requests) is
        complete only once the job is back, so it is returned as one list."""
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            self.crawler.stats.inc_value(f"{STAT}/skipped/not_html")
            return []
        canonical = canonical_of(response.url, response.meta, self.canonical_aliases)
        article, listing = self.profile.is_article_url(canonical), self.profile.is_listing_url(canonical)
        output: list[ArticleRecord | scrapy.Request] = []
        if article:
            output.extend(self.article_output(await self.parser.run(self.parse_job(response))))
        if listing:
            self.crawler.stats.inc_value(f"{STAT}/listing_pages")
            job = LinksJob(response.body, response.url, _content_type(response).decode("latin-1"))
            output.extend(self.follow_new(await self.parser.run(job)))
        if not (article or listing):
            self.crawler.stats.inc_value(f"{STAT}/skipped/not_article")
        return output

    def parse_job(self, response: Response) -> ParseJob:
        return ParseJob(response.body, response.url, self.profile.name,
                        _content_type(response).decode("latin-1"), response.status,
                        datetime.now(UTC).isoformat(timespec="seconds"), self.num_perm)

    def article_output(self, page: ArticlePage) -> Iterator[ArticleRecord | scrapy.Request]:
        if page.prose_words >= self.profile.min_article_words:
            self.crawler.stats.inc_value(f"{STAT}/articles")
            yield page.record if page.signature is None else SignedRecord.of(page.record, page.signature)
        else:
            self.crawler.stats.inc_value(f"{STAT}/skipped/too_little_prose")
        yield from self.follow_new(page.links)

    def on_site(self, url: str) -> bool:
        """True for http(s) URLs on an allowed host or one of its subdomains."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        return parts.scheme in ("http", "https") and any(
            host == d or host.endswith("." + d) for d in self.allowed_domains)

    def count_failure(self, failure: Failure) -> None:
        """Failed fetches (404, timeouts) are counted by kind, never exported."""
        status = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{status}" if status else type(failure.value).__name__
        self.crawler.stats.inc_value(f"{STAT}/failed/{reason}")
        self.logger.info("fetch failed (%s): %s", reason, failure.request.url)  # type: ignore[attr-defined]


def _content_type(response: Response) -> bytes:
    return bytes(response.headers.get(b"Content-Type") or b"").lower()

