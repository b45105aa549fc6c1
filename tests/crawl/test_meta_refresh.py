"""Meta-refresh redirects: Scrapy's behaviour, without decoding pages that cannot have one."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.meta_refresh import SCANNED_BYTES, QuickMetaRefreshMiddleware, could_refresh

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
