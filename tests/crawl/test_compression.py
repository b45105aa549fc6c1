"""gzip bodies: decoded, refused and salvaged as Scrapy does, most in one zlib call, or
left encoded for the parse worker when Scrapy would make an HTML page of them."""

from __future__ import annotations

import gzip
import zlib

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip as scrapy_gunzip
from scrapy.utils.test import get_crawler

from core.gzip_member import NotOneGzipMember, member_head
from core.worker_pool import crawl_pool
from crawler.middlewares import compression
from crawler.middlewares.compression import (
    DECODE_IN_WORKER,
    DECODED_AFTER_ALL_STAT,
    HEAD_BYTES,
    LEFT_ENCODED_STAT,
    WAITING_PER_WORKER,
    GzippedHtmlResponse,
    QuickHttpCompressionMiddleware,
    gunzip,
)
from crawler.parse_jobs import plain_body
from tests.conftest import GOLDEN

PAGE = next(GOLDEN.glob("*.html")).read_bytes()
WHOLE = gzip.compress(PAGE)
BAD_CHECKSUM = WHOLE[:-8] + bytes(4) + WHOLE[-4:]

BODIES = {
    "one member": WHOLE,
    "two members": WHOLE + gzip.compress(b"<p>more</p>"),
    "bytes after the member": WHOLE + b"trailing junk",
    "cut short": WHOLE[: len(WHOLE) // 2],
    "bad checksum": BAD_CHECKSUM,
    "wrong size in the trailer": WHOLE[:-4] + (5000).to_bytes(4, "little"),
    "empty page": gzip.compress(b""),
}


def outcome(decode: object, body: bytes, max_size: int) -> object:
    try:
        return decode(body, max_size=max_size)  # type: ignore[operator]
    except Exception as error:  # the kind of failure is the outcome compared
        return type(error)


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("max_size", [0, len(PAGE), len(PAGE) - 1, 100])
def test_a_gzip_body_decodes_or_fails_as_scrapy_decodes_it(body: bytes, max_size: int) -> None:
    assert outcome(gunzip, body, max_size) == outcome(scrapy_gunzip, body, max_size)


def test_a_gzip_body_over_the_size_cap_is_refused() -> None:
    with pytest.raises(_DecompressionMaxSizeExceeded):
        gunzip(WHOLE, max_size=len(PAGE) - 1)


def test_a_body_that_is_not_gzip_fails_as_in_scrapy() -> None:
    assert outcome(gunzip, PAGE, 0) == outcome(scrapy_gunzip, PAGE, 0)
    with pytest.raises(zlib.error):
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(PAGE)


def fetched() -> tuple[Request, Response]:
    """A gzipped page as downloaded (the middleware edits its headers in place)."""
    url = "https://www.keepto.com/p/1.html"
    request = Request(url)
    return request, Response(url, body=WHOLE, request=request,
                             headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})


def test_the_middleware_decodes_a_gzipped_page_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrapy's middleware decodes each encoding through ``_decode``: the hook this one
    overrides is still called (a Scrapy that renamed it would decode every page slowly)."""
    calls: list[bytes] = []

    def counted(body: bytes, max_size: int = 0) -> bytes:
        calls.append(body)
        return gunzip(body, max_size)

    monkeypatch.setattr(compression, "gunzip", counted)
    ours = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(*fetched())
    scrapys = HttpCompressionMiddleware.from_crawler(get_crawler()).process_response(*fetched())
    assert calls == [WHOLE]
    assert isinstance(ours, HtmlResponse) and type(ours) is type(scrapys)
    assert ours.body == scrapys.body == PAGE
    assert ours.headers == scrapys.headers


def sent(body: bytes = WHOLE, content_type: str | None = "text/html; charset=utf-8", encoding: str = "gzip",
         method: str = "GET", **meta: object) -> tuple[Request, Response]:
    """A page as downloaded for a request of the spider's that asks for it to be left
    encoded for the parse worker."""
    url = "https://www.keepto.com/p/1.html"
    request = Request(url, method=method, meta={DECODE_IN_WORKER: True, **meta})
    headers = {"Content-Encoding": encoding, **({"Content-Type": content_type} if content_type else {})}
    return request, Response(url, body=body, request=request, headers=headers)


def test_a_gzipped_html_page_for_the_worker_is_left_encoded() -> None:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 10**6})
    middleware = QuickHttpCompressionMiddleware.from_crawler(crawler)
    left = middleware.process_response(*sent())
    assert isinstance(left, GzippedHtmlResponse)
    assert left.body == WHOLE and left.headers[b"Content-Encoding"] == b"gzip"
    assert left.head == PAGE[:HEAD_BYTES] and left.max_size == 10**6


def test_a_page_left_encoded_is_counted_as_scrapy_counts_the_pages_it_decodes() -> None:
    crawler = get_crawler()
    QuickHttpCompressionMiddleware.from_crawler(crawler).process_response(*sent())
    assert crawler.stats is not None
    assert crawler.stats.get_value("httpcompression/response_count") == 1
    assert crawler.stats.get_value("httpcompression/response_bytes") == len(PAGE)
    assert crawler.stats.get_value(LEFT_ENCODED_STAT) == 1


def test_a_page_left_encoded_decodes_to_the_response_scrapy_makes_counted_once() -> None:
    crawler = get_crawler()
    left = QuickHttpCompressionMiddleware.from_crawler(crawler).process_response(*sent())
    assert isinstance(left, GzippedHtmlResponse)
    decoded = left.decoded()
    scrapys = HttpCompressionMiddleware.from_crawler(get_crawler()).process_response(*sent())
    assert type(decoded) is type(scrapys) is HtmlResponse
    assert decoded.body == scrapys.body == PAGE and decoded.headers == scrapys.headers
    assert crawler.stats is not None
    assert crawler.stats.get_value("httpcompression/response_count") == 1
    assert crawler.stats.get_value("httpcompression/response_bytes") == len(PAGE)
    assert crawler.stats.get_value(DECODED_AFTER_ALL_STAT) == 1


def test_a_page_left_encoded_over_the_cap_is_refused_as_scrapy_refuses_it() -> None:
    """A trailer may understate the size: the body over the cap is still ignored."""
    huge = gzip.compress(b"<html><body><p>" + b" " * 200_000)
    lying = huge[:-4] + (5000).to_bytes(4, "little")
    left = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(
        *sent(lying, download_maxsize=100_000))
    assert isinstance(left, GzippedHtmlResponse)
    with pytest.raises(IgnoreRequest, match="exceeded DOWNLOAD_MAXSIZE"):
        left.decoded()


NOT_LEFT_ENCODED = {
    "not HTML": sent(content_type="application/json"),
    "no Content-Type": sent(content_type=None),
    "two encodings": sent(gzip.compress(WHOLE), encoding="gzip, gzip"),
    "deflate": sent(zlib.compress(PAGE), encoding="deflate"),
    "size over the request's cap": sent(download_maxsize=len(PAGE) - 1),
    "size Scrapy warns of": sent(download_warnsize=len(PAGE)),
    "empty page": sent(BODIES["empty page"]),
    "only whitespace to start with": sent(gzip.compress(b" " * HEAD_BYTES + PAGE)),
    "not gzip": sent(PAGE),
    "broken from the start": sent(WHOLE[:12] + bytes(40) + WHOLE[52:]),
    "a HEAD request": sent(method="HEAD"),
}


@pytest.mark.parametrize("fetched_page", NOT_LEFT_ENCODED.values(), ids=NOT_LEFT_ENCODED.keys())
def test_any_other_page_is_handled_as_scrapy_handles_it(fetched_page: tuple[Request, Response]) -> None:
    request, response = fetched_page

    def handled(middleware: HttpCompressionMiddleware) -> object:
        try:
            result = middleware.process_response(request, response.replace())
        except Exception as error:
            return type(error)
        return type(result), result.body, result.headers

    scrapys = handled(HttpCompressionMiddleware.from_crawler(get_crawler()))
    assert handled(QuickHttpCompressionMiddleware.from_crawler(get_crawler())) == scrapys


def test_a_page_is_left_encoded_only_when_its_request_asks() -> None:
    request, response = sent()
    del request.meta[DECODE_IN_WORKER]
    handled = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(request, response)
    assert type(handled) is HtmlResponse


def test_the_worker_decodes_a_whole_member_under_its_cap() -> None:
    assert plain_body(WHOLE, len(PAGE)) == PAGE
    assert plain_body(PAGE, None) == PAGE


NOT_ONE_MEMBER = {name: body for name, body in BODIES.items() if name not in ("one member", "empty page")}


@pytest.mark.parametrize("body", NOT_ONE_MEMBER.values(), ids=NOT_ONE_MEMBER.keys())
def test_the_worker_hands_back_any_other_body(body: bytes) -> None:
    with pytest.raises(NotOneGzipMember):
        plain_body(body, 0)


def test_the_worker_refuses_a_body_over_its_cap_without_decoding_it_all() -> None:
    with pytest.raises(NotOneGzipMember):
        plain_body(WHOLE, len(PAGE) - 1)


def test_the_head_of_a_member_is_its_first_bytes_or_none_when_they_do_not_decode() -> None:
    assert member_head(WHOLE, 100) == PAGE[:100]
    assert member_head(WHOLE, len(PAGE) + 100) == PAGE
    assert member_head(WHOLE[: len(WHOLE) // 2], len(PAGE)) is None
    assert member_head(PAGE, 100) is None


def test_a_page_left_encoded_reads_as_its_html_page_to_all_but_a_reader_of_its_bytes() -> None:
    left = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(*sent())
    scrapys = HttpCompressionMiddleware.from_crawler(get_crawler()).process_response(*sent())
    assert isinstance(left, HtmlResponse) and isinstance(scrapys, HtmlResponse)
    assert left.text == scrapys.text and left.encoding == scrapys.encoding
    assert left.css("title::text").getall() == scrapys.css("title::text").getall()
    assert left.urljoin("x.html") == scrapys.urljoin("x.html")
    assert left.body == WHOLE


def test_a_copy_of_a_page_left_encoded_is_of_the_decoded_page() -> None:
    left = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(*sent())
    copy = left.replace(flags=["copied"])
    assert type(copy) is HtmlResponse and copy.body == PAGE and copy.flags == ["copied"]
    assert b"Content-Encoding" not in copy.headers


@pytest.mark.parametrize(("waiting", "left_encoded"), [(0, True), (WAITING_PER_WORKER, True),
                                                        (WAITING_PER_WORKER + 1, False)])
def test_pages_are_left_encoded_only_while_the_parse_workers_keep_up(
        monkeypatch: pytest.MonkeyPatch, waiting: int, left_encoded: bool) -> None:
    crawler = get_crawler(settings_dict={"HEALTHCRAWL_WORKER_PROCESSES": 1})
    monkeypatch.setattr(crawl_pool(crawler), "waiting", lambda: waiting)
    handled = QuickHttpCompressionMiddleware.from_crawler(crawler).process_response(*sent())
    assert isinstance(handled, GzippedHtmlResponse) is left_encoded
    assert isinstance(handled, HtmlResponse) and handled.text == PAGE.decode()


def test_an_error_page_is_decoded_as_scrapy_decodes_it() -> None:
    request, response = sent()
    handled = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(
        request, response.replace(status=404))
    assert type(handled) is HtmlResponse


def test_a_page_left_encoded_that_scrapy_refuses_is_refused_and_counted_once() -> None:
    crawler = get_crawler()
    left = QuickHttpCompressionMiddleware.from_crawler(crawler).process_response(
        *sent(WHOLE[:-4] + (100).to_bytes(4, "little"), download_maxsize=200))
    assert isinstance(left, GzippedHtmlResponse)
    for _ in range(2):
        with pytest.raises(IgnoreRequest):
            left.decoded()
    assert crawler.stats is not None
    assert crawler.stats.get_value("httpcompression/response_count") == 0
    assert crawler.stats.get_value(DECODED_AFTER_ALL_STAT) == 1
