"""A threaded loopback HTTP server for a generated demo site, answering like a real site:
GET and HEAD, ``Content-Type`` with the page's own charset (utf-8 or gbk, as the crawl
benchmarks need), gzip on ``Accept-Encoding``, ETag and Last-Modified with 304 answers to
conditional requests (as nginx: the ETag is the file's time and size), 404s, a 301, a PDF,
a gzipped sitemap served as a file, and both host names (desktop and ``m.``) from one socket.

Only the document root (``<dir>/www``) is served; the truth beside it never is. With a
``Faults`` spec (``faults.py``) it also misbehaves as hostile and broken sites do: the
``FaultInjector`` decides, this module carries out hangs, resets, cut and dripped bodies.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import ssl
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from crawler.demo_site.fault_injection import Decision, FaultInjector, Reply, load_truth
from crawler.demo_site.fault_log import FAULTS_FILE, FaultLog
from crawler.demo_site.faults import Faults
from crawler.demo_site.generator import generate_site
from crawler.demo_site.mutate import mutate_site
from crawler.demo_site.scratch import demo_scratch
from crawler.demo_site.site_truth import SiteTruth

DESKTOP_HOST = "www.healthdemo.test"
MOBILE_HOST = "m.healthdemo.test"
CONTENT_TYPES = {
    ".html": "text/html", ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8", ".gz": "application/gzip",
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
}
COMPRESSIBLE = (".html", ".xml", ".txt", ".css", ".js")
META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)
NOT_FOUND = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>404 Not Found'
             b"</title></head><body><h1>Not Found</h1></body></html>\n")


@dataclass(frozen=True, slots=True)
class Served:
    """One request the server answered, as tests read the server's log: what was asked,
    with which validators, what came back, and when it started and ended
    (``time.monotonic()``)."""

    method: str
    host: str
    path: str
    status: int
    """0 when no answer was sent (a hang, a reset)."""
    started: float
    """When the request had been read."""
    ended: float
    """When the answer began to leave (so a client that has the answer and sends its next
    request is never seen overlapping it), or when the server gave up on one it never sent."""
    conditional: bool
    """The request carried ``If-None-Match`` or ``If-Modified-Since``."""
    user_agent: str
    """Who asked (tests tell crawlers apart by it)."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """What the server needs to know of a generated directory (``server.json``)."""

    docroot: Path
    redirects: dict[str, str] = field(default_factory=dict)
    """Old path -> article path, answered with 301."""

    @classmethod
    def load(cls, root: Path) -> SiteConfig:
        """``root/server.json`` if the generator wrote one, else ``root`` served as is."""
        config = root / "server.json"
        if not config.is_file():
            return cls(root.resolve())
        data = json.loads(config.read_text(encoding="utf-8"))
        return cls((root / data["docroot"]).resolve(), dict(data.get("redirects", {})))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    site: SiteConfig | None = None
    request_log: list[tuple[str, str, str]] | None = None
    request_times: list[float] | None = None
    served: list[Served] | None = None
    site_announce: str | None = None
    """``<profile> <origin> [<host> ...]``: what ``X-Healthcrawl-Site`` says (``crawler.target``)."""
    injector: FaultInjector | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a crawler refusing a bomb) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class DemoServer:
    """Serves a generated site on 127.0.0.1. Binds on construction (so ``port`` and
    ``base_url`` are known before the site is generated); ``start`` serves in a thread,
    ``serve_forever`` in the caller's. Use as a context manager in tests."""

    def __init__(self, root: Path, port: int = 0, host: str = "127.0.0.1", *,
                 log_requests: bool = False, ssl_context: ssl.SSLContext | None = None,
                 faults: Faults | None = None) -> None:
        """``ssl_context`` (a server context with its certificate loaded) serves HTTPS: the
        site's links are then ``https://`` ones, as on most real sites. ``faults``: the
        faults to inject (none by default); see ``fault_log`` for what was injected."""
        self.root = Path(root)
        self.host = host
        self.faults = faults if faults is not None and faults.active else None
        self._httpd = _HTTPServer((host, port), _Handler)
        self.scheme = "http"
        if ssl_context is not None:
            self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        if log_requests:
            self._httpd.request_log = []
            self._httpd.request_times = []
            self._httpd.served = []
        self._thread: threading.Thread | None = None
        self._serving = False

    @property
    def requests(self) -> list[tuple[str, str, str]]:
        """``(method, Host header, path)`` of every request served, when ``log_requests``
        was asked for (tests check what a crawl fetched; a long-running server keeps none)."""
        return list(self._httpd.request_log or [])

    @property
    def request_times(self) -> list[float]:
        """``time.monotonic()`` at the arrival of each request served, when ``log_requests``
        was asked for (politeness tests check the rate a site saw)."""
        return list(self._httpd.request_times or [])

    @property
    def served(self) -> list[Served]:
        """Every request answered so far, in the order they ended, when ``log_requests`` was
        asked for (concurrency, pacing and incremental tests read statuses and times)."""
        return list(self._httpd.served or [])

    @property
    def fault_log(self) -> FaultLog | None:
        """What the faults broke (article URLs no crawl can fetch, known from the start)
        and injected so far, by kind; None without faults. Reads the site's truth, so
        ask once the site is generated."""
        injector = self._injector()
        return injector.log if injector is not None else None

    def _injector(self) -> FaultInjector | None:
        if self.faults is not None and self._httpd.injector is None:
            self._httpd.injector = FaultInjector(self.faults, load_truth(self.root), self.base_url)
        return self._httpd.injector

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The address that really connects (``http://127.0.0.1:PORT``)."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The desktop origin the site's links use; resolve its host to 127.0.0.1."""
        return f"{self.scheme}://{DESKTOP_HOST}:{self.port}"

    @property
    def mobile_url(self) -> str:
        return f"{self.scheme}://{MOBILE_HOST}:{self.port}"

    def _load_site(self) -> None:
        """Read the generated site's server config, and say which profile crawls it: the
        demo profile its keepto layout, the generic one any other (with the host names the
        server answers for, which no profile then names)."""
        self._httpd.site = SiteConfig.load(self.root)
        try:
            layout = SiteTruth.load(self.root).layout
        except (OSError, ValueError, TypeError):
            layout = "keepto"
        self._httpd.site_announce = (f"demo {self.base_url}" if layout == "keepto"
                                     else f"generic {self.base_url} {DESKTOP_HOST} {MOBILE_HOST}")

    def start(self) -> DemoServer:
        """Serve in a daemon thread; returns self."""
        self._load_site()
        self._injector()
        self._serving = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-server",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until KeyboardInterrupt. Nothing marks the loop as
        running: once it has returned or raised there is nothing to stop, and asking
        ``socketserver`` to stop a loop that a Ctrl-C kept from starting waits forever."""
        self._load_site()
        self._injector()
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        """Stop serving and close the socket (safe to call twice, or before serving)."""
        if self._httpd.injector is not None:
            self._httpd.injector.stopping.set()
        if self._serving:
            self._httpd.shutdown()
            self._serving = False
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.shutdown()


def accepts_gzip(header: str | None) -> bool:
    """True when ``Accept-Encoding`` lists gzip (or ``*``) with a non-zero q-value."""
    for token in (header or "").split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return True
    return False


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str,
                 mtime: int) -> bool:
    """Whether a conditional GET gets 304 (RFC 9110 13.2.2: If-None-Match decides when
    sent; If-Modified-Since only without it)."""
    if if_none_match is not None:
        return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in if_none_match.split(","))
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return mtime <= since
    return False


def content_type(path: Path, body: bytes) -> str:
    """The Content-Type of a file; HTML carries the charset its own meta tag declares."""
    if path.suffix == ".html":
        match = META_CHARSET.search(body, 0, 2048)
        charset = match.group(1).decode("ascii").lower() if match else "utf-8"
        return f"text/html; charset={charset}"
    return CONTENT_TYPES.get(path.suffix, "application/octet-stream")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HealthDemo/1.0"
    server: _HTTPServer
    _status = 0
    """The status of the answer being sent (for ``Served``)."""
    _answered = 0.0
    """When it began to leave (for ``Served``)."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: a crawl makes tens of thousands of requests."""

    def _respond(self, *, with_body: bool) -> None:
        started = time.monotonic()
        self._status, self._answered = 0, 0.0
        try:
            self._answer(with_body=with_body)
        finally:
            if self.server.served is not None:
                conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
                self.server.served.append(Served(self.command, self.headers.get("Host", ""), self.path,
                                                 self._status, started, self._answered or time.monotonic(),
                                                 conditional, self.headers.get("User-Agent", "")))

    def _answer(self, *, with_body: bool) -> None:
        site = self.server.site
        assert site is not None, "DemoServer.start() loads the site before serving"
        if self.server.request_log is not None:
            self.server.request_log.append((self.command, self.headers.get("Host", ""), self.path))
            if self.server.request_times is not None:
                self.server.request_times.append(time.monotonic())
        injector = self.server.injector
        if injector is not None and injector.faults.latency:
            injector.stopping.wait(injector.faults.latency)
        decision = injector.decide(self.command, self.path) if injector is not None else None
        if decision is None:
            decision = Decision(unquote(urlsplit(self.path).path))
        elif decision.delivery == "hang":
            self._hang()
            return
        elif decision.delivery == "reset":
            self._reset()
            return
        if decision.reply is not None:
            self._send_reply(decision.reply, with_body, decision.delivery)
            return
        path = decision.path
        if path in site.redirects:
            host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
            self._send(301, b"", "text/html; charset=utf-8", with_body,
                       {"Location": f"http://{host}{site.redirects[path]}"})
            return
        file = _resolve(site.docroot, path)
        if file is None:
            self._send(404, NOT_FOUND, "text/html; charset=utf-8", with_body)
            return
        stat = file.stat()
        validators = {"ETag": f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
                      "Last-Modified": formatdate(stat.st_mtime, usegmt=True)}
        if not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"),
                        validators["ETag"], int(stat.st_mtime)):
            self._send(304, b"", "", False, validators)
            return
        body = file.read_bytes()
        ctype = content_type(file, body)
        if injector is not None:
            ctype, body = injector.rewrite(decision, ctype, body)
        headers = dict(validators)
        if file.suffix in COMPRESSIBLE:
            body = self._compress(body, headers)
        self._send(200, body, ctype, with_body, headers, decision.delivery)

    def _send_reply(self, reply: Reply, with_body: bool, delivery: str) -> None:
        headers = dict(reply.headers)
        body = self._compress(reply.body, headers) if reply.compressible else reply.body
        self._send(reply.status, body, reply.ctype, with_body, headers, delivery)

    def _compress(self, body: bytes, headers: dict[str, str]) -> bytes:
        """``body`` gzipped (and ``headers`` saying so) if the client accepts gzip."""
        if not accepts_gzip(self.headers.get("Accept-Encoding")):
            return body
        headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        # Level 1, as nginx's default: the server shares the CPU with the crawler.
        return gzip.compress(body, compresslevel=1, mtime=0)

    def _send(self, status: int, body: bytes, ctype: str, with_body: bool,
              headers: dict[str, str] | None = None, delivery: str = "whole") -> None:
        self._status, self._answered = status, time.monotonic()
        self.send_response(status)
        if self.server.site_announce:  # `healthcrawl crawl --start-url` finds the profile by it
            self.send_header("X-Healthcrawl-Site", self.server.site_announce)
        if ctype:
            self.send_header("Content-Type", ctype)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not with_body:
            return
        if delivery == "truncate":  # Content-Length promises the whole body; half comes
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif delivery == "drip":
            self._drip(body)
        else:
            self.wfile.write(body)

    def _drip(self, body: bytes) -> None:
        """Send ``body`` in pieces spread over the faults' ``drip_seconds``."""
        assert self.server.injector is not None
        faults, stopping = self.server.injector.faults, self.server.injector.stopping
        size = max(1, -(-len(body) // faults.drip_chunks))
        for start in range(0, len(body), size):
            if stopping.wait(faults.drip_seconds / faults.drip_chunks):
                self.close_connection = True
                return
            self.wfile.write(body[start:start + size])
            self.wfile.flush()

    def _hang(self) -> None:
        """Read the request, answer nothing, hold the connection (until shutdown)."""
        assert self.server.injector is not None
        self.server.injector.stopping.wait(self.server.injector.faults.hang_seconds)
        self.close_connection = True

    def _reset(self) -> None:
        """Close with a TCP reset (SO_LINGER 0) instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def _resolve(docroot: Path, path: str) -> Path | None:
    """The file serving URL ``path`` (a directory's ``index.html``), never outside the root;
    None for what no file can be (a NUL byte, a name too long for the file system)."""
    try:
        candidate = (docroot / path.lstrip("/")).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file() or not candidate.is_relative_to(docroot):
            return None
    except (OSError, ValueError):
        return None
    return candidate


def run_demo_server(pages: int, port: int, dir: Path | None, *, seed: int = 0,  # noqa: A002
                    edit: float = 0.0, remove: float = 0.0, faults: Faults | None = None,
                    layout: str = "keepto", article_blocks: tuple[int, int] | None = None) -> None:
    """Bind ``port`` (0: any free one), generate a site of ``pages`` articles whose links
    name that port into ``dir`` (a temporary folder when None; a site already there with
    the same pages, seed and URL is reused), print the URLs and serve until interrupted
    (``KeyboardInterrupt`` goes on to the caller once the server and the temporary folder
    are gone). ``edit`` and ``remove``: shares of the articles to edit and remove first
    (``crawler.demo_site.mutate``), as a live site changes between two scheduled runs.
    ``faults``: what to inject; ``<dir>/faults.json`` then says what (written when serving
    starts, with the unfetchable articles, and again with the counts when it stops).
    ``layout``: how the pages are marked up (``generator.LAYOUTS``); ``magazine`` is a
    site no profile knows, which the server says (the crawl then uses the generic profile).
    ``article_blocks``: ``(low, high)`` body blocks an article (``generate_site``)."""
    with demo_scratch() as scratch:
        root = Path(dir) if dir is not None else scratch / "site"
        server = DemoServer(root, port, faults=faults)
        try:
            if not _is_current(root, pages, seed, server.base_url, layout, article_blocks):
                generate_site(root, pages=pages, seed=seed, base_url=server.base_url, layout=layout,
                              article_blocks=article_blocks)
            length = "" if article_blocks is None else ", {}-{} blocks an article".format(*article_blocks)
            print(f"Demo site: {pages} articles in {root} ({layout} layout{length})", flush=True)
            if edit or remove:
                changed = mutate_site(root, edit=edit, remove=remove, seed=_next_seed(root))
                print(f"Changed since the last serve: {len(changed.edited)} articles edited, "
                      f"{len(changed.removed)} removed", flush=True)
            _announce_faults(server)
            print(f"Serving {server.base_url}/ and {server.mobile_url}/ on {server.url}; Ctrl-C stops.",
                  flush=True)
            print(f"Crawl it with: healthcrawl crawl --start-url {server.url}/ --out exports", flush=True)
            server.serve_forever()
        finally:
            server.shutdown()
            if server.fault_log is not None and root.is_dir():
                server.fault_log.save(root / FAULTS_FILE)


def _announce_faults(server: DemoServer) -> None:
    """Say which faults are on and write ``faults.json`` beside the site."""
    log = server.fault_log
    if log is None:
        return
    log.save(server.root / FAULTS_FILE)
    print(f"Faults: {log.faults.spec()}; {len(log.unfetchable)} articles unfetchable "
          f"(listed in {server.root / FAULTS_FILE})", flush=True)


def _next_seed(root: Path) -> int:
    """Each change of one site picks other articles."""
    log = root / "truth" / "mutations.jsonl"
    return 1 + (len(log.read_text().splitlines()) if log.is_file() else 0)


def _is_current(root: Path, pages: int, seed: int, base_url: str, layout: str,
                article_blocks: tuple[int, int] | None) -> bool:
    """True when ``root`` already holds the site these arguments would generate."""
    try:
        truth = SiteTruth.load(root)
    except (OSError, ValueError, TypeError):
        return False
    return ((truth.pages, truth.seed, truth.base_url, truth.layout, truth.article_blocks)
            == (pages, seed, base_url, layout, article_blocks))
