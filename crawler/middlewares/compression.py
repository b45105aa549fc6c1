"""Scrapy's HTTP compression middleware, with gzip decoded in one zlib call, or left to
the parse worker.

Scrapy's ``gunzip`` reads a body through ``gzip.GzipFile`` in 64 KB chunks, checking the
size cap after each, so that it can also return what a truncated or corrupt stream held
and read a body of several gzip members. Nearly every page is one whole member under the
cap: :func:`gunzip` decodes that with one bounded ``zlib`` call (73 us against 90 us for
a 43 KB demo page, in the crawl's own process, the busiest), and hands every other body
to Scrapy's ``gunzip`` as it came, so what is decoded, refused or salvaged is the same.

A page the spider parses in a worker (its request says :data:`DECODE_IN_WORKER`) need not
be decoded here at all: when the middleware can tell cheaply that Scrapy would make an
HTML page of it under the size caps, and the workers keep up, it passes the body on still
encoded, as a :class:`GzippedHtmlResponse`, and the worker decodes it where it parses it. That moves
about a tenth of the crawl process's CPU to the worker, and the page crosses the pipe at a
fifth of its size. A body the worker finds not to be one whole gzip member comes back, and
:meth:`GzippedHtmlResponse.decoded` gives what this middleware would have made of it.

The hook overridden, ``_decode``, is Scrapy's own and not documented: a Scrapy without it
decodes every page its own way again (no page is lost), and
``tests/crawl/test_compression.py`` fails to say the hook is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.responsetypes import responsetypes
from scrapy.selector import Selector
from scrapy.statscollectors import StatsCollector
from scrapy.utils.gz import gunzip as scrapy_gunzip

from core.gzip_member import declared_size, member_head, whole_member
from core.worker_pool import WorkerPool, crawl_pool

GZIP_ENCODINGS = frozenset({b"gzip", b"x-gzip"})
DECODE_IN_WORKER = "healthcrawl_decode_in_worker"
"""Request meta: the callback takes a gzipped HTML page still encoded
(:class:`GzippedHtmlResponse`) and has it decoded where it is parsed."""
HEAD_BYTES = 4096
"""Bytes of a page left encoded that are decoded here: what the spider's checks for an
empty or binary body read (``crawler.parsing.decoding.is_binary``), and what Scrapy's
meta-refresh scan reads of an ASCII page (``crawler.middlewares.meta_refresh``)."""
LEFT_ENCODED_STAT = "healthcrawl/compression/left_encoded"
DECODED_AFTER_ALL_STAT = "healthcrawl/compression/decoded_after_all"
WAITING_PER_WORKER = 64
"""Jobs (pages to parse, and the dedup stage's) that may wait for each parse worker while
pages are still left gzipped for them.
Measured on the demo site with every page left gzipped: with the site profile (the crawl's
process the busier) fewer than 64 pages waited for the worker nine times in ten; with the
generic profile (the worker the bottleneck) more did half the time."""
_GZIP_MAGIC = b"\x1f\x8b\x08"


def gunzip(body: bytes, max_size: int = 0) -> bytes:
    """``scrapy.utils.gz.gunzip(body, max_size=max_size)``, in one call for a body that is
    one complete gzip member of at most ``max_size`` bytes decoded (0: no cap)."""
    decoded = whole_member(body, max_size)
    # Cut short, corrupt, over the cap, or more members (or bytes) after the first: Scrapy's rules.
    return decoded if decoded is not None else scrapy_gunzip(body, max_size=max_size)


class GzippedHtmlResponse(HtmlResponse):
    """An HTML page whose ``body`` is still the gzip member it came as (its
    ``Content-Encoding`` header still says so), for the parse worker to decode. Its
    ``text``, ``encoding`` and ``selector`` (so ``css``, ``xpath``, ``urljoin``, ``follow``)
    are the page's, decoded here when first asked for, and a copy (``replace``) is of the
    decoded page: only a reader of ``body`` itself sees the wire's bytes.

    Scrapy would have made an :class:`~scrapy.http.HtmlResponse` of it: its Content-Type
    says HTML, and its gzip trailer states a size under the request's caps (which the
    worker enforces: a trailer may lie). ``head`` is what its first :data:`HEAD_BYTES`
    decode to (all of it, when shorter), neither empty nor only whitespace."""

    __slots__ = ("_decode", "_decoded", "_failure", "head", "max_size")

    def __init__(self, *args: Any, head: bytes = b"", max_size: int = 0,
                 decode: Callable[[Response], Response] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head = head
        self.max_size = max_size
        """Bytes the body may decode to (0: any): the request's ``DOWNLOAD_MAXSIZE``."""
        self._decode = decode
        self._decoded: HtmlResponse | None = None
        self._failure: Exception | None = None

    def decoded(self) -> HtmlResponse:
        """What the compression middleware makes of this response when it decodes it:
        Scrapy's size cap (``IgnoreRequest``), warnings and stats, and its salvage of a
        broken stream; raises what that middleware raises. Done once: later calls give the
        same response, or raise the same error."""
        if self._failure is not None:
            raise self._failure
        if self._decoded is None:
            assert self._decode is not None
            try:
                decoded = self._decode(self)
            except Exception as error:
                self._failure = error
                raise
            assert isinstance(decoded, HtmlResponse)  # its Content-Type says so
            self._decoded = decoded
        return self._decoded

    @property
    def text(self) -> str:
        return self.decoded().text

    @property
    def encoding(self) -> str:
        return self.decoded().encoding

    @property
    def selector(self) -> Selector:
        return self.decoded().selector

    def json(self) -> Any:
        return self.decoded().json()

    def replace(self, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        copy: Response = self.decoded().replace(*args, **kwargs)
        return copy


class QuickHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's middleware (same settings, stats, size caps and warnings); gzip is decoded
    by :func:`gunzip`, every other encoding by Scrapy, and a page whose request says
    :data:`DECODE_IN_WORKER` is, where it can be, passed on encoded."""

    def __init__(self, stats: StatsCollector | None = None, *, crawler: Crawler | None = None) -> None:
        super().__init__(stats, crawler=crawler)
        self._pool = crawl_pool(crawler) if crawler is not None else WorkerPool(0)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        if request.meta.get(DECODE_IN_WORKER) and request.method != "HEAD" and self._workers_have_room():
            left_encoded = self._left_encoded(request, response)
            if left_encoded is not None:
                return left_encoded
        return super().process_response(request, response)

    def _workers_have_room(self) -> bool:
        """Whether the parse workers keep up: when jobs pile up for them, they are the
        crawl's bottleneck, and a page is decoded here rather than add to their work."""
        return self._pool.waiting() <= WAITING_PER_WORKER * self._pool.workers

    def _left_encoded(self, request: Request, response: Response) -> GzippedHtmlResponse | None:
        """``response`` as a :class:`GzippedHtmlResponse`, when this middleware would make
        an HTML page of at most the caps of it and its head decodes; else None."""
        if not 200 <= response.status < 300:  # an error page may be retried or fail the fetch
            return None
        headers = response.headers
        encodings = [encoding.strip().lower() for value in headers.getlist(b"Content-Encoding")
                     for encoding in value.split(b",")]
        content_type = headers.get(b"Content-Type")
        if encodings not in ([b"gzip"], [b"x-gzip"]) or content_type is None:
            return None
        if responsetypes.from_content_type(content_type) is not HtmlResponse:
            return None
        body = response.body
        max_size = request.meta.get("download_maxsize", self._max_size)
        warn_size = request.meta.get("download_warnsize", self._warn_size)
        size = declared_size(body)
        if not body.startswith(_GZIP_MAGIC) or not 0 < size <= (max_size or size):
            return None
        if warn_size and size >= warn_size:  # Scrapy may warn of it: decoded here, by its rules
            return None
        head = member_head(body, HEAD_BYTES)
        if not head or head.isspace():  # the spider could not tell from it whether the page is blank
            return None
        self._count(size, 1)
        left_encoded = GzippedHtmlResponse(**_attributes(response, but="headers"), head=head,
                                           max_size=max_size,
                                           decode=partial(self._decode_here, request))
        left_encoded._headers = headers  # handed on, not copied (Scrapy's replace copies them)
        return left_encoded

    def _decode_here(self, request: Request, response: GzippedHtmlResponse) -> Response:
        """Scrapy's handling of a page first left encoded, which it counts instead."""
        self._count(declared_size(response.body), -1)
        # As it came, in a copy: Scrapy's middleware edits the headers of what it decodes.
        fetched = Response(**_attributes(response))
        decoded = super().process_response(request, fetched)
        assert isinstance(decoded, Response)  # the middleware returns a response or raises
        return decoded

    def _count(self, size: int, sign: int) -> None:
        """A page left encoded is counted as decoded, at the size its trailer states (the
        worker decodes it only if that is its size), until it is decoded here after all;
        ``healthcrawl/compression/left_encoded`` and ``.../decoded_after_all`` count both."""
        if self.stats:
            self.stats.inc_value("httpcompression/response_bytes", sign * size)
            self.stats.inc_value("httpcompression/response_count", sign)
            self.stats.inc_value(LEFT_ENCODED_STAT if sign > 0 else DECODED_AFTER_ALL_STAT)

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding in GZIP_ENCODINGS:
            return gunzip(body, max_size)
        return HttpCompressionMiddleware._decode(body, encoding, max_size)


def _attributes(response: Response, but: str = "") -> dict[str, Any]:
    """What a plain :class:`Response` is made of (``Response.attributes``), but ``but``."""
    return {name: getattr(response, name) for name in Response.attributes if name != but}
