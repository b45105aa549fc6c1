"""Honour robots.txt ``Crawl-delay``: Scrapy parses it (protego) but never acts on it.

When a robots.txt response passes through, the delay it sets for our user agent becomes
the minimum delay of that site's download slot, without jitter (Scrapy's would wait as
little as half of it); AutoThrottle may raise it, never lower it. A delay beyond
``HEALTHCRAWL_MAX_CRAWL_DELAY`` (60 s; ``Crawl-delay: 86400`` or ``1e308``) would keep the
crawl from ever ending: it is capped there, counted and warned about once.
"""

from __future__ import annotations

import logging
import math

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

logger = logging.getLogger(__name__)
MAX_CRAWL_DELAY = 60.0


class CrawlDelayMiddleware:
    def __init__(self, crawler: Crawler, user_agent: str, max_delay: float = MAX_CRAWL_DELAY) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.delays: dict[str, float] = {}
        self.learned: set[str] = set()
        """Slots whose robots.txt was read (the delay, if any, is in ``delays``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler, crawler.settings.get("USER_AGENT", ""),
                   crawler.settings.getfloat("HEALTHCRAWL_MAX_CRAWL_DELAY", MAX_CRAWL_DELAY))

    def process_request(self, request: Request) -> None:
        if self.delays:
            self._apply(request)

    def process_response(self, request: Request, response: Response) -> Response:
        """Learn the delay from robots.txt; after any response, restore it (AutoThrottle
        adjusts the slot on ``response_downloaded``, which fires just before this)."""
        if response.status == 200 and _is_robots_txt(request):
            key = self._slot_key(request)
            if key not in self.learned:  # the robots middleware and the spider both fetch it
                self.learned.add(key)
                delay = self._bounded(Protego.parse(response.text).crawl_delay(self.user_agent), request.url)
                if delay:
                    self.delays[key] = delay
                    self.crawler.stats.set_value("healthcrawl/robots/crawl_delay", delay)
        if self.delays:
            self._apply(request)
        return response

    def _bounded(self, delay: float | None, url: str) -> float:
        """The delay to keep: none for a missing or negative one, at most ``max_delay``."""
        if delay is None or not delay > 0:  # NaN too
            return 0.0
        if math.isfinite(delay) and delay <= self.max_delay:
            return float(delay)
        self.crawler.stats.inc_value("healthcrawl/robots/crawl_delay_capped")
        logger.warning("robots.txt asks for a Crawl-delay of %s s; waiting %s s instead (%s, "
                       "HEALTHCRAWL_MAX_CRAWL_DELAY)", delay, self.max_delay, url)
        return self.max_delay

    def _slot_key(self, request: Request) -> str:
        engine = self.crawler.engine
        assert engine is not None
        return str(engine.downloader.get_slot_key(request))

    def _apply(self, request: Request) -> None:
        engine = self.crawler.engine
        assert engine is not None
        key = self._slot_key(request)
        delay = self.delays.get(key)
        slot = engine.downloader.slots.get(key)
        if delay and slot is not None and (slot.delay < delay or slot.jitter):
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0  # jitter would wait as little as half the delay


def _is_robots_txt(request: Request) -> bool:
    """A request for robots.txt, or a redirect it led to (``www.`` to the bare host, or to
    a file of another name): the redirect keeps the site's download slot."""
    first = request.meta.get("redirect_urls", (request.url,))[0]
    return str(first).endswith("/robots.txt")
