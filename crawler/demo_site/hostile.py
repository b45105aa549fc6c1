"""The bodies of hostile answers: crawler-trap pages, odd links, hostile sitemaps,
gzip bombs, oversize and binary bodies. Pure functions of their arguments; the fault
injector (``fault_injection.py``) decides when each is sent.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from html import escape
from urllib.parse import urlencode, urlsplit

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_PATH = "/sitemaps/hostile/"
CALENDAR_PATH = "/calendar/"
FACETS_PATH = "/facets"
CALENDAR_ENTRY = "/calendar/2024-01-01"
FACETS = {"topic": ("heart", "diet", "sleep", "skin"), "sort": ("new", "old", "popular"),
          "per": ("10", "20", "50"), "view": ("list", "grid")}
SESSION_STYLES = ("jsessionid", "sid", "PHPSESSID")
SESSION_PARAM = re.compile(r";jsessionid=([^/;?#]*)", re.IGNORECASE)
SESSION_QUERY = ("sid", "phpsessid", "jsessionid")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def page(title: str, links: Iterable[tuple[str, str]]) -> bytes:
    """A plain HTML page of links (``(href, text)``), as trap pages are."""
    rows = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>\n' for href, text in links)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
            f"</title></head><body><h1>{escape(title)}</h1><ul>\n{rows}</ul></body></html>\n").encode()


def calendar_page(day: str) -> bytes | None:
    """An events calendar day linking the next and previous days and a month on:
    endless, as a real calendar is. None for a path that is not a date."""
    try:
        today = date.fromisoformat(day)
    except ValueError:
        return None
    links = [(f"{CALENDAR_PATH}{today + timedelta(days=1)}", "Next day"),
             (f"{CALENDAR_PATH}{today - timedelta(days=1)}", "Previous day"),
             (f"{CALENDAR_PATH}{today + timedelta(days=30)}", "In a month")]
    return page(f"Health events on {today}", links)


def facet_page(params: list[tuple[str, str]]) -> bytes:
    """A faceted search page: every facet value and the next page, each added to the
    current parameters in the order clicked (so one filter set has many URLs)."""
    current = dict(params)
    links = []
    for name, values in FACETS.items():
        for value in values:
            if current.get(name) != value:
                links.append((_facet_href([*_without(params, name), (name, value)]), f"{name}: {value}"))
    number = current.get("page", "1")
    next_page = int(number) + 1 if number.isdigit() and len(number) < 9 else 2
    links.append((_facet_href([*_without(params, "page"), ("page", str(next_page))]), "Next page"))
    return page("Search results", links)


def _facet_href(params: list[tuple[str, str]]) -> str:
    return f"{FACETS_PATH}?{urlencode(params)}"


def _without(params: list[tuple[str, str]], name: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params if k != name]


def session_id(seed: int, previous: str, path: str) -> str:
    """The next session id: new on every page, as a server that rewrites URLs mints them."""
    return hashlib.blake2b(f"{seed}\0{previous}\0{path}".encode(), digest_size=16).hexdigest().upper()


def with_session(href: str, sid: str) -> str:
    """``href`` carrying session id ``sid`` in one of the three common styles (chosen by
    the href, so each style appears): ``;jsessionid=``, ``?sid=``, ``?PHPSESSID=``.
    A session id ``href`` already has is replaced."""
    path, _, query = href.partition("?")
    path = SESSION_PARAM.sub("", path)
    query = "&".join(p for p in query.split("&")
                     if p and p.partition("=")[0].lower() not in SESSION_QUERY)
    href = f"{path}?{query}" if query else path
    style = SESSION_STYLES[sum(href.encode()) % len(SESSION_STYLES)]
    if style == "jsessionid":
        return f"{path};jsessionid={sid}" + (f"?{query}" if query else "")
    return f"{href}{'&' if query else '?'}{style}={sid}"


def odd_links(offsite: str) -> list[str]:
    """Links a crawler must not follow or must survive: other hosts (all the
    ``offsite`` server, reached without DNS), other schemes, bad escapes, odd
    characters, a malformed host and port, a huge URL, a path climbing out of the root."""
    parts = urlsplit(offsite)
    port = f":{parts.port}" if parts.port else ""
    return [
        f"{offsite}/offsite-link",
        f"//{parts.netloc}/protocol-relative",
        f"http://localhost{port}/localhost-link",
        f"http://user:secret@{parts.netloc}/userinfo",
        "file:///etc/passwd",
        "javascript:alert(document.cookie)",
        " JaVaScRiPt:void(0)",
        "mailto:editor@healthdemo.test",
        "tel:+15550100",
        "data:text/html;base64,PGgxPmhpPC9oMT4=",
        "/p/%zz%.html",
        "/c/üñíçødé page.html",
        "/c/%00nul\tand tab",
        "\\\\127.0.0.1\\share\\file.html",
        "http://[::1",
        "http://www.healthdemo.test:99999/",
        "/../../../../etc/passwd",
        "/" + "a" * 16_000,
        "#top",
        "",
    ]


def links_block(links: Iterable[str]) -> bytes:
    """The block the injector adds to a listing page's body."""
    items = "".join(f'<li><a href="{escape(href)}">link</a></li>\n' for href in links)
    return f'<div class="more-links"><ul>\n{items}</ul></div>\n'.encode()


def hostile_sitemaps(kinds: Iterable[str]) -> list[str]:
    """The file names served under ``SITEMAP_PATH`` for the chosen sitemap kinds."""
    names = {"entities": ["entities.xml"], "xxe": ["xxe-file.xml", "xxe-http.xml"],
             "oversize": ["oversize.xml"], "notgzip": ["notgzip.xml.gz", "badgzip.xml.gz"],
             "gzbomb": ["gzbomb.xml.gz"]}
    return [name for kind in sorted(kinds) for name in names[kind]]


def hostile_sitemap(name: str, *, urls: list[str], offsite: str, size: int,
                    bomb_bytes: int) -> tuple[str, bytes] | None:
    """``(content type, body)`` of hostile sitemap ``name``; ``urls`` are real article
    URLs, so a parser that survives finds nothing the site does not have."""
    xml = "application/xml; charset=utf-8"
    first = urls[0] if urls else "http://www.healthdemo.test/"
    if name == "entities.xml":
        entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
        return xml, (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY lol0 "lol">{entities}]>\n'
                     f'<urlset xmlns="{SITEMAP_NS}"><url><loc>{first}#&lol9;</loc></url></urlset>\n').encode()
    if name in ("xxe-file.xml", "xxe-http.xml"):
        target = "file:///etc/passwd" if name == "xxe-file.xml" else f"{offsite}/xxe.dtd"
        return xml, (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY % remote SYSTEM "{target}">'
                     f'%remote;<!ENTITY xxe SYSTEM "{target}">]>\n<urlset xmlns="{SITEMAP_NS}">'
                     f"<url><loc>{first}?x=&xxe;</loc></url></urlset>\n").encode()
    if name == "oversize.xml":
        return xml, oversize_sitemap(urls, size)
    if name == "notgzip.xml.gz":
        return "application/gzip", urlset(urls[:1])
    if name == "badgzip.xml.gz":
        return "application/gzip", b"\x1f\x8b\x08\x00" + b"this is not deflate data" * 40
    if name == "gzbomb.xml.gz":
        return "application/gzip", gzip_bomb(bomb_bytes)
    return None


def urlset(urls: Iterable[str]) -> bytes:
    rows = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    return f"{head}{rows}</urlset>\n".encode()


def oversize_sitemap(urls: list[str], size: int) -> bytes:
    """A valid urlset of ``urls`` padded with an XML comment to ``size`` bytes."""
    body = urlset(urls)
    head, _, tail = body.rpartition(b"</urlset>")
    pad = max(0, size - len(body) - len(b"<!--  -->\n"))
    return head + b"<!-- " + b"padding " * (pad // 8) + b" " * (pad % 8) + b" -->\n" + b"</urlset>" + tail


@lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """Gzip of ``size`` zero bytes (about a thousandth of it on the wire); kept once built."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = [packer.compress(chunk) for _ in range(size >> 20)]
    parts.append(packer.compress(bytes(size & ((1 << 20) - 1))))
    return b"".join(parts) + packer.flush()


def oversize_page(size: int) -> bytes:
    """A well-formed HTML page of ``size`` bytes (padded with a comment)."""
    head = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Big</title></head><body><!--'
    tail = b"--></body></html>\n"
    return head + b" " * max(0, size - len(head) - len(tail)) + tail


def binary_body() -> bytes:
    """PNG bytes, as a broken CMS serves an image on an article URL as text/html."""
    return PNG_SIGNATURE + bytes(range(256)) * 16 + gzip.compress(b"\x00\xff" * 512, mtime=0)
