"""Reading a table set back, from PostgreSQL and from Parquet, as comparable rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from psycopg import sql

from pipelines.tables import SCHEMAS
from tests.destinations.postgres_server import PostgresServer


def database_rows(server: PostgresServer, schema: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``schema.table``, in a stable order."""
    columns = sql.SQL(", ").join(map(sql.Identifier, SCHEMAS[table].names))
    with server.connect() as connection:
        rows = connection.execute(sql.SQL("SELECT {} FROM {}").format(
            columns, sql.Identifier(schema, table))).fetchall()
    return sorted(rows, key=repr)


def parquet_rows(folder: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``folder/table.parquet``, in the same stable order."""
    data = pq.read_table(folder / f"{table}.parquet").to_pylist()
    return sorted((tuple(row[name] for name in SCHEMAS[table].names) for row in data), key=repr)


def row_versions(server: PostgresServer, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows with their ``xmin`` (the transaction that wrote each): equal
    before and after a load only when the load wrote no row."""
    versions = {}
    with server.connect() as connection:
        for table in SCHEMAS:
            versions[table] = sorted(connection.execute(sql.SQL("SELECT xmin::text, * FROM {}").format(
                sql.Identifier(schema, table))).fetchall(), key=repr)
    return versions
