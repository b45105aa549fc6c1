"""What goes wrong with a PostgreSQL destination says so in one line and a documented exit
code, and never costs what was loaded before: a bad URL, a refused connection, a wrong
password, tables of a newer healthcrawl, a run killed in the middle of its load."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from core.records import SCHEMA_VERSION
from pipelines.destinations.base import Destination, DestinationError, RunInfo
from pipelines.destinations.postgres import PostgresTables
from pipelines.destinations.registry import register
from pipelines.tables import ARTICLE_TABLES, SCHEMAS, record_to_rows
from tests.crawl.run_cli import REPO
from tests.destinations.postgres_server import PostgresServer, free_port
from tests.destinations.tables_in import row_versions
from tests.pipelines.conftest import build_record

SCHEMA = "kept"


def load(server: PostgresServer, run_id: str, numbers: range) -> None:
    """Load a run of hand-built articles ``numbers`` into :data:`SCHEMA`."""
    destination = PostgresTables(server.url(password=True), SCHEMA)
    destination.open(RunInfo(run_id, SCHEMA_VERSION))
    for table, rows in tables_of(numbers).items():
        destination.write(table, rows)
    destination.commit({"run_id": run_id})


def tables_of(numbers: range) -> dict[str, pa.Table]:
    rows: dict[str, list[dict[str, object]]] = {table: [] for table in SCHEMAS}
    for number in numbers:
        for table, table_rows in record_to_rows(build_record(n=number)).items():
            rows[table].extend(table_rows)
    return {table: pa.Table.from_pylist(rows[table], SCHEMAS[table]) for table in SCHEMAS}


@pytest.fixture
def loaded(postgres: PostgresServer) -> Iterator[dict[str, list[tuple[object, ...]]]]:
    """A first load of articles 1-3; yields the rows as loaded (with their xmin)."""
    load(postgres, "first", range(1, 4))
    yield row_versions(postgres, SCHEMA)
    with postgres.connect() as connection:
        connection.execute(f"DROP SCHEMA {SCHEMA} CASCADE")


def healthcrawl_demo(out: Path, to: str,
                     env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crawler", "demo", "--pages", "5", "--out", str(out), "--to", to,
               "--pg-schema", SCHEMA]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)


def test_a_bad_url_is_one_line_and_exit_2(postgres: PostgresServer, loaded: object, tmp_path: Path) -> None:
    done = healthcrawl_demo(tmp_path, "postgresql://user@127.0.0.1:notaport/db")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()] and "no PostgreSQL URL" in done.stderr
    assert row_versions(postgres, SCHEMA) == loaded


def test_a_refused_connection_is_one_line_and_exit_69(postgres: PostgresServer, loaded: object,
                                                      tmp_path: Path) -> None:
    done = healthcrawl_demo(tmp_path, f"postgresql://healthcrawl@127.0.0.1:{free_port()}/healthcrawl")
    assert done.returncode == 69 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Connection refused" in done.stderr
    assert row_versions(postgres, SCHEMA) == loaded


def test_a_wrong_password_is_one_line_exit_69_and_never_shown(postgres: PostgresServer, loaded: object,
                                                              tmp_path: Path) -> None:
    done = healthcrawl_demo(tmp_path, postgres.url().replace("healthcrawl@", "healthcrawl:not-it@"))
    assert done.returncode == 69 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "password authentication failed" in done.stderr
    assert "not-it" not in done.stderr + done.stdout and ":***@" in done.stderr
    assert row_versions(postgres, SCHEMA) == loaded


def test_the_password_can_come_from_a_pgpass_file(postgres: PostgresServer, loaded: object,
                                                  tmp_path: Path) -> None:
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{postgres.port}:*:healthcrawl:{postgres.password}\n")
    passfile.chmod(0o600)
    env = {key: value for key, value in postgres.env().items() if key != "PGPASSWORD"}
    done = healthcrawl_demo(tmp_path / "out", postgres.url(), {**env, "PGPASSFILE": str(passfile)})
    assert done.returncode == 0, done.stderr[-2000:]


def test_tables_of_a_newer_healthcrawl_are_refused(postgres: PostgresServer, loaded: object,
                                                   tmp_path: Path) -> None:
    with postgres.connect() as connection:
        connection.execute(f"UPDATE {SCHEMA}._healthcrawl_tables SET schema_version = 99 "
                           "WHERE table_name = 'sections'")
    with pytest.raises(DestinationError, match="newer healthcrawl.*sections v99"):
        load(postgres, "second", range(1, 3))
    done = healthcrawl_demo(tmp_path, postgres.url(), postgres.env())
    assert done.returncode == 69 and "newer healthcrawl" in done.stderr
    assert row_versions(postgres, SCHEMA) == loaded


def test_a_run_killed_in_the_middle_of_its_load_leaves_the_previous_load(
        postgres: PostgresServer, loaded: object) -> None:
    # The merge statements have run, the commit has not: the process dies there.
    script = f"""
import os, signal
from tests.destinations.test_postgres_failures import SCHEMA, tables_of
from core.records import SCHEMA_VERSION
from pipelines.destinations.base import RunInfo
from pipelines.destinations.postgres import PostgresTables
destination = PostgresTables({postgres.url(password=True)!r}, SCHEMA)
destination.open(RunInfo("killed", SCHEMA_VERSION))
for table, rows in tables_of(range(2, 9)).items():
    destination.write(table, rows)
destination.connection.commit = lambda: os.kill(os.getpid(), signal.SIGKILL)
destination.commit({{"run_id": "killed"}})
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert row_versions(postgres, SCHEMA) == loaded


def test_superseded_articles_are_retracted_before_the_commit(postgres: PostgresServer,
                                                             loaded: object) -> None:
    destination = PostgresTables(postgres.url(password=True), SCHEMA)
    destination.open(RunInfo("retracting", SCHEMA_VERSION))
    for table, rows in tables_of(range(1, 4)).items():
        destination.write(table, rows)
    counts = destination.retract({"demo:2": "demo:1"})
    destination.commit({"run_id": "retracting"})
    with postgres.connect() as connection:
        keys = {table.name: {key for (key,) in connection.execute(
            f"SELECT DISTINCT article_key FROM {SCHEMA}.{table.name}").fetchall()}
            for table in ARTICLE_TABLES}
    assert counts["articles"] == 1 and keys["articles"] == {"demo:1", "demo:3"}
    assert all("demo:2" not in found for found in keys.values())


def test_a_destination_that_cannot_retract_cannot_be_registered() -> None:
    class KeepsEverything(Destination):
        name = "keeps-everything"

    with pytest.raises(TypeError, match="cannot retract"):
        register(KeepsEverything)
