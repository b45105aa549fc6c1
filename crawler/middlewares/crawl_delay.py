"""Honour robots.txt ``Crawl-delay``: Scrapy parses it (protego) but never acts on it.

When a robots.txt response passes through, the delay it sets for our user agent becomes
the minimum delay of that site's download slot, not randomized (Scrapy's randomization
would wait as little as half of it); AutoThrottle may raise it, never lower it.
"""

from __future__ import annotations

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response


class CrawlDelayMiddleware:
    def __init__(self, crawler: Crawler, user_agent: str) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler, crawler.settings.get("USER_AGENT", ""))

    def process_request(self, request: Request) -> None:
        if self.delays:
            self._apply(request)

    def process_response(self, request: Request, response: Response) -> Response:
        """Learn the delay from robots.txt; after any response, restore it (AutoThrottle
        adjusts the slot on ``response_downloaded``, which fires just before this)."""
        if request.url.endswith("/robots.txt") and response.status == 200:
            delay = Protego.parse(response.text).crawl_delay(self.user_agent)
            if delay:
                self.delays[self._slot_key(request)] = float(delay)
                self.crawler.stats.set_value("healthcrawl/robots/crawl_delay", float(delay))
        if self.delays:
            self._apply(request)
        return response

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
        if delay and slot is not None and (slot.delay < delay or slot.randomize_delay):
            slot.delay = max(slot.delay, delay)
            slot.randomize_delay = False  # randomizing would wait as little as half the delay
