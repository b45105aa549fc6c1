"""Scrapy's bound on the pages its scraper holds, kept in decoded bytes when pages reach
the spider still gzipped.

Scrapy stops downloading while the responses its scraper holds exceed
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes (5 MB), counting ``len(response.body)``. A page left
gzipped for the parse worker (``crawler.middlewares.compression``) weighs about a fifth of
what it decodes to, so five times as many pages would wait in the crawl's process for a
worker that is busy anyway. Measured on the demo site, that costs the crawl's process 15%
more CPU a page (benchmarks/RESULTS.md, issue 18, eleventh session). This middleware
scales the bound by the ratio of the bytes the scraper counts to the bytes they decode to,
over the last few hundred pages (sums that decay by :data:`DECAY` a page, so the bound
follows a crawl that stops leaving pages gzipped), so that it holds as many pages as with
every page decoded; with none left gzipped the ratio is 1 and the bound is the setting's.
It never goes below :data:`FLOOR` of the setting: gzip trailers can understate or
overstate what a page decodes to.
"""

from __future__ import annotations

from typing import Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from core.gzip_member import declared_size
from crawler.middlewares.compression import GzippedHtmlResponse

DECAY = 1 - 1 / 256
"""The weight a page's sizes lose with each later page."""
FLOOR = 1 / 20
"""The least share of ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` the bound is scaled to (a page that
decodes to 20 times its size is about as far as HTML compresses)."""


class ScraperBudgetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.budget = crawler.settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE")
        """The setting: bytes of decoded pages the scraper may hold."""
        self.counted = 0.0
        """Bytes of the bodies seen, as the scraper counts them (a gzipped page's wire
        bytes), each page weighing less by :data:`DECAY` with each later one."""
        self.decoded = 0.0
        """Bytes the same bodies decode to, weighed alike."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        body = response.body
        self.counted = self.counted * DECAY + len(body)
        self.decoded = self.decoded * DECAY + (
            declared_size(body) if isinstance(response, GzippedHtmlResponse) else len(body))
        slot = getattr(getattr(self.crawler.engine, "scraper", None), "slot", None)
        if slot is not None and self.decoded:
            slot.max_active_size = round(self.budget * max(FLOOR, self.counted / self.decoded))
        return response
