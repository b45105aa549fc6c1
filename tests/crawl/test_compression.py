"""gzip bodies: decoded, refused and salvaged as Scrapy does, most in one zlib call."""

from __future__ import annotations

import gzip
import zlib

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip as scrapy_gunzip
from scrapy.utils.test import get_crawler

from crawler.middlewares import compression
from crawler.middlewares.compression import QuickHttpCompressionMiddleware, gunzip
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
