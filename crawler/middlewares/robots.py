"""robots.txt read as RFC 9309 (2.3.1) says, where Scrapy's middleware reads it otherwise.

Scrapy builds a site's rules from whatever body its robots.txt request brought, and when
the request brought none (a refused connection, a timeout once the retries are spent) it
leaves the site without rules: every page is fetched. The RFC:

- 2xx: the file's rules (redirects were followed by then);
- 4xx, "unavailable": there are no rules; the crawler may fetch any page. The body, an
  error page, is not read as rules;
- 5xx or no answer at all, "unreachable": the crawler MUST assume complete disallow. A
  429 (the site holds every client back) is read so too;
- more redirects than the crawl follows: unavailable, as the RFC allows. A file over the
  crawl's download size cap is read so too (the RFC would read its first 500 KiB, which
  Scrapy cannot keep of a cancelled download; robots.txt files run to a few KB). Both are
  counted in ``healthcrawl/robots/not_fetched``.

An unreachable robots.txt (after the retries, which honour Retry-After) is asked again,
with growing pauses, for ``HEALTHCRAWL_ROBOTS_RETRY_FOR`` seconds (60), while its site's
requests wait: a server restarting, or refusing the first requests of a crawl, costs a
minute, not the run. Each new ask is counted in ``healthcrawl/robots/asked_again``. Still
unreachable, it refuses every page of its site for the rest of the run, with one ERROR line
saying why and the stat ``healthcrawl/robots/unreachable``; each page refused is counted
in ``robotstxt/forbidden``. ``HEALTHCRAWL_ROBOTS_UNREACHABLE = "allow"`` crawls such a site
as if it had no robots.txt, for a site one knows to be fine with it.
"""

from __future__ import annotations

import asyncio
import logging
from time import monotonic
from typing import cast

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from core.errors import InputError
from crawler.middlewares.retry_after import retry_delay

logger = logging.getLogger(__name__)

UNREACHABLE = "healthcrawl/robots/unreachable"
UNAVAILABLE = "healthcrawl/robots/not_fetched"
ASKED_AGAIN = "healthcrawl/robots/asked_again"
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
POLICIES = ("disallow", "allow")
TOO_MANY_REQUESTS = 429
"""A 4xx the site answers while it holds every client back, not "no robots.txt here": read
as unreachable (as Google reads it), so a site rate-limiting the crawl is not crawled whole."""


class _Unreachable(Exception):
    """robots.txt answered 5xx or 429 (once the retries were spent)."""


class Rfc9309RobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's middleware (requests wait for their site's rules, then are refused or go
    on) with its own fetch of the rules, which reads the answer as the RFC does."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        policy = crawler.settings.get("HEALTHCRAWL_ROBOTS_UNREACHABLE", "disallow")
        if policy not in POLICIES:  # not NotConfigured: Scrapy would crawl without the middleware
            raise InputError(f"HEALTHCRAWL_ROBOTS_UNREACHABLE must be {' or '.join(POLICIES)}, "
                             f"not {policy!r}")
        self.disallow_unreachable = policy == "disallow"
        settings = crawler.settings
        self.retry_for = settings.getfloat("HEALTHCRAWL_ROBOTS_RETRY_FOR", 60.0)
        self.backoff_base = settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_MAX", 60.0)
        self._waiting: dict[str, list[Deferred[RobotParser | None]]] = {}
        """Per site whose rules are being fetched: the requests waiting for them."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The rules of the request's site, fetched by its first request. Each request that
        comes meanwhile waits on a Deferred of its own: Scrapy 2.19 shares one among them
        (since scrapy/scrapy#6802), and awaiting a Deferred as a Future consumes its result
        (``Deferred.asFuture``), so every waiter but the first got None, no rules, and went
        on unchecked: a distributed worker starting with a full queue fetched pages
        robots.txt forbids."""
        netloc = urlparse_cached(request).netloc
        if netloc in self._parsers:
            return cast("RobotParser | None", self._parsers[netloc])
        if netloc in self._waiting:
            waiter: Deferred[RobotParser | None] = Deferred()
            self._waiting[netloc].append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._waiting[netloc] = []
        try:
            rules = await self._patiently_fetched_rules(request, netloc)
        except BaseException as stopped:  # this request was cancelled: the next one fetches again
            for waiter in self._waiting.pop(netloc):
                waiter.errback(stopped)
            raise
        self._parsers[netloc] = rules
        for waiter in self._waiting.pop(netloc):
            waiter.callback(rules)
        return rules

    async def _patiently_fetched_rules(self, request: Request, netloc: str) -> RobotParser | None:
        """The site's rules; an unreachable robots.txt is asked again, pauses growing as the
        retries' do, until ``retry_for`` seconds have passed (see the module docstring)."""
        give_up_at = monotonic() + (self.retry_for if self.disallow_unreachable else 0.0)
        asked = 0
        while True:
            try:
                return await self._fetch_rules(request, netloc)
            except (IgnoreRequest, DownloadCancelledError) as refused:  # the crawl refused it: _unavailable
                return self._unavailable(netloc, refused)
            except Exception as error:  # noqa: BLE001 - whatever went wrong, the site has rules
                why = str(error) if isinstance(error, _Unreachable) else f"{type(error).__name__}: {error}"
            pause = retry_delay(None, asked, base=self.backoff_base, cap=self.backoff_max)
            if monotonic() + pause > give_up_at:
                return self._unreachable(netloc, why)
            self._stats.inc_value(ASKED_AGAIN)
            logger.warning("robots.txt of %s is unreachable (%s): asking again in %.1f s, the site's "
                           "requests waiting", netloc, why, pause)
            await asyncio.sleep(pause)
            asked += 1

    async def _fetch_rules(self, request: Request, netloc: str) -> RobotParser:
        url = urlparse_cached(request)
        # Redirects are followed wherever they lead (``www.`` to the bare host, http to
        # https): the rules are the file's, whichever host serves it.
        robots = Request(f"{url.scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                         meta={"dont_obey_robotstxt": True, "allow_offsite": True}, callback=NO_CALLBACK)
        self._stats.inc_value("robotstxt/request_count")
        assert self.crawler.engine is not None
        response = await self.crawler.engine.download_async(robots)  # failures: _patiently_fetched_rules
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500 or response.status == TOO_MANY_REQUESTS:
            raise _Unreachable(f"HTTP {response.status}")
        # other 4xx, or redirects past the limit: "unavailable", no rules (an error page is none)
        body = response.body if 200 <= response.status < 300 else b""
        rules = build_from_crawler(self._parserimpl, self.crawler, body)
        await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=rules,
                                                        request=request)
        return rules

    def _unavailable(self, netloc: str, refused: Exception) -> RobotParser:
        """No rules, as for a 4xx: the crawl itself did not take the file (past the redirect
        limit, which the RFC reads so; over the download size cap, ``DOWNLOAD_MAXSIZE``)."""
        self._stats.inc_value(UNAVAILABLE)
        logger.warning("robots.txt of %s was not fetched (%s): the site is crawled as if it had none",
                       netloc, str(refused) or type(refused).__name__)
        return build_from_crawler(self._parserimpl, self.crawler, b"")

    def _unreachable(self, netloc: str, why: str) -> RobotParser | None:
        """Rules that refuse every page (none under the ``allow`` policy), said once."""
        self._stats.inc_value(UNREACHABLE)
        if not self.disallow_unreachable:
            logger.warning("robots.txt of %s is unreachable (%s): the site is crawled as if it had none "
                           "(HEALTHCRAWL_ROBOTS_UNREACHABLE=allow)", netloc, why)
            return None
        logger.error("robots.txt of %s is unreachable (%s): none of the site's pages is fetched "
                     "(RFC 9309; HEALTHCRAWL_ROBOTS_UNREACHABLE=allow crawls it anyway)", netloc, why)
        return build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
