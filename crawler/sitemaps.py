"""Reading a sitemap as the protocol allows it, and refusing one that attacks the reader.

Pure functions of the downloaded bytes, so the fuzz target and the spider read sitemaps
the same way.
"""

from __future__ import annotations

import struct

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

SITEMAP_MAXSIZE = 50 * 1024 * 1024
SITEMAP_MAX_URLS = 50_000
"""The sitemap protocol's limits (sitemaps.org): 50 MB uncompressed, 50,000 URLs. A sitemap
may be larger than pages may (``DOWNLOAD_MAXSIZE``), gzipped or not."""


class BadSitemap(Exception):
    """A sitemap the crawl cannot use; ``why`` is its counter's name."""

    def __init__(self, why: str, detail: str) -> None:
        super().__init__(detail)
        self.why = why


def read_sitemap(body: bytes, max_size: int) -> Sitemap:
    """The sitemap in ``body`` (gzipped or not), or :class:`BadSitemap`. Scrapy's reader
    never resolves entities; a sitemap declaring any is refused all the same, as the
    attack it is (billion laughs, ``file:`` or off-site external entities)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError as error:  # scrapy.utils.gz: the size cap was reached
            raise BadSitemap("too_large", f"over {max_size} bytes gunzipped") from error
        except (OSError, EOFError, struct.error) as error:
            raise BadSitemap("bad_gzip", f"gzip data that does not decompress ({error})") from error
    if len(body) > max_size:
        raise BadSitemap("too_large", f"{len(body)} bytes, over {max_size}")
    if b"<!ENTITY" in body:
        raise BadSitemap("entities", "declares XML entities")
    try:
        sitemap = Sitemap(body)
    except Exception as error:  # lxml's XMLSyntaxError, or StopIteration: no element at all
        raise BadSitemap("not_a_sitemap", "no XML") from error
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise BadSitemap("not_a_sitemap", f"XML whose root is <{sitemap.type}>")
    return sitemap
