"""``healthcrawl crawl`` and ``demo`` into a PostgreSQL server of the tests' own: the
tables an analyst queries there are the Parquet files' rows, with real column types."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from core.records import SCHEMA_VERSION
from crawler.demo_site import DemoServer, generate_site
from crawler.demo_site.mutate import Mutation, mutate_site
from pipelines.destinations.base import RunInfo
from pipelines.destinations.postgres import PostgresTables
from pipelines.tables import SCHEMAS
from tests.crawl.run_cli import REPO
from tests.destinations.postgres_server import PostgresServer
from tests.destinations.tables_in import database_rows, parquet_rows, row_versions
from tests.scheduling.commands import crawl_command

PAGES = 60


@dataclass
class Runs:
    """Four incremental runs of one site into files and PostgreSQL: the first, one after
    edits and removals, then two more of the same site (the first of which marks the
    edited articles ``unchanged`` again and empties ``removed``)."""

    out: Path
    schema: str
    mutation: Mutation
    first: Path
    """The first run's published folder."""
    versions: list[dict[str, list[tuple[object, ...]]]]
    """The database's rows with their xmin after each run."""
    stderr: list[str]


def crawl(server: DemoServer, out: Path, postgres: PostgresServer, schema: str,
          *extra: str) -> subprocess.CompletedProcess[str]:
    command = crawl_command(server, out, "--incremental", "--keep-runs", "5", "--to", "files",
                            "--to", postgres.url(), "--pg-schema", schema, *extra)
    command[command.index("--format") + 1] = "parquet,csv"
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240, env=postgres.env())


@pytest.fixture(scope="module")
def runs(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("postgres-runs")
    site = DemoServer(tmp / "site")
    schema, versions, stderr = "scheduled", [], []
    try:
        generate_site(tmp / "site", pages=PAGES, base_url=site.base_url)
        site.start()
        for step in range(4):
            if step == 1:
                mutation = mutate_site(tmp / "site", edit=0.10, remove=0.05)
            done = crawl(site, tmp / "out", postgres, schema)
            assert done.returncode == 0, done.stderr[-3000:]
            stderr.append(done.stderr)
            versions.append(row_versions(postgres, schema))
            if step == 0:
                first = (tmp / "out" / "latest").resolve()
        yield Runs(tmp / "out", schema, mutation, first, versions, stderr)
    finally:
        site.shutdown()


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_each_table_in_postgresql_holds_the_parquet_files_rows_and_values(
        runs: Runs, postgres: PostgresServer, table: str) -> None:
    latest = runs.out / "latest"
    assert database_rows(postgres, runs.schema, table) == parquet_rows(latest, table)


def test_the_first_load_held_every_article_of_the_first_run(runs: Runs) -> None:
    assert len(runs.versions[0]["articles"]) == len(parquet_rows(runs.first, "articles")) > 0


def test_an_incremental_run_leaves_exactly_the_sites_current_state(
        runs: Runs, postgres: PostgresServer) -> None:
    keys = {row[0] for row in database_rows(postgres, runs.schema, "articles")}
    first = {row[0]: row for row in parquet_rows(runs.first, "articles")}
    removed_urls = set(runs.mutation.removed)
    removed = {key for key, row in first.items() if row[2] in removed_urls}
    assert len(removed) == len(runs.mutation.removed) > 0
    assert keys == set(first) - removed
    assert {row[1] for row in runs.versions[1]["removed"]} == removed  # the run that removed them


def test_an_incremental_run_rewrote_only_the_edited_articles(runs: Runs) -> None:
    before = {row[1]: row for row in runs.versions[0]["articles"]}
    after = {row[1]: row for row in runs.versions[1]["articles"]}
    rewritten = {key for key, row in after.items() if before.get(key, (None,))[0] != row[0]}
    changes = {row[1]: row[-1] for row in runs.versions[1]["articles"]}
    assert rewritten == {key for key, change in changes.items() if change != "unchanged"} | {
        key for key in after if before[key][-1] != "unchanged"}


def test_a_second_identical_run_rewrites_no_row_whose_values_it_kept(runs: Runs) -> None:
    # A page fetched again keeps its values but its fetched_at: only such rows are written.
    for table, rows in runs.versions[3].items():
        before = {repr(row[1:]) for row in runs.versions[2][table]}
        rewritten = [row for row in rows if row not in runs.versions[2][table]]
        assert not [row for row in rewritten if repr(row[1:]) in before], table
    assert len(runs.versions[3]["articles"]) == len(runs.versions[2]["articles"])


def test_loading_the_same_run_again_changes_nothing(runs: Runs, postgres: PostgresServer) -> None:
    latest = runs.out / "latest"
    before = row_versions(postgres, runs.schema)
    destination = PostgresTables(postgres.url(password=True), runs.schema)
    destination.open(RunInfo("the same again", SCHEMA_VERSION))
    for table in SCHEMAS:
        destination.write(table, pq.read_table(latest / f"{table}.parquet"))
    destination.commit({"run_id": "the same again"})
    assert row_versions(postgres, runs.schema) == before


def test_the_password_never_reaches_the_manifest_or_the_log(runs: Runs, postgres: PostgresServer) -> None:
    manifest = (runs.out / "latest" / "manifest.json").read_text()
    assert postgres.password not in manifest and postgres.password not in "".join(runs.stderr)
    assert f"{postgres.url()} (schema {runs.schema})" in json.loads(manifest)["destinations"]


def test_the_run_is_recorded_with_its_manifest_in_the_schema(runs: Runs, postgres: PostgresServer) -> None:
    with postgres.connect() as connection:
        loaded = connection.execute(f"SELECT run_id, row_counts FROM {runs.schema}._healthcrawl_runs "
                                    "ORDER BY loaded_at").fetchall()
    published = sorted(p.name for p in (runs.out / "runs").iterdir() if p.is_dir())
    assert [run for run, _ in loaded if run in published] == published
    assert loaded[-1][1]["articles"] == len(parquet_rows(runs.out / "latest", "articles"))


def test_the_columns_have_real_types(runs: Runs, postgres: PostgresServer) -> None:
    with postgres.connect() as connection:
        types = dict(connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'articles'", (runs.schema,)).fetchall())
    assert types["word_count"] == "integer" and types["fetched_at"] == "timestamp with time zone"
    assert types["published_at"] == "date" and types["breadcrumbs"] == "ARRAY"


def test_the_demo_command_loads_the_full_table_set_into_postgresql_alone(
        postgres: PostgresServer, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "crawler", "demo", "--pages", "20", "--out", str(tmp_path / "out"),
               "--to", postgres.url(), "--pg-schema", "demo"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240, env=postgres.env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "tables loaded into" in done.stdout and not (tmp_path / "out" / "latest").exists()
    with postgres.connect() as connection:
        counts = {table: connection.execute(f"SELECT count(*) FROM demo.{table}").fetchone()[0]  # type: ignore[index]
                  for table in SCHEMAS}
    assert counts["articles"] == 20 and counts["sections"] > counts["articles"]

