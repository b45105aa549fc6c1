"""Meta-refresh redirects: Scrapy's behaviour, without decoding pages that cannot have one."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.compression import (
    DECODE_IN_WORKER,
    GzippedHtmlResponse,
    QuickHttpCompressionMiddleware,
)
from crawler.middlewares.meta_refresh import (
    SCANNED_BYTES,
    SCANNED_CHARACTERS,
    QuickMetaRefreshMiddleware,
    could_refresh,
    scanned_start,
)

REFRESH = '<html><head><meta http-equiv="Refresh" content="0; url=/p/2.html"></head><body>moved</body></html>'
PLAIN = "<html><head><title>Colds</title></head><body><p>Wash your hands.</p></body></html>"


def middleware() -> QuickMetaRefreshMiddleware:
    return QuickMetaRefreshMiddleware.from_crawler(get_crawler())


def response(html: str, encoding: str = "utf-8") -> HtmlResponse:
    url = "https://www.keepto.com/p/1.html"
    return HtmlResponse(url, body=html.encode(encoding), encoding=encoding, request=Request(url))


@pytest.mark.parametrize(
    ("encoding", "moved"),
    [("utf-8", "已移动"), ("gbk", "已移动"), ("utf-16", "已移动"), ("iso-2022-jp", "移動しました"),
     ("cp037", "déplacé")],
)
def test_a_refresh_page_is_redirected_as_scrapy_does(encoding: str, moved: str) -> None:
    page = response(REFRESH.replace("moved", moved), encoding)
    ours = middleware().process_response(page.request, page)  # type: ignore[arg-type]
    scrapys = MetaRefreshMiddleware.from_crawler(get_crawler()).process_response(page.request, page)  # type: ignore[arg-type]
    assert isinstance(ours, Request) and isinstance(scrapys, Request)
    assert ours.url == scrapys.url and ours.url.startswith("https://www.keepto.com/p/2.html")


def test_a_page_without_refresh_passes_through_unchanged() -> None:
    page = response(PLAIN)
    assert middleware().process_response(page.request, page) is page  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "could"),
    [
        (PLAIN.encode(), False),
        (REFRESH.encode(), True),
        (REFRESH.upper().encode(), True),
        (REFRESH.encode("utf-16"), True),  # NUL bytes: left to Scrapy
        (REFRESH.encode("cp037"), True),  # EBCDIC: no ASCII "<", left to Scrapy
        (("日a" * 2010 + REFRESH).encode("iso-2022-jp"), True),  # 8 bytes a character
        (PLAIN.encode() + b" " * SCANNED_BYTES + REFRESH.encode(), False),  # beyond what Scrapy scans
    ],
)
def test_only_pages_whose_start_cannot_hold_refresh_are_skipped(body: bytes, could: bool) -> None:
    assert could_refresh(body) is could


def gzipped(body: bytes, content_type: str) -> GzippedHtmlResponse:
    """A page left encoded for the parse worker, as the compression middleware leaves it."""
    url = "https://www.keepto.com/p/1.html"
    request = Request(url, meta={DECODE_IN_WORKER: True})
    fetched = Response(url, body=gzip.compress(body), request=request,
                       headers={"Content-Type": content_type, "Content-Encoding": "gzip"})
    left = QuickHttpCompressionMiddleware.from_crawler(get_crawler()).process_response(request, fetched)
    assert isinstance(left, GzippedHtmlResponse)
    return left


FAR_REFRESH = REFRESH.replace("<html><head>", "<html><head>" + "<!-- -->" * 600)  # past byte 4,096
GZIPPED_PAGES = {  # body, Content-Type, whether Scrapy redirects
    "refresh": (REFRESH.encode(), "text/html; charset=utf-8", True),
    "plain": (PLAIN.encode(), "text/html; charset=utf-8", False),
    "refresh past 4,096 ASCII characters": (FAR_REFRESH.encode(), "text/html; charset=utf-8", False),
    "refresh within 4,096 characters of 3 bytes": (("<p>" + "预" * 1500 + "</p>" + REFRESH).encode(),
                                                   "text/html; charset=utf-8", True),
    # Past byte 4,096, within 4,096 characters: ASCII bytes that spell other characters.
    "refresh within 4,096 ISO-2022-JP characters": (
        ("<p>" + "移動" * 1500 + "</p>" + REFRESH).encode("iso-2022-jp"), "text/html; charset=iso-2022-jp",
        True),
    "refresh within 4,096 HZ characters, charset in the page": (
        ('<meta charset="hz-gb-2312"><p>' + "预防" * 1500 + "</p>" + REFRESH).encode("hz"), "text/html",
        True),
    "refresh past 4,096 characters, charset in the page": (
        ('<meta charset="utf-8">' + "<!-- -->" * 600 + REFRESH).encode(), "text/html", False),
}


@pytest.mark.parametrize(("body", "content_type", "redirected"), GZIPPED_PAGES.values(),
                         ids=GZIPPED_PAGES.keys())
def test_a_page_left_gzipped_is_redirected_or_not_as_scrapy_does_with_it_decoded(
        body: bytes, content_type: str, redirected: bool) -> None:
    page = gzipped(body, content_type)
    ours = middleware().process_response(page.request, page)  # type: ignore[arg-type]
    scrapys = MetaRefreshMiddleware.from_crawler(get_crawler()).process_response(page.request, page.decoded())  # type: ignore[arg-type]
    assert isinstance(ours, Request) is isinstance(scrapys, Request) is redirected
    assert not isinstance(ours, Request) or ours.url == scrapys.url  # type: ignore[union-attr]


@pytest.mark.parametrize("body", [PLAIN, FAR_REFRESH])
def test_a_page_left_gzipped_that_cannot_refresh_passes_on_still_encoded(body: str) -> None:
    page = gzipped(body.encode(), "text/html; charset=utf-8")
    assert middleware().process_response(page.request, page) is page  # type: ignore[arg-type]


def test_a_page_left_gzipped_is_scanned_on_its_first_4096_bytes_when_they_are_as_many_characters() -> None:
    page = gzipped(FAR_REFRESH.encode(), "text/html; charset=utf-8")
    assert scanned_start(page) == FAR_REFRESH.encode()[:SCANNED_CHARACTERS] == page.head


def test_a_page_left_gzipped_whose_start_is_not_ascii_is_scanned_further() -> None:
    page = gzipped(("<p>" + "预" * 1500 + "</p>" + REFRESH).encode(), "text/html; charset=utf-8")
    assert scanned_start(page) == page.decoded().body[:SCANNED_BYTES]
