"""Table writers: one contract (``open(schema)``, ``write(rows)``, ``close()``), three formats.

Every writer streams: CSV and JSON Lines go straight to a buffered file, Parquet keeps at
most one row group (``row_group_size`` rows) in memory. A writer gets the schema before
any row, so every format has the same columns in the same order.

CSV conventions (documented in ``exports/README.md``): UTF-8 with a header line; null is an
empty cell; booleans are ``true``/``false``; timestamps ISO-8601 with ``+00:00``; list
columns are JSON arrays. A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading apostrophe so a spreadsheet shows it as text instead of running it
as a formula (OWASP "CSV injection"); Parquet and JSON Lines keep the text unchanged.
"""

from __future__ import annotations

import csv
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.tables import Row

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_ROW_GROUP_SIZE = 10_000


class TableWriter(ABC):
    """Writes the rows of one table to one file; ``rows_written`` counts them."""

    suffix: ClassVar[str]
    """File name suffix, e.g. ``.csv``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows_written = 0

    @abstractmethod
    def open(self, schema: pa.Schema) -> None:
        """Create the file for a table of ``schema`` (writes the header, if any)."""

    @abstractmethod
    def write(self, rows: Sequence[Row]) -> None:
        """Append rows (dicts keyed by column name, values of the schema's types)."""

    @abstractmethod
    def close(self) -> None:
        """Flush everything and close the file; the file is complete afterwards."""


def escape_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_converter(kind: pa.DataType) -> Callable[[Any], Any]:
    """The function turning a value of arrow type ``kind`` into its CSV cell (None -> "")."""
    if pa.types.is_string(kind):
        return lambda value: "" if value is None else escape_formula(value)
    if pa.types.is_boolean(kind):
        return lambda value: "" if value is None else ("true" if value else "false")
    if pa.types.is_timestamp(kind):
        return lambda value: "" if value is None else value.isoformat()
    if pa.types.is_list(kind):
        return lambda value: "" if value is None else json.dumps(value, ensure_ascii=False)
    return lambda value: "" if value is None else value


class CsvWriter(TableWriter):
    """RFC 4180 CSV, UTF-8, header first, formula-looking text escaped."""

    suffix = ".csv"

    def open(self, schema: pa.Schema) -> None:
        """See :meth:`TableWriter.open`."""
        # One converter per column, chosen once from the schema, not per value.
        self._columns = [(field.name, csv_converter(field.type)) for field in schema]
        self._file: IO[str] = self.path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(schema.names)

    def write(self, rows: Sequence[Row]) -> None:
        """See :meth:`TableWriter.write`."""
        self._csv.writerows([cell(row[name]) for name, cell in self._columns] for row in rows)
        self.rows_written += len(rows)

    def close(self) -> None:
        """See :meth:`TableWriter.close`."""
        self._file.close()


class ParquetWriter(TableWriter):
    """Typed Parquet, zstd-compressed, written one row group of ``row_group_size`` at a time."""

    suffix = ".parquet"

    def __init__(self, path: Path, row_group_size: int = DEFAULT_ROW_GROUP_SIZE) -> None:
        super().__init__(path)
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be positive, got {row_group_size}")
        self.row_group_size = row_group_size
        self.row_groups_written = 0
        self._buffer: list[Row] = []

    @property
    def buffered_rows(self) -> int:
        """Rows held in memory, waiting for the next row group."""
        return len(self._buffer)

    def open(self, schema: pa.Schema) -> None:
        """See :meth:`TableWriter.open`."""
        self._schema = schema
        self._writer = pq.ParquetWriter(self.path, schema, compression="zstd")

    def write(self, rows: Sequence[Row]) -> None:
        """See :meth:`TableWriter.write`; flushes a row group whenever one is full."""
        self._buffer.extend(rows)
        self.rows_written += len(rows)
        if len(self._buffer) >= self.row_group_size:
            self._flush()

    def close(self) -> None:
        """See :meth:`TableWriter.close`."""
        if self._buffer:
            self._flush()
        self._writer.close()

    def _flush(self) -> None:
        # Column lists, not row dicts: pyarrow converts a list per column in C, several
        # times faster than ``Table.from_pylist`` walking the rows.
        rows = self._buffer
        table = pa.Table.from_pydict(
            {name: [row[name] for row in rows] for name in self._schema.names}, schema=self._schema
        )
        self._writer.write_table(table, row_group_size=self.row_group_size)
        self.row_groups_written += -(-table.num_rows // self.row_group_size)
        self._buffer = []


class JsonLinesWriter(TableWriter):
    """One JSON object per line, nested values kept (used for the full records).

    The schema is accepted for the contract but not enforced: a line is the row as given.
    """

    suffix = ".jsonl"

    def open(self, schema: pa.Schema) -> None:
        """See :meth:`TableWriter.open`."""
        self._file: IO[str] = self.path.open("w", encoding="utf-8")

    def write(self, rows: Sequence[Row]) -> None:
        """See :meth:`TableWriter.write`."""
        self._file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        self.rows_written += len(rows)

    def close(self) -> None:
        """See :meth:`TableWriter.close`."""
        self._file.close()


def make_table_writer(fmt: str, folder: Path, table: str, row_group_size: int) -> TableWriter:
    """The writer of ``table`` in format ``csv`` or ``parquet`` inside ``folder``."""
    if fmt == "csv":
        return CsvWriter(folder / f"{table}{CsvWriter.suffix}")
    if fmt == "parquet":
        return ParquetWriter(folder / f"{table}{ParquetWriter.suffix}", row_group_size)
    raise ValueError(f"unknown table format {fmt!r}; expected csv or parquet")
