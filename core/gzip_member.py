"""A gzip body that is one whole member, decoded in one bounded ``zlib`` call.

Nearly every compressed page is one complete gzip member. These functions decode that
case and nothing else: a body cut short, over a size cap, with a bad checksum, with more
members or bytes after the first, or not gzip at all gives None, for the caller to decode
by the full rules (Scrapy's ``gunzip``, which reads several members and salvages what a
broken stream held). Free of Scrapy, so that a parse worker can decode the pages it parses.
"""

from __future__ import annotations

import zlib

_GZIP_WBITS = 16 + zlib.MAX_WBITS
"""zlib reads a gzip header and trailer (its CRC and length are checked)."""


class NotOneGzipMember(ValueError):
    """A body sent to be decoded elsewhere was not one whole gzip member under its cap."""


def whole_member(body: bytes, max_size: int = 0) -> bytes | None:
    """``body`` decoded, when it is one complete gzip member of at most ``max_size`` bytes
    decoded (0: no cap); else None. Never decodes more than ``max_size + 1`` bytes."""
    decoder = zlib.decompressobj(_GZIP_WBITS)
    try:
        decoded = decoder.decompress(body, max_size + 1 if max_size else 0)
    except zlib.error:
        return None
    if decoder.eof and not decoder.unused_data and not (max_size and len(decoded) > max_size):
        return decoded
    return None


def member_head(body: bytes, size: int) -> bytes | None:
    """The first ``size`` bytes ``body`` decodes to (all of them when fewer), or None when
    the stream fails before giving that many. Decodes only what it returns."""
    decoder = zlib.decompressobj(_GZIP_WBITS)
    try:
        head = decoder.decompress(body, size)
    except zlib.error:
        return None
    whole = decoder.eof and not decoder.unused_data
    return head if len(head) == size or whole else None


def declared_size(body: bytes) -> int:
    """The decoded size a gzip member's trailer states (modulo 2**32; a broken or hostile
    body may state anything: :func:`whole_member` checks it)."""
    return int.from_bytes(body[-4:], "little")
