"""``healthcrawl publish`` of a distributed run into PostgreSQL: the database holds the
rows the published Parquet files hold, as a one-process run's would."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.demo_site import DemoServer, generate_site
from pipelines.tables import SCHEMAS
from tests.crawl.run_cli import healthcrawl
from tests.destinations.postgres_server import PostgresServer
from tests.destinations.tables_in import database_rows, parquet_rows
from tests.distributed.redis_server import start_server
from tests.distributed.workers import seed, start_worker


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_a_distributed_run_publishes_into_postgresql_the_rows_of_its_files(
        table: str, published_to_postgres: tuple[Path, PostgresServer]) -> None:
    latest, postgres = published_to_postgres
    assert database_rows(postgres, "distributed", table) == parquet_rows(latest, table)


@pytest.fixture(scope="module")
def published_to_postgres(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory,
                          ) -> tuple[Path, PostgresServer]:
    tmp = tmp_path_factory.mktemp("distributed-postgres")
    own_redis = start_server()
    server = DemoServer(tmp / "site")
    try:
        truth = generate_site(tmp / "site", pages=60, base_url=server.base_url)
        server.start()
        out = tmp / "exports"
        assert seed(own_redis.url(), truth, out).code == 0
        workers = [start_worker(own_redis.url(), truth, out) for _ in range(2)]
        assert [worker.wait().code for worker in workers] == [0, 0]
        published = healthcrawl("publish", "--redis", own_redis.url(), "--to", "files",
                                "--to", postgres.url(), "--pg-schema", "distributed", "--format", "parquet",
                                out=out, env=postgres.env())
        assert published.code == 0, published.stderr
    finally:
        server.shutdown()
        own_redis.stop()
    return out / "latest", postgres
