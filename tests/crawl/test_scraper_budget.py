"""Scrapy's bound on the pages its scraper holds counts decoded bytes, pages left gzipped
for the parse worker included."""

from __future__ import annotations

import gzip
from types import SimpleNamespace

from scrapy import Request
from scrapy.core.scraper import Slot
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.compression import DECODE_IN_WORKER, QuickHttpCompressionMiddleware
from crawler.middlewares.scraper_budget import ScraperBudgetMiddleware

PAGE = b"<html><body>" + b"<p>Wash your hands before meals.</p>" * 1000 + b"</body></html>"
URL = "https://www.keepto.com/p/1.html"
BUDGET = 5_000_000


def budget_of(*responses: Response) -> int:
    """The scraper slot's bound after ``responses`` went through the middleware."""
    crawler = get_crawler(settings_dict={"SCRAPER_SLOT_MAX_ACTIVE_SIZE": BUDGET})
    slot = Slot(BUDGET)
    crawler.engine = SimpleNamespace(scraper=SimpleNamespace(slot=slot))  # type: ignore[assignment]
    middleware = ScraperBudgetMiddleware.from_crawler(crawler)
    for response in responses:
        assert middleware.process_response(response.request, response) is response  # type: ignore[arg-type]
    return slot.max_active_size


def left_gzipped() -> Response:
    request = Request(URL, meta={DECODE_IN_WORKER: True})
    fetched = Response(URL, body=gzip.compress(PAGE), request=request,
                       headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    left = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(request, fetched)
    assert isinstance(left, Response)
    return left


def decoded() -> Response:
    return HtmlResponse(URL, body=PAGE, request=Request(URL))


def test_with_every_page_decoded_the_bound_is_the_setting() -> None:
    assert budget_of(decoded(), decoded()) == BUDGET


def test_with_pages_left_gzipped_the_bound_holds_as_many_pages_as_decoded_ones() -> None:
    page = left_gzipped()
    assert budget_of(page, page) // len(page.body) == BUDGET // len(PAGE)


def test_with_some_pages_left_gzipped_the_bound_shrinks_by_the_bytes_they_save() -> None:
    page = left_gzipped()
    assert budget_of(page, decoded()) == BUDGET * (len(page.body) + len(PAGE)) // (2 * len(PAGE))
