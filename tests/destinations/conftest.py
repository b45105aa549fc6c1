"""One PostgreSQL server for the whole session (``postgres_server``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.destinations.postgres_server import PostgresServer, start_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
