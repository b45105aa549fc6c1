"""A loopback HTTP server that answers from a script of responses, and logs requests.

For crawl tests that need a server misbehaving on purpose (429 with Retry-After,
a robots.txt with Crawl-delay): real sockets, real HTTP, on 127.0.0.1 only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    drop: bool = False
    """Close the connection without an answer (a network failure)."""


Script = Callable[[str, int], Reply]
"""(path, how many times this path was requested before) -> reply."""


@dataclass
class ScriptedServer:
    url: str
    log: list[tuple[float, str]]

    def times(self, path: str) -> list[float]:
        return [t for t, p in self.log if p == path]


@contextmanager
def scripted_server(script: Script) -> Iterator[ScriptedServer]:
    log: list[tuple[float, str]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with lock:
                seen = sum(1 for _, p in log if p == self.path)
                log.append((time.monotonic(), self.path))
            reply = script(self.path, seen)
            if reply.drop:
                self.close_connection = True
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield ScriptedServer(f"http://127.0.0.1:{httpd.server_address[1]}", log)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
