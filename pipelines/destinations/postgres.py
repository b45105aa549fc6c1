"""The ``postgresql`` destination: the table set loaded into a PostgreSQL schema with real
column types, through psycopg 3 and COPY.

``--to postgresql://user@host:5432/db`` (libpq's own URL: a password can come from
``PGPASSWORD``, ``~/.pgpass``, the ``PG*`` variables or a service file instead, and
should). The schema (``HEALTHCRAWL_POSTGRES_SCHEMA``, ``--pg-schema``; default
``healthcrawl``) is created on first use, with every table and two of its own:
``_healthcrawl_tables`` (the layout version of each table: a newer one than this code
writes is refused) and ``_healthcrawl_runs`` (one row per run loaded, with its manifest).

A run is one transaction: its rows are copied into temporary tables, superseded
articles retracted there, then each table is merged into the schema's (rows no longer
in the run, or changed, are deleted; rows not there yet are inserted: an upsert by
``article_key`` and position) and the transaction commits. Readers see the previous load
until then; a failed or killed run rolls back and leaves it exactly as it was; a run
that changes nothing writes nothing. The merge makes the schema equal to what the run
publishes (``latest``), so an incremental run applies exactly its new and updated
articles and its removals, and a load that was missed (a run published only as files)
is made good by the next one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pyarrow as pa
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from pipelines.destinations.base import Destination, DestinationError, DestinationOptions, RunInfo
from pipelines.destinations.registry import mask, register
from pipelines.dictionary import postgres_type
from pipelines.retract import resolve
from pipelines.tables import ARTICLE_TABLES, ROW_ORDER, SCHEMAS, TABLES_VERSION

KEYS: Mapping[str, tuple[str, ...]] = {table.name: ROW_ORDER[table.name] for table in ARTICLE_TABLES}
"""Primary key of each article table: the columns its rows are ordered by, one row per
value; ``duplicates`` and ``removed`` have none (they are replaced whole when they differ)."""
VERSIONS_TABLE = "_healthcrawl_tables"
RUNS_TABLE = "_healthcrawl_runs"
CONNECT_TIMEOUT = 10
"""Seconds to wait for the server to answer a connection."""


def table_ddl(schema: str, table: str) -> sql.Composed:
    """``CREATE TABLE IF NOT EXISTS`` of ``table`` in ``schema``, typed from its arrow schema."""
    columns = [sql.SQL("{} {}{}").format(sql.Identifier(f.name), sql.SQL(postgres_type(f.type)),
                                         sql.SQL("" if f.nullable else " NOT NULL"))
               for f in SCHEMAS[table]]
    if table in KEYS:
        key = sql.SQL(", ").join(map(sql.Identifier, KEYS[table]))
        columns.append(sql.SQL("PRIMARY KEY ({})").format(key))
    return sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(columns))


def connection_error(where: str, error: psycopg.Error) -> str:
    """libpq's reason in one line (its last, most specific), without the URL."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = next((line for line in reversed(lines) if not line.startswith(("Is the server", "HINT"))),
                  type(error).__name__)
    return f"cannot connect to {where}: {reason.removeprefix('connection failed: ')}"


@register
class PostgresTables(Destination):
    """The tables in a PostgreSQL schema, replaced by each run in one transaction."""

    name = "postgresql"

    def __init__(self, url: str, schema: str) -> None:
        try:
            conninfo_to_dict(url)
            urlsplit(url).port  # noqa: B018 (a port that is no number raises here, not at connect)
        except (psycopg.ProgrammingError, ValueError) as error:
            raise ValueError(f"{mask(url)} is no PostgreSQL URL: {error}") from None
        if not schema:
            raise ValueError("the PostgreSQL schema name is empty")
        self.url = url
        self.schema = schema
        self.connection: psycopg.Connection[Any] | None = None
        self.run: RunInfo | None = None

    @classmethod
    def from_spec(cls, spec: str, options: DestinationOptions) -> PostgresTables:
        return cls(spec, options.pg_schema)

    def describe(self) -> str:
        return f"{mask(self.url)} (schema {self.schema})"

    def open(self, run: RunInfo) -> None:
        """Connect, create the schema's tables on first use, refuse newer ones, and make
        the run's temporary tables."""
        self.run = run
        try:
            self.connection = psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT,
                                              application_name="healthcrawl")
        except psycopg.Error as error:
            raise DestinationError(connection_error(mask(self.url), error)) from None
        try:
            self._create_tables()
            with self.connection.cursor() as cursor:
                for table in SCHEMAS:
                    cursor.execute(sql.SQL("CREATE TEMPORARY TABLE {} (LIKE {})").format(
                        _stage(table), sql.Identifier(self.schema, table)))
        except psycopg.Error as error:
            self.abort()
            raise DestinationError(f"cannot prepare schema {self.schema} of {mask(self.url)}: "
                                   f"{str(error).strip().splitlines()[0]}") from None

    def _create_tables(self) -> None:
        """In a transaction of its own: the schema and tables this code writes, created
        when missing, and their layout version checked (a newer one is refused)."""
        assert self.connection is not None
        schema = sql.Identifier(self.schema)
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"healthcrawl:{self.schema}",))
            cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            cursor.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (table_name text PRIMARY KEY, "
                                   "schema_version integer NOT NULL, created_at timestamptz NOT NULL "
                                   "DEFAULT now())").format(sql.Identifier(self.schema, VERSIONS_TABLE)))
            cursor.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (run_id text PRIMARY KEY, loaded_at "
                                   "timestamptz NOT NULL DEFAULT now(), schema_version integer NOT NULL, "
                                   "row_counts jsonb NOT NULL, manifest jsonb NOT NULL)").format(
                sql.Identifier(self.schema, RUNS_TABLE)))
            cursor.execute(sql.SQL("SELECT table_name, schema_version FROM {}").format(
                sql.Identifier(self.schema, VERSIONS_TABLE)))
            versions = dict(cursor.fetchall())
            newer = sorted(name for name, version in versions.items() if version > TABLES_VERSION)
            if newer:
                raise DestinationError(
                    f"schema {self.schema} of {mask(self.url)} holds tables of a newer healthcrawl "
                    f"({', '.join(f'{name} v{versions[name]}' for name in newer)}; this one writes "
                    f"v{TABLES_VERSION}): upgrade healthcrawl, or load into another --pg-schema")
            older = sorted(name for name, version in versions.items() if version < TABLES_VERSION)
            if older:
                raise DestinationError(
                    f"schema {self.schema} of {mask(self.url)} holds tables of an older layout "
                    f"({', '.join(f'{name} v{versions[name]}' for name in older)}; this one writes "
                    f"v{TABLES_VERSION}): load into another --pg-schema, or drop that schema first")
            for table in SCHEMAS:
                if table not in versions:
                    cursor.execute(table_ddl(self.schema, table))
                    record = sql.SQL("INSERT INTO {} (table_name, schema_version) VALUES (%s, %s)")
                    cursor.execute(record.format(sql.Identifier(self.schema, VERSIONS_TABLE)),
                                   (table, TABLES_VERSION))

    def write(self, table: str, rows: pa.Table) -> None:
        """COPY the rows into the run's temporary table (binary: no text is parsed)."""
        schema = SCHEMAS[table]
        columns = [rows.column(name).to_pylist() for name in schema.names]
        with self._cursor() as cursor, cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                _stage(table), sql.SQL(", ").join(map(sql.Identifier, schema.names)))) as copy:
            copy.set_types([postgres_type(f.type) for f in schema])
            for row in zip(*columns, strict=True):
                copy.write_row(row)

    def retract(self, successors: Mapping[str, str]) -> dict[str, int]:
        """Delete the superseded articles' rows from the run's tables and point
        ``duplicates.duplicate_of`` at the articles finally kept."""
        final = {key: kept for key in successors if (kept := resolve(successors, key)) != key}
        if not final:
            return {}
        counts = {}
        with self._cursor() as cursor:
            for table in ARTICLE_TABLES:
                cursor.execute(sql.SQL("DELETE FROM {} WHERE article_key = ANY(%s)")
                               .format(_stage(table.name)), (list(final),))
                counts[table.name] = cursor.rowcount
            cursor.execute(sql.SQL("UPDATE {} AS d SET duplicate_of = m.kept FROM unnest(%s::text[], "
                                   "%s::text[]) AS m(old, kept) WHERE d.duplicate_of = m.old").format(
                _stage("duplicates")), (list(final), list(final.values())))
        return counts

    def commit(self, manifest: Mapping[str, Any]) -> str:
        """Merge every table into the schema's, record the run, commit."""
        assert self.run is not None
        counts = {}
        with self._cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"healthcrawl:{self.schema}",))
            for table in SCHEMAS:
                cursor.execute(sql.SQL("ANALYZE {}").format(_stage(table)))
                for statement in _merge(self.schema, table):
                    cursor.execute(statement)
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(_stage(table)))
                counts[table] = _count(cursor.fetchone())
            cursor.execute(sql.SQL(
                "INSERT INTO {} (run_id, schema_version, row_counts, manifest) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (run_id) DO UPDATE SET loaded_at = now(), row_counts = EXCLUDED.row_counts, "
                "manifest = EXCLUDED.manifest").format(sql.Identifier(self.schema, RUNS_TABLE)),
                (self.run.run_id, TABLES_VERSION, Jsonb(counts), Jsonb(manifest, dumps=_dumps)))
        assert self.connection is not None
        self.connection.commit()
        self.abort()
        return self.describe()

    def abort(self) -> None:
        """Close the connection: what the run wrote is rolled back, temporary tables go."""
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.close()

    def _cursor(self) -> psycopg.Cursor[Any]:
        if self.connection is None:
            raise RuntimeError(f"{self.describe()} is not open")
        return self.connection.cursor()


def _stage(table: str) -> sql.Identifier:
    """The run's temporary table of ``table``."""
    return sql.Identifier(f"stage_{table}")


def _merge(schema: str, table: str) -> Iterable[sql.Composed]:
    """The statements that make ``schema.table`` equal to the run's, writing only rows that
    differ: keyed tables row by row, the others whole when they differ."""
    target, stage = sql.Identifier(schema, table), _stage(table)
    if table not in KEYS:
        yield sql.SQL(
            "DELETE FROM {t} WHERE EXISTS (SELECT * FROM {s} EXCEPT ALL SELECT * FROM {t}) "
            "OR EXISTS (SELECT * FROM {t} EXCEPT ALL SELECT * FROM {s})").format(t=target, s=stage)
        yield sql.SQL("INSERT INTO {t} SELECT * FROM {s} WHERE NOT EXISTS (SELECT FROM {t})").format(
            t=target, s=stage)
        return
    keys = KEYS[table]
    same_key = sql.SQL(" AND ").join(sql.SQL("n.{k} = t.{k}").format(k=sql.Identifier(key)) for key in keys)
    yield sql.SQL("DELETE FROM {t} AS t WHERE NOT EXISTS (SELECT FROM {s} AS n WHERE {same} "
                  "AND ROW(n.*) IS NOT DISTINCT FROM ROW(t.*))").format(t=target, s=stage, same=same_key)
    yield sql.SQL("INSERT INTO {t} SELECT n.* FROM {s} AS n WHERE NOT EXISTS "
                  "(SELECT FROM {t} AS t WHERE {same})").format(t=target, s=stage, same=same_key)


def _count(row: tuple[Any, ...] | None) -> int:
    return int(row[0]) if row else 0


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)
