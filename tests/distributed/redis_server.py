"""A Redis server of the tests' own: ``redis-server`` on a free 127.0.0.1 port, in a
temporary folder, with no persistence, stopped and deleted afterwards. It never uses a
server already running (on 6379 or elsewhere). ``make test`` installs Redis through
``scripts/bootstrap.sh`` when ``redis-server`` is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from tests.destinations.postgres_server import free_port, on_a_free_port


def redis_binary() -> Path:
    found = shutil.which("redis-server") or ("/usr/bin/redis-server"
                                            if Path("/usr/bin/redis-server").is_file() else None)
    if found is None:
        raise FileNotFoundError("redis-server not found; `make test` installs it (scripts/bootstrap.sh)")
    return Path(found)


@dataclass
class RedisServer:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> Any:
        return redis.Redis.from_url(self.url(db))

    def stop(self) -> None:
        try:
            self.process.terminate()
            self.process.wait(timeout=10)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> RedisServer:
    return on_a_free_port(_start_once)


def _start_once() -> RedisServer:
    """Start redis-server on a free loopback port and wait until it answers."""
    folder = Path(tempfile.mkdtemp(prefix="healthcrawl-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [str(redis_binary()), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--logfile", str(folder / "redis.log"), "--databases", "64"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = RedisServer(folder, port, process)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.client().ping()
            return server
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "redis.log"
                details = log.read_text() if log.exists() else ""
                server.stop()
                raise RuntimeError(f"cannot start the test Redis server\n{details}") from None
            time.sleep(0.05)
