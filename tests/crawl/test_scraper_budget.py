"""Scrapy's bound on the pages its scraper holds counts decoded bytes, pages left gzipped
for the parse worker included."""

from __future__ import annotations

import gzip
import random
from types import SimpleNamespace

from scrapy import Request
from scrapy.core.scraper import Slot
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.compression import DECODE_IN_WORKER, QuickHttpCompressionMiddleware
from crawler.middlewares.scraper_budget import DECAY, FLOOR, ScraperBudgetMiddleware

WORDS = ["wash", "hands", "before", "meals", "fever", "rest", "drink", "water", "sleep", "cough"]
RNG = random.Random(1)
PAGE = ("<html><body>" + " ".join(RNG.choice(WORDS) for _ in range(5000)) + "</body></html>").encode()
"""About eight times its gzipped size."""
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


def left_gzipped(body: bytes | None = None) -> Response:
    request = Request(URL, meta={DECODE_IN_WORKER: True})
    fetched = Response(URL, body=body or gzip.compress(PAGE), request=request,
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
    assert budget_of(page, page) == round(BUDGET * len(page.body) / len(PAGE))


def test_with_some_pages_left_gzipped_the_bound_shrinks_by_the_bytes_they_save() -> None:
    page = left_gzipped()
    counted, decoded_bytes = len(page.body) * DECAY + len(PAGE), len(PAGE) * DECAY + len(PAGE)
    assert budget_of(page, decoded()) == round(BUDGET * counted / decoded_bytes)


def test_the_bound_follows_a_crawl_that_stops_leaving_pages_gzipped() -> None:
    assert budget_of(left_gzipped(), *[decoded()] * 2000) > 0.99 * BUDGET


def test_a_trailer_that_overstates_the_size_shrinks_the_bound_no_further_than_its_floor() -> None:
    overstated = gzip.compress(PAGE)[:-4] + (9_000_000).to_bytes(4, "little")
    assert budget_of(left_gzipped(overstated)) == round(BUDGET * FLOOR)
