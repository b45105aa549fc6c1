"""``FaultInjector``: decides, per request, which fault of a ``Faults`` spec the demo
server answers with, and rewrites the pages it serves normally (trap and odd links on
listing pages, session ids, a UTF-8 header on GBK pages, hostile sitemaps in robots.txt).

Decisions only: the server (``server.py``) owns the socket and carries out a
``Decision`` (hang, reset, truncate, drip or a whole ``Reply``). Every decision is a
function of the seed and the URL, but for how many times a URL has failed already.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.demo_site import hostile
from crawler.demo_site.fault_log import FaultLog
from crawler.demo_site.faults import Faults
from crawler.demo_site.site_truth import SiteTruth

HTML = "text/html; charset=utf-8"
ARTICLE_MARKER = b'id="article-content"'
UNIQUE_KINDS = ("original", "orphan")
DELIVERIES = ("whole", "hang", "reset", "truncate", "drip")


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole answer sent instead of the file."""

    status: int
    body: bytes = b""
    ctype: str = HTML
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    compressible: bool = False
    """Gzipped for a client that accepts it, as the site's files are (bombs and
    oversize bodies are sent as they are)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """How to answer one request: the file at ``path`` (or ``reply``), sent by ``delivery``."""

    path: str
    delivery: str = "whole"
    reply: Reply | None = None
    session: str | None = None
    """The session id the request carried (session trap): the page's links get a new one."""


@dataclass(frozen=True, slots=True)
class _Article:
    url: str
    encoding: str
    breakable: bool
    """Whether a permanent fault may hit it: a unique article that no copy, alias or
    redirect stands for (else the crawl would publish the copy instead)."""


class FaultInjector:
    """The faults of one server over one generated site."""

    def __init__(self, faults: Faults, truth: SiteTruth | None, origin: str) -> None:
        """``truth``: the served site's (None for a bare directory: then no article is
        known and no permanent fault fires); ``origin``: the server's desktop origin."""
        self.faults = faults
        self.stopping = threading.Event()
        """Set on shutdown: hung and dripping connections end at once."""
        articles = _articles(truth)
        self._docroot = truth.docroot.resolve() if truth else None
        self._paths = {path: article.url for path, article in articles.items()}
        self._permanent = {path: kind for path, article in articles.items() if article.breakable
                           and (kind := faults.permanent_kind(path)) is not None}
        self._mislabeled = {path for path, article in articles.items()
                            if article.encoding == "gbk" and path not in self._permanent
                            and faults.mislabeled(path)}
        self._base_url = truth.base_url if truth else origin
        self._origins = tuple({self._base_url, origin, *((truth.mobile_base_url,) if truth else ())})
        self._sitemaps = hostile.hostile_sitemaps(faults.sitemaps)
        odd = hostile.odd_links(faults.offsite_origin) if faults.links else []
        self.log = FaultLog(faults, {self._paths[p]: kind for p, kind in sorted(self._permanent.items())},
                            (self._paths[p] for p in self._mislabeled), odd)

    def decide(self, method: str, target: str) -> Decision:
        """The answer to ``method target`` (target: the request line's path and query)."""
        parts = urlsplit(target)
        path, session = unquote(parts.path), None
        if "session" in self.faults.traps:
            path, session = _strip_session(path, parts.query)
        if method != "GET" or path == "/robots.txt":  # the crawl's robots rules stay sane
            return Decision(path, session=session)
        number = self.log.next_request()
        kind = self.faults.transient_kind(target)
        delivery = "whole"
        if kind is not None and self.log.fail_transiently(target):
            self.log.count(kind)
            if kind in DELIVERIES:
                delivery = kind
            else:
                return Decision(path, reply=self._error(int(kind)))
        elif self._in_burst(number) and self.log.fail_transiently(target):
            self.log.count("burst")
            return Decision(path, reply=self._error(self.faults.burst_status))
        if delivery in ("hang", "reset"):
            return Decision(path, delivery)
        reply = self._dynamic(path, parts.query) or self._broken(path, parts.query)
        return Decision(path, delivery, reply, session)

    def rewrite(self, decision: Decision, ctype: str, body: bytes) -> tuple[str, bytes]:
        """``(content type, body)`` of a file served normally, with the faults' additions."""
        if decision.path == "/robots.txt" and (self._sitemaps or self.faults.crawl_delay):
            lines = "".join(f"Sitemap: {self._base_url}{hostile.SITEMAP_PATH}{name}\n"
                            for name in self._sitemaps)
            if self.faults.crawl_delay:  # in the file's group for every user agent
                delay = f"User-agent: *\nCrawl-delay: {self.faults.crawl_delay:g}\n".encode()
                body = body.replace(b"User-agent: *\n", delay, 1)
            return ctype, body.rstrip(b"\n") + b"\n" + lines.encode()
        if not ctype.startswith("text/html"):
            return ctype, body
        if decision.path in self._mislabeled:
            self.log.count("mislabel")
            return HTML, body
        if ARTICLE_MARKER in body:
            return ctype, body
        body = self._add_links(body)
        if decision.session is not None:
            self.log.count("trap:session")
            body = self._rewrite_sessions(body, decision)
        return ctype, body

    def _in_burst(self, number: int) -> bool:
        return bool(self.faults.burst) and number % self.faults.burst_every < self.faults.burst

    def _error(self, status: int) -> Reply:
        body = f"<!DOCTYPE html>\n<html><body><h1>Error {status}</h1></body></html>\n".encode()
        retry = {"Retry-After": str(self.faults.retry_after)} if status in (429, 503) else {}
        return Reply(status, body, headers=MappingProxyType(retry))

    def _dynamic(self, path: str, query: str) -> Reply | None:
        """A trap page or a hostile sitemap, if ``path`` is one the faults add."""
        traps = self.faults.traps
        if "calendar" in traps and path.startswith(hostile.CALENDAR_PATH):
            self.log.count("trap:calendar")
            day = hostile.calendar_page(path.removeprefix(hostile.CALENDAR_PATH))
            return Reply(200, day, compressible=True) if day is not None else Reply(404, b"")
        if "facets" in traps and path == hostile.FACETS_PATH:
            self.log.count("trap:facets")
            return Reply(200, hostile.facet_page(parse_qsl(query)), compressible=True)
        name = path.removeprefix(hostile.SITEMAP_PATH)
        if path.startswith(hostile.SITEMAP_PATH) and name in self._sitemaps:
            self.log.count(f"sitemap:{name}")
            faults = self.faults
            found = hostile.hostile_sitemap(name, urls=list(self._paths.values()),
                                            offsite=faults.offsite_origin, size=faults.sitemap_bytes,
                                            bomb_bytes=faults.bomb_bytes)
            assert found is not None, name
            ctype, body = found
            return Reply(200, body, ctype, compressible=ctype.startswith("application/xml"))
        return None

    def _broken(self, path: str, query: str) -> Reply | None:
        """The permanent fault of article ``path``, if it has one."""
        kind = self._permanent.get(path)
        if kind is None:
            return None
        self.log.count(kind)
        faults = self.faults
        if kind == "binary":
            return Reply(200, hostile.binary_body())
        if kind == "empty":
            return Reply(200, b"")
        if kind == "wrongtype":
            return Reply(200, self._file(path), "image/jpeg")
        if kind == "bomb":
            return Reply(200, hostile.gzip_bomb(faults.bomb_bytes),
                         headers=MappingProxyType({"Content-Encoding": "gzip"}))
        if kind == "oversize":
            return Reply(200, hostile.oversize_page(faults.oversize_bytes))
        if kind == "loop":  # path -> ?hop=1 -> ?hop=2 -> path: a cycle, not only a long chain
            hop = dict(parse_qsl(query)).get("hop", "0")
            after = int(hop) + 1 if hop.isdigit() and len(hop) < 3 else 1
            location = f"{path}?hop={after}" if after < 3 else path
            return Reply(302, b"", headers=MappingProxyType({"Location": location}))
        return Reply(301, b"", headers=MappingProxyType({"Location": f"{faults.offsite_origin}{path}"}))

    def _file(self, path: str) -> bytes:
        assert self._docroot is not None, "only articles of a known site are broken"
        return (self._docroot / path.lstrip("/")).read_bytes()

    def _add_links(self, body: bytes) -> bytes:
        """The trap entries and odd links, before ``</body>`` of a listing page."""
        links = []
        if "calendar" in self.faults.traps:
            links.append(hostile.CALENDAR_ENTRY)
        if "facets" in self.faults.traps:
            links.append(f"{hostile.FACETS_PATH}?topic=heart")
        if "session" in self.faults.traps:
            links.append(hostile.with_session("/", hostile.session_id(self.faults.seed, "", "/")))
        links += self.log.odd_links
        if not links:
            return body
        if self.log.odd_links:
            self.log.count("links")
        block = hostile.links_block(links)
        end = body.rfind(b"</body>")
        return body + block if end < 0 else body[:end] + block + body[end:]

    def _rewrite_sessions(self, body: bytes, decision: Decision) -> bytes:
        """Every link to this site carries a new session id, as URL-rewriting servers do."""
        sid = hostile.session_id(self.faults.seed, decision.session or "", decision.path)
        origins = "|".join(re.escape(origin) for origin in self._origins)
        href = re.compile(rf'href="((?:{origins})?/(?!/)[^"#]*)"'.encode())

        def add(match: re.Match[bytes]) -> bytes:
            url = match.group(1).decode("utf-8", "replace")
            return f'href="{hostile.with_session(url, sid)}"'.encode()

        return href.sub(add, body)


def _strip_session(path: str, query: str) -> tuple[str, str | None]:
    """``path`` without a ``;jsessionid=`` parameter, and the session id found there or in
    a ``sid``/``PHPSESSID`` query parameter."""
    found = hostile.SESSION_PARAM.search(path)
    if found:
        return hostile.SESSION_PARAM.sub("", path), found.group(1)
    for name, value in parse_qsl(query):
        if name.lower() in hostile.SESSION_QUERY:
            return path, value
    return path, None


def _articles(truth: SiteTruth | None) -> dict[str, _Article]:
    """Article path -> what the faults need of it."""
    if truth is None:
        return {}
    stand_ins = set(truth.redirects.values())
    stand_ins.update(d["duplicate_of"] for d in truth.iter_duplicates())
    records = list(truth.iter_records())
    stand_ins.update(r["duplicate_of"] for r in records if r["duplicate_of"])
    return {urlsplit(r["url"]).path: _Article(
        r["url"], r["encoding"], r["kind"] in UNIQUE_KINDS and r["url"] not in stand_ins)
        for r in records}


def load_truth(root: Path) -> SiteTruth | None:
    """The truth of the site generated in ``root``, or None when it has none."""
    try:
        return SiteTruth.load(root)
    except (OSError, ValueError, TypeError):
        return None
