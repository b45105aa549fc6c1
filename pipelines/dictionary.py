"""The data dictionary shipped inside every publication (``dictionary.json``): each table's
columns with their meaning and their type in every place the tables go, and the arguments
CSV readers need to load the declared types rather than guess them.

Guessing is what goes wrong without it: pandas reads ``article_id`` as int64 (it is text
that happens to be digits), ``sections.number`` as floats (a nullable integer-looking
column) and empty text as NaN, and DuckDB sniffs dates where the Parquet file has text.
The meanings are ``column_meanings.json`` beside this module, kept equal to the
tables of ``exports/README.md`` by ``tests/pipelines/test_readme.py``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from core.records import SCHEMA_VERSION
from pipelines.tables import ROW_ORDER, SCHEMAS

DICTIONARY_FILE = "dictionary.json"
MEANINGS_FILE = Path(__file__).with_name("column_meanings.json")


def postgres_type(kind: pa.DataType) -> str:
    """The PostgreSQL column type of an arrow type of the tables."""
    if pa.types.is_list(kind):
        return f"{postgres_type(kind.value_type)}[]"
    if pa.types.is_timestamp(kind):
        return "timestamptz" if kind.tz else "timestamp"
    return _POSTGRES[str(kind)]


def pandas_dtype(kind: pa.DataType) -> str | None:
    """The ``pandas.read_csv`` dtype of a CSV column; None for one read as a date
    (``parse_dates``) or as JSON text (a list column)."""
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_list(kind):
        return None
    return _PANDAS[str(kind)]


def duckdb_type(kind: pa.DataType) -> str:
    """The DuckDB ``read_csv(columns=...)`` type of a CSV column (list columns are JSON text)."""
    if pa.types.is_list(kind):
        return "VARCHAR"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMPTZ" if kind.tz else "TIMESTAMP"
    return _DUCKDB[str(kind)]


_POSTGRES = {"string": "text", "int32": "integer", "int64": "bigint", "bool": "boolean",
             "double": "double precision", "date32[day]": "date"}
_PANDAS = {"string": "string", "int32": "Int32", "int64": "Int64", "bool": "boolean", "double": "Float64"}
_DUCKDB = {"string": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT", "bool": "BOOLEAN",
           "double": "DOUBLE", "date32[day]": "DATE"}


@cache
def column_meanings() -> dict[str, dict[str, str]]:
    """What each column holds, by table (the README's words)."""
    meanings: dict[str, dict[str, str]] = json.loads(MEANINGS_FILE.read_text(encoding="utf-8"))
    return meanings


def csv_read_arguments(schema: pa.Schema) -> dict[str, Any]:
    """What ``pandas.read_csv`` and DuckDB's ``read_csv`` need to load a table's CSV file
    with its declared types: empty text stays empty text in a column that cannot be
    null, and an empty cell is null (NA) in one that can."""
    return {
        "pandas": {
            "dtype": {f.name: dtype for f in schema if (dtype := pandas_dtype(f.type)) is not None},
            "parse_dates": [f.name for f in schema
                            if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)],
            "keep_default_na": False,
            "na_values": {f.name: [""] for f in schema if f.nullable},
        },
        "duckdb": {"columns": {f.name: duckdb_type(f.type) for f in schema}, "header": True,
                   "auto_detect": False, "allow_quoted_nulls": False},
    }


def data_dictionary() -> dict[str, Any]:
    """Every table: its columns (type in Parquet, PostgreSQL type, nullability, meaning),
    the columns its rows are ordered by, and its CSV read arguments; ``json.dumps`` ready."""
    meanings = column_meanings()
    return {
        "schema_version": SCHEMA_VERSION,
        "tables": {
            name: {
                "columns": [{"name": f.name, "type": str(f.type), "postgres_type": postgres_type(f.type),
                             "nullable": f.nullable, "meaning": meanings[name][f.name]} for f in schema],
                "row_order": list(ROW_ORDER[name]),
                "csv": csv_read_arguments(schema),
            }
            for name, schema in SCHEMAS.items()
        },
    }
