"""Scrapy's meta-refresh redirects, without decoding the pages that cannot have one.

Scrapy's ``MetaRefreshMiddleware`` decodes every HTML response to text and scans its first
4,096 characters with regular expressions, work done on every page although healthcrawl
itself never needs the text (the parser reads the bytes). A ``<meta http-equiv="refresh">``
is written in ASCII, and in every encoding that writes ASCII as ASCII (UTF-8, GBK,
Shift_JIS, Latin-1, ISO-2022-JP, UTF-7...) the word keeps its bytes, so a page whose first
bytes do not hold ``refresh`` in any case has none: it passes on untouched. Every other
page goes through Scrapy's own middleware unchanged, and so does any page that may not
write ASCII as ASCII: one with NUL bytes (UTF-16, UTF-32) or without an ASCII ``<`` (EBCDIC).

A page still gzipped for the parse worker (``crawler.middlewares.compression``) is
scanned on the start of what it decodes to, and decoded here only when it could refresh.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from core.gzip_member import member_head
from crawler.middlewares.compression import HEAD_BYTES, GzippedHtmlResponse

SCANNED_CHARACTERS = 4096
"""What Scrapy scans (``scrapy.utils.response.get_meta_refresh``)."""
SCANNED_BYTES = 8 * SCANNED_CHARACTERS
"""Enough bytes for that many characters in any such encoding (UTF-8 spends up to 4 bytes
on a character; ISO-2022-JP, switching to kanji and back, and UTF-7 up to 8)."""
ASCII_ONE_TO_ONE = frozenset({"utf-8", "cp1252", "cp1250", "cp1251", "iso8859-2", "iso8859-15", "koi8-r",
                              "gb18030", "big5hkscs", "cp932", "euc_jp", "cp949"})
"""Encodings (as w3lib names them) in which a run of bytes below 0x80 is that many ASCII
characters: in the multibyte ones every lead byte is 0x80 or above. Not UTF-7, HZ or
ISO-2022, which spell other characters with ASCII bytes."""


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if isinstance(response, GzippedHtmlResponse):
            if not could_refresh(scanned_start(response)):
                return response
            response = response.decoded()
        elif not could_refresh(response.body):
            return response
        return super().process_response(request, response)


def could_refresh(body: bytes | None) -> bool:
    """False only when the start of ``body`` cannot hold a meta refresh (None: a start
    that could not be read)."""
    if body is None:
        return True
    head = body[:SCANNED_BYTES]
    return b"\x00" in head or b"<" not in head or b"refresh" in head.lower()


def scanned_start(response: GzippedHtmlResponse) -> bytes | None:
    """The start of a gzipped page that holds what Scrapy scans of its text: its first
    4,096 bytes when they are that many characters (ASCII in an encoding of
    :data:`ASCII_ONE_TO_ONE`, found as Scrapy finds it: no byte-order mark can be ASCII, so
    the header's charset, else the page's own meta tag within those bytes), else its first
    :data:`SCANNED_BYTES` bytes (None if they do not decode)."""
    head = response.head
    if len(head) < HEAD_BYTES:  # the whole page
        return head
    if head.isascii():
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        encoding = http_content_type_encoding(content_type) or html_body_declared_encoding(head)
        if encoding in ASCII_ONE_TO_ONE:
            return head
    return member_head(response.body, SCANNED_BYTES)
