"""The ``health`` spider: discovers article pages and hands each to ``parse_article``.

Discovery: robots.txt ``Sitemap:`` lines (sitemap indexes, gzipped sitemaps), listing
pages and their pagination, and each article's prev/next and Recommend links. Only URLs
the profile calls articles are parsed; off-site links are never followed (Scrapy's
offsite filter on ``allowed_domains``); robots.txt is obeyed (``ROBOTSTXT_OBEY``); one
canonical URL is fetched once (``CanonicalUrlFingerprinter``).

    scrapy crawl health -a site=keepto -a start_url=https://www.keepto.com/
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Any, Self, TypeVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from core.child import Job
from core.errors import UnusableDocumentError
from core.gzip_member import NotOneGzipMember
from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS
from core.profiles import all_host_aliases
from core.records import ArticleRecord, SignedRecord, Validators
from core.urls import CANONICAL_URL, canonical_of, canonicalize_url, fetch_url, is_address
from core.worker_pool import JobFailed, WorkerPool, crawl_pool
from crawler.distributed.known import run_known_pages
from crawler.incremental import PageMemory, conditional_headers, unchanged_since
from crawler.middlewares.compression import DECODE_IN_WORKER, GzippedHtmlResponse
from crawler.params import CrawlParams
from crawler.parse_jobs import ArticlePage, LinksJob, ParseJob
from crawler.parsing.decoding import is_binary
from crawler.parsing.page_type import ARTICLE
from crawler.sitemaps import SITEMAP_MAX_URLS, SITEMAP_MAXSIZE, BadSitemap, read_sitemap
from pipelines.export import PAGE_TYPE_STAT
from pipelines.signals import page_gone, pages_unchanged
from pipelines.state import KnownPage, StateReader, resumed_run, state_dir_for

STAT = "healthcrawl/spider"
KNOWN = "healthcrawl_known"
"""Request meta: the request asks for a page the state knows (conditional, may be a 304)."""
UNCHANGED_BATCH = 500
"""Pages found unchanged by their sitemap date are reported (``pages_unchanged``) this many
at a time."""
T = TypeVar("T")
_ABSOLUTE = ("http://", "https://")


class HealthSpider(scrapy.Spider):
    name = "health"

    def __init__(self, site: str = "keepto", start_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.params = CrawlParams.from_args(site=site, start_url=start_url)
        self.profile = self.params.profile
        self.allowed_domains = self.params.allowed_hosts
        self._hosts = frozenset(self.allowed_domains)
        self._subdomain_suffixes = tuple("." + d for d in self.allowed_domains if not is_address(d))
        """An IP address or ``localhost`` has no subdomains: ``m.127.0.0.1`` is only a name
        a DNS lookup would send off the machine."""
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
        self.page_meta: dict[str, Any] = {}
        """Meta of every page request: with parse workers, that a gzipped page may reach
        :meth:`parse_page` still encoded, for the worker to decode (``DECODE_IN_WORKER``)."""
        self.num_perm = 0
        """MinHash slots to compute with each parse for the dedup stage (0: none)."""
        self.memory: PageMemory | None = None
        """What earlier runs fetched (``pipelines.state``; a distributed run's copy in Redis,
        ``crawler.distributed.known``), when this run asks about it (not ``state``: Scrapy's
        ``JOBDIR`` keeps a dict of its own there)."""
        self.incremental = False
        """Ask for known pages only when they may have changed (``HEALTHCRAWL_INCREMENTAL``)."""
        self.resumed_run: str | None = None
        """The run this one continues (``--resume``): its fetched pages are not fetched again."""
        self.revalidated = False
        self.trust_lastmod = True
        """Skip a known page whose sitemap ``<lastmod>`` is older than its last fetch
        (``HEALTHCRAWL_TRUST_SITEMAP_LASTMOD``; off for sites whose dates lie)."""
        self.sitemap_maxsize = SITEMAP_MAXSIZE
        """Bytes a sitemap may have, downloaded or gunzipped (``HEALTHCRAWL_SITEMAP_MAXSIZE``)."""
        self.sitemap_max_urls = SITEMAP_MAX_URLS
        """URLs followed of one sitemap (``HEALTHCRAWL_SITEMAP_MAX_URLS``)."""
        self.distributed = False
        """A worker of a distributed crawl (``HEALTHCRAWL_REDIS_URL``): its start URLs come
        from Redis (``healthcrawl seed``, ``crawler.distributed.worker``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Parse in the crawl's worker pool (``core.worker_pool.crawl_pool``), which the
        dedup stage shares."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.parser = crawl_pool(crawler)
        if spider.parser.workers:
            spider.page_meta = {DECODE_IN_WORKER: True}
        if spider.parser.workers and settings.getbool("HEALTHCRAWL_DEDUP_ENABLED", True):
            # The signature costs the worker little beside the parse, and saves the dedup
            # stage a round trip of its own: it travels with the item (``SignedRecord``).
            spider.num_perm = (settings.getint("HEALTHCRAWL_DEDUP_MINHASH_BANDS", DEFAULT_BANDS)
                               * settings.getint("HEALTHCRAWL_DEDUP_MINHASH_ROWS", DEFAULT_ROWS))
        spider.incremental = settings.getbool("HEALTHCRAWL_INCREMENTAL")
        spider.trust_lastmod = settings.getbool("HEALTHCRAWL_TRUST_SITEMAP_LASTMOD", True)
        spider.sitemap_maxsize = settings.getint("HEALTHCRAWL_SITEMAP_MAXSIZE", SITEMAP_MAXSIZE)
        spider.sitemap_max_urls = settings.getint("HEALTHCRAWL_SITEMAP_MAX_URLS", SITEMAP_MAX_URLS)
        spider.resumed_run = resumed_run(settings)
        spider.distributed = bool(settings.get("HEALTHCRAWL_REDIS_URL"))
        if spider.distributed:  # the run's memory is in Redis; the run's end is the worker's call
            spider.memory = run_known_pages(crawler) if spider.incremental else None
        elif spider.incremental or spider.resumed_run:
            spider.memory = StateReader(state_dir_for(Path(settings.get("HEALTHCRAWL_EXPORT_DIR", "exports")),
                                                      settings.get("HEALTHCRAWL_STATE_DIR")))
        if spider.incremental and not spider.distributed:
            crawler.signals.connect(spider.revalidate_unseen, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.distributed:
            return
        for url in self.params.start_urls:
            for request in self.seed_requests(url):
                yield request

    def seed_requests(self, url: str) -> Iterator[scrapy.Request]:
        """The requests a start URL begins with: its site's robots.txt (for the sitemaps),
        then the URL itself."""
        yield scrapy.Request(urljoin(url, "/robots.txt"), callback=self.parse_robots,
                             errback=self.count_failure)
        yield from self.follow_new([url])

    def follow_new(self, urls: Iterable[str], lastmods: Mapping[str, str] | None = None,
                   ) -> Iterator[scrapy.Request]:
        """Requests for the on-site http(s) ``urls`` whose canonical URL was not requested
        yet. The URL exactly as written is checked first: most repeats are, and cost a set
        lookup instead of a canonicalization. A request goes to the desktop host without
        tracking keys (``fetch_url``) and carries its canonical URL (:func:`canonical_of`).
        A link that is no valid URL (a port out of range, a broken IPv6 host) is counted
        and skipped. ``lastmods``: the sitemap's date of each URL, for known pages."""
        requested = self.requested
        todo = list(urls)
        unchanged: list[str] = []
        try:
            for url in todo:  # links of pages not fetched again are appended as they come
                raw = hash(url)
                if raw in requested:
                    continue
                requested.add(raw)
                try:
                    request = self._request_if_new(url, raw, (lastmods or {}).get(url), todo, unchanged)
                except ValueError:
                    self.crawler.stats.inc_value(f"{STAT}/skipped/bad_link")
                    continue
                if request is not None:
                    yield request
                if len(unchanged) >= UNCHANGED_BATCH:
                    self.unchanged(unchanged, "sitemap_lastmod")
                    unchanged = []
        finally:
            self.unchanged(unchanged, "sitemap_lastmod")

    def _request_if_new(self, url: str, raw: int, lastmod: str | None,
                        todo: list[str], unchanged: list[str]) -> scrapy.Request | None:
        if not self.on_site(url):
            return None
        canonical = canonicalize_url(url, self.canonical_aliases)
        key = hash(canonical)
        if key != raw:  # a link already in canonical form was checked as written
            if key in self.requested:
                return None
            self.requested.add(key)
        target = fetch_url(url, self.profile.host_aliases)
        meta: dict[str, Any] = {CANONICAL_URL: (target, canonical), **self.page_meta}
        headers: dict[str, str] = {}
        if self.memory is not None and self.profile.is_article_url(canonical):
            known = self.memory.page(canonical)
            if known is not None:
                if known.fetched_run == self.resumed_run:  # the run this one resumes has it
                    self.crawler.stats.inc_value(f"{STAT}/resumed")
                    todo.extend(known.links())
                    return None
                if self.incremental and self.trust_lastmod and unchanged_since(lastmod, known.fetched_at):
                    unchanged.append(canonical)
                    return None
                if self.incremental:
                    headers = conditional_headers(known)
                    meta.update({KNOWN: True, "handle_httpstatus_list": [304]})
        return scrapy.Request(target, callback=self.parse_page, errback=self.count_failure,
                              meta=meta, headers=headers or None)

    def unchanged(self, canonical_urls: list[str], why: str) -> None:
        """Known pages found unchanged without fetching them: their rows are carried over."""
        if canonical_urls:
            self.crawler.stats.inc_value(f"{STAT}/unchanged/{why}", len(canonical_urls))
            self.crawler.signals.send_catch_log(pages_unchanged, canonical_urls=tuple(canonical_urls))

    def revalidate_unseen(self) -> None:
        """Signal handler (``spider_idle``): ask once for every known article the crawl did
        not meet, conditionally, so one that still exists is carried over and one that is
        gone (404, 410) is reported removed, however the site's links changed."""
        if self.revalidated or self.memory is None:
            return
        self.revalidated = True
        engine = self.crawler.engine
        assert engine is not None
        count = 0
        for canonical, known in self.memory.article_pages():
            if hash(canonical) in self.requested:
                continue
            self.requested.add(hash(canonical))
            if known.fetched_run == self.resumed_run:
                continue
            count += 1
            engine.crawl(self.revalidation_request(canonical, known))
        self.crawler.stats.inc_value(f"{STAT}/revalidated", count)
        if count:
            raise DontCloseSpider

    def revalidation_request(self, canonical: str, known: KnownPage) -> scrapy.Request:
        """A conditional request for a known article: 304 carries it over, 404/410 removes it."""
        target = fetch_url(known.url, self.profile.host_aliases)
        return scrapy.Request(
            target, callback=self.parse_page, errback=self.count_failure,
            headers=conditional_headers(known),
            meta={CANONICAL_URL: (target, canonical), KNOWN: True, "handle_httpstatus_list": [304],
                  **self.page_meta})

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if self.on_site(url):
                yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> scrapy.Request:
        """A sitemap may be up to the protocol's size, more than a page may."""
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                              meta={"download_maxsize": self.sitemap_maxsize,
                                    "download_warnsize": self.sitemap_maxsize})

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow a sitemap index's sitemaps, or a sitemap's on-site URLs. A sitemap that is
        broken or hostile is counted (``bad_sitemap/<why>``) and warned about in one line;
        the crawl goes on by links."""
        try:
            sitemap = read_sitemap(response.body, self.sitemap_maxsize)
            entries = list(islice(sitemap, self.sitemap_max_urls + 1))
        except BadSitemap as bad:
            self.bad_sitemap(bad.why, response.url, str(bad))
            return
        except Exception as error:  # lxml failing mid-file: the file is data
            self.bad_sitemap("not_a_sitemap", response.url, f"{type(error).__name__}: {error}")
            return
        if len(entries) > self.sitemap_max_urls:
            entries = entries[:self.sitemap_max_urls]
            self.bad_sitemap("too_many_urls", response.url,
                             f"only its first {self.sitemap_max_urls} URLs followed")
        locs: list[str] = []
        lastmods: dict[str, str] = {}
        for entry in entries:
            if loc := entry.get("loc"):
                # The protocol wants absolute URLs: only the others pay for a join.
                locs.append(url := loc if loc.startswith(_ABSOLUTE) else response.urljoin(loc))
                if lastmod := entry.get("lastmod"):
                    lastmods[url] = lastmod
        if sitemap.type == "sitemapindex":
            for url in locs:
                if self.on_site(url):
                    yield self.sitemap_request(url)
        else:
            self.crawler.stats.inc_value(f"{STAT}/sitemap_urls", len(locs))
            yield from self.follow_new(locs, lastmods)

    def bad_sitemap(self, why: str, url: str, detail: str) -> None:
        self.crawler.stats.inc_value(f"{STAT}/bad_sitemap/{why}")
        self.logger.warning("bad sitemap (%s): %s: %s", why, url, detail)

    def sitemap_failed(self, failure: Failure) -> None:
        """A failed sitemap fetch is counted as any failed fetch; one cut off by the size
        cap is a bad sitemap too (Scrapy has logged the warning)."""
        self.count_failure(failure)
        if isinstance(failure.value, DownloadCancelledError):
            self.crawler.stats.inc_value(f"{STAT}/bad_sitemap/too_large")

    async def parse_page(self, response: Response) -> list[ArticleRecord | scrapy.Request]:
        """Parse an article or collect a listing's links in the worker pool, then follow.

        A coroutine: it awaits the pool, and its output (the record, new requests) is
        complete only once the job is back, so it is returned as one list."""
        try:
            return await self._parse_page(response)
        except NotOneGzipMember:
            return await self._parse_decoded(response)

    async def _parse_decoded(self, response: Response) -> list[ArticleRecord | scrapy.Request]:
        """A page left gzipped that no worker decodes (not one whole gzip member, or no job
        for it), decoded here by Scrapy's rules and handled again: one Scrapy would have
        refused counts as the failed fetch it would have been."""
        assert isinstance(response, GzippedHtmlResponse)
        try:
            decoded = response.decoded()
        except Exception as error:  # what Scrapy's decompression raises fails the fetch
            self.fetch_failed(type(error).__name__, response.url)
            return []
        return await self._parse_page(decoded)

    async def _parse_page(self, response: Response) -> list[ArticleRecord | scrapy.Request]:
        if response.status == 304:
            canonical = canonical_of(response.url, response.meta, self.canonical_aliases)
            self.unchanged([canonical], "not_modified")
            return []
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            self.crawler.stats.inc_value(f"{STAT}/skipped/not_html")
            return []
        # A page still gzipped is checked on the start it decodes to; one that gets no job
        # is decoded here after all, so that Scrapy's rules settle what it is.
        start = response.head if isinstance(response, GzippedHtmlResponse) else response.body
        gzipped = isinstance(response, GzippedHtmlResponse)
        unusable = _unusable_body(start)
        canonical = canonical_of(response.url, response.meta, self.canonical_aliases)
        article, listing = self.profile.is_article_url(canonical), self.profile.is_listing_url(canonical)
        if gzipped and (unusable or not (article or listing)):  # no job will decode it
            return await self._parse_decoded(response)
        if unusable:
            self.skip(unusable, response.url, "no HTML to parse")
            return []
        output: list[ArticleRecord | scrapy.Request] = []
        page: ArticlePage | None = None
        if article:  # a listing too (no URL patterns): the same job gives its links
            page = await self.parsed(self.parse_job(response, page_links=listing), response.url)
            if page is None:
                return output  # a page the parser failed on gives no links either
            output.extend(self.article_output(page, _validators(response, canonical)))
        if listing:
            links = page.page_links if page is not None else await self.parsed(self.links_job(response),
                                                                               response.url)
            self.crawler.stats.inc_value(f"{STAT}/listing_pages")
            if links is not None:
                output.extend(self.follow_new(links))
        if not (article or listing):
            self.crawler.stats.inc_value(f"{STAT}/skipped/not_article")
        return output

    async def parsed(self, job: Job[T], url: str) -> T | None:
        """``job``'s result from the worker pool, or None for a page it could not handle:
        counted and said in one line, never a traceback (the crawl's own code stays out of
        this guard, so a bug there is not taken for a bad page)."""
        try:
            return await self.parser.run(job)
        except NotOneGzipMember:
            raise  # not the page's fault: it is decoded here and handled again (parse_page)
        except JobFailed as error:  # the pool has logged it, naming the page
            self.crawler.stats.inc_value(f"{STAT}/failed/worker_{error.reason}")
        except UnusableDocumentError as error:
            self.skip("unusable_document", url, str(error))
        except Exception as error:  # one page the parser fails on is no crash
            self.skip("parse_error", url, f"{type(error).__name__}: {error}")
        return None

    def skip(self, why: str, url: str, detail: str) -> None:
        """A fetched page that yields nothing: counted by why, one warning line, no traceback."""
        self.crawler.stats.inc_value(f"{STAT}/skipped/{why}")
        self.logger.warning("page skipped (%s): %s: %s", why, url, detail)

    def parse_job(self, response: Response, page_links: bool = False) -> ParseJob:
        return ParseJob(response.body, response.url, self.profile.name,
                        _content_type(response).decode("latin-1"), response.status,
                        datetime.now(UTC).isoformat(timespec="seconds"), self.num_perm, page_links,
                        _gzip_max_size(response))

    def links_job(self, response: Response) -> LinksJob:
        return LinksJob(response.body, response.url, _content_type(response).decode("latin-1"),
                        _gzip_max_size(response))

    def article_output(self, page: ArticlePage, validators: Validators | None = None,
                       ) -> Iterator[ArticleRecord | scrapy.Request]:
        if "misdeclared_encoding" in page.record.parse_warnings:  # counted by the validate stage
            self.logger.warning("page whose declared charset is wrong, decoded as detected: %s",
                                page.record.url)
        self.crawler.stats.inc_value(f"{PAGE_TYPE_STAT}{page.page_type}")
        if page.page_type != ARTICLE:  # a listing the profile's URLs did not name: followed
            self.crawler.stats.inc_value(f"{STAT}/listing_pages")
        elif page.prose_words >= self.profile.min_article_words:
            self.crawler.stats.inc_value(f"{STAT}/articles")
            yield SignedRecord.of(page.record, page.signature, validators, page.record_pickle)
        else:
            self.crawler.stats.inc_value(f"{STAT}/skipped/too_little_prose")
        yield from self.follow_new(page.links)

    def on_site(self, url: str) -> bool:
        """True for http(s) URLs on an allowed host or one of its subdomains."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        return parts.scheme in ("http", "https") and (
            host in self._hosts or host.endswith(self._subdomain_suffixes))

    def count_failure(self, failure: Failure) -> None:
        """Failed fetches (404, timeouts) are counted by kind, never exported."""
        status = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{status}" if status else type(failure.value).__name__
        request = failure.request  # type: ignore[attr-defined]
        self.fetch_failed(reason, request.url)
        if status in (404, 410) and CANONICAL_URL in request.meta:
            self.crawler.signals.send_catch_log(page_gone, canonical_url=request.meta[CANONICAL_URL][1])

    def fetch_failed(self, reason: str, url: str) -> None:
        self.crawler.stats.inc_value(f"{STAT}/failed/{reason}")
        self.logger.info("fetch failed (%s): %s", reason, url)


def _validators(response: Response, canonical_url: str) -> Validators:
    headers = response.headers
    etag, modified = headers.get(b"ETag"), headers.get(b"Last-Modified")
    return Validators(canonical_url, etag.decode("latin-1") if etag else None,
                      modified.decode("latin-1") if modified else None)


def _unusable_body(body: bytes) -> str | None:
    """``empty_body`` or ``binary_body`` for bodies no parse can use, checked on their first
    bytes only (whitespace runs, magic numbers, NUL bytes), else None."""
    if not body or body.isspace():  # isspace stops at the first other byte
        return "empty_body"
    return "binary_body" if is_binary(body) else None


def _gzip_max_size(response: Response) -> int | None:
    """What a job says of its body: None, the page; else the size cap of a gzipped page."""
    return response.max_size if isinstance(response, GzippedHtmlResponse) else None


def _content_type(response: Response) -> bytes:
    return bytes(response.headers.get(b"Content-Type") or b"").lower()

