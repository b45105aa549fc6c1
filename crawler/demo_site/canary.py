"""``CanaryServer``: a second loopback server that counts whatever reaches it.

Off-site links, off-site redirects and external XML entities of the faulty demo site
point at it (``Faults(offsite_origin=canary.url)``): a crawl that keeps to its allowed hosts
leaves ``canary.hits`` at 0. It counts connections, not only whole requests, so a
client that connects and gives up is caught too.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class _CanaryHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _CanaryHandler)
        self.lock = threading.Lock()
        self.connections = 0
        self.seen: list[str] = []

    def verify_request(self, request: object, client_address: object) -> bool:
        with self.lock:
            self.connections += 1
        return True


class CanaryServer:
    """Counts every connection and request it gets on 127.0.0.1 (a context manager)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._httpd = _CanaryHTTPServer((host, 0))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The origin to give ``Faults(offsite_origin=...)``."""
        return f"http://{self.host}:{self.port}"

    @property
    def hits(self) -> int:
        """Connections accepted so far: 0 when nothing left the allowed hosts."""
        with self._httpd.lock:
            return self._httpd.connections

    @property
    def requests(self) -> list[str]:
        """``"METHOD Host path"`` of each whole request received."""
        with self._httpd.lock:
            return list(self._httpd.seen)

    def start(self) -> CanaryServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="canary", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> CanaryServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.shutdown()


class _CanaryHandler(BaseHTTPRequestHandler):
    server: _CanaryHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's naming)
        with self.server.lock:
            self.server.seen.append(f"{self.command} {self.headers.get('Host', '')} {self.path}")
        body = b"canary: this request should never have been made\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_POST = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the test reads the counts."""
