"""Scrapy's meta-refresh redirects, without decoding the pages that cannot have one.

Scrapy's ``MetaRefreshMiddleware`` decodes every HTML response to text and scans its first
4,096 characters with regular expressions, work done on every page although healthcrawl
itself never needs the text (the parser reads the bytes). A ``<meta http-equiv="refresh">``
is written in ASCII, and in every encoding that writes ASCII as ASCII (UTF-8, GBK,
Shift_JIS, Latin-1, ISO-2022-JP, UTF-7...) the word keeps its bytes, so a page whose first
bytes do not hold ``refresh`` in any case has none: it passes on untouched. Every other
page goes through Scrapy's own middleware unchanged, and so does any page that may not
write ASCII as ASCII: one with NUL bytes (UTF-16, UTF-32) or without an ASCII ``<`` (EBCDIC).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Response

SCANNED_CHARACTERS = 4096
"""What Scrapy scans (``scrapy.utils.response.get_meta_refresh``)."""
SCANNED_BYTES = 8 * SCANNED_CHARACTERS
"""Enough bytes for that many characters in any such encoding (UTF-8 spends up to 4 bytes
on a character; ISO-2022-JP, switching to kanji and back, and UTF-7 up to 8)."""


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if not could_refresh(response.body):
            return response
        return super().process_response(request, response)


def could_refresh(body: bytes) -> bool:
    """False only when the start of ``body`` cannot hold a meta refresh."""
    head = body[:SCANNED_BYTES]
    return b"\x00" in head or b"<" not in head or b"refresh" in head.lower()
