"""One Redis server for the whole session; each test gets a database of its own."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.distributed.redis_server import RedisServer, start_server

_DATABASES = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A fresh database of the session's server (64 of them: one a test)."""
    return redis_server.url(next(_DATABASES))
