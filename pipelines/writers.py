"""Table writers: one contract (``open(schema)``, ``write(rows)``, ``close()``), and what
the CSV and Parquet files share: rows turned into arrow columns a batch at a time
(``BufferedWriter``, ``ColumnBatch``), their CSV cells (``csv_column``), and the selection
of an earlier file's rows to append (``RowSelection``).

JSON Lines goes straight to a buffered file (``JsonLinesWriter``); CSV and Parquet are
spooled and written at the run's close (``pipelines.spool``). A writer gets the schema
before any row, so every format has the same columns in the same order.

CSV conventions (documented in ``exports/README.md``): UTF-8 with a header line; null is an
empty cell; booleans are ``true``/``false``; timestamps ISO-8601 with ``+00:00``; list
columns are JSON arrays. A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading apostrophe so a spreadsheet shows it as text instead of running it
as a formula (OWASP "CSV injection"); Parquet and JSON Lines keep the text unchanged.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any, ClassVar, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines.tables import Row, Table

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
T = TypeVar("T")
R = TypeVar("R")
DEFAULT_ROW_GROUP_SIZE = 10_000
to_json = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(value, ensure_ascii=False)``, without building an encoder a call (which
``json.dumps`` does for any argument not at its default): a cell of every list column
and a line of every record."""


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

    @abstractmethod
    def append_from(self, folder: Path, selection: RowSelection) -> int:
        """Append the rows ``selection`` takes of this table's complete file of the same
        format in ``folder`` (written by this module); returns the rows appended."""


@dataclass(frozen=True, slots=True)
class RowSelection:
    """Which rows of a file to append, by article: all but those of ``keys``, or (``only``)
    just those; ``change`` rewrites the ``change`` column of the rows taken."""

    keys: AbstractSet[str] = frozenset()
    only: bool = False
    change: str | None = None
    _value_set: pa.Array = field(init=False, repr=False, compare=False)
    """``keys`` as an arrow array, made once for every batch of every file."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_value_set", pa.array(sorted(self.keys), pa.string()))

    def take(self, rows: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
        """The arrow rows this selection takes (CSV cells or typed values alike)."""
        if self.keys or self.only:
            wanted = self.of_keys(rows)
            rows = rows.filter(wanted if self.only else pc.invert(wanted))
        if self.change is not None and "change" in rows.schema.names:
            index = rows.schema.get_field_index("change")
            rows = rows.set_column(index, rows.schema.field(index),
                                   pa.array([self.change] * rows.num_rows, pa.string()))
        return rows

    def of_keys(self, rows: pa.Table | pa.RecordBatch) -> pa.Array | pa.ChunkedArray:
        """True for each of ``rows`` that belongs to an article of ``keys``."""
        return pc.is_in(rows["article_key"], value_set=self._value_set)

    def take_line(self, line: str) -> str | None:
        """One JSON Lines record as appended, or None when not taken."""
        if not self.keys and not self.only and self.change is None:
            return line
        row = json.loads(line)
        if (row["article_key"] in self.keys) != self.only:
            return None
        if self.change is None:
            return line
        return to_json({**row, "change": self.change}) + "\n"


def side_by_side(work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``work`` on each item in threads, one a CPU: pyarrow reads, filters, encodes and
    writes without the GIL, so files are rewritten side by side, and at a run's close the
    crawl's own core, idle then, takes its share."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(work, items))


@cache
def _formula_prefixes() -> pa.Array:
    """:data:`FORMULA_PREFIXES` as an arrow array, made at first use: the crawl's own
    process imports this module but never writes a table, and pyarrow's first array
    imports pandas (0.3 s of every run's start)."""
    return pa.array(FORMULA_PREFIXES)


def escape_formulas(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``texts`` with a leading apostrophe on each that a spreadsheet would run as a formula.

    The first characters are compared with a set (no regex), and only the cells that need
    it are rewritten: most columns have none, and come back as they are. A chunked column
    (arrow splits text columns past 2 GB) is escaped a chunk at a time."""
    if isinstance(texts, pa.ChunkedArray):
        return pa.chunked_array([escape_formulas(chunk) for chunk in texts.chunks], texts.type)
    formula = pc.is_in(pc.utf8_slice_codeunits(texts, 0, 1), value_set=_formula_prefixes())
    if not pc.any(formula).as_py():
        return texts
    escaped = pc.binary_join_element_wise("'", pc.filter(texts, formula), "")
    return pc.replace_with_mask(texts, formula, escaped)


def csv_column(batch: ColumnBatch, name: str) -> pa.Array:
    """Column ``name`` of ``batch`` as its CSV cells' arrow array (see the module doc)."""
    kind = batch.schema.field(name).type
    values = batch.columns[name]
    if pa.types.is_string(kind):
        return escape_formulas(batch.array(name))
    if pa.types.is_timestamp(kind):
        return pa.array([None if v is None else v.isoformat() for v in values], pa.string())
    if pa.types.is_list(kind):
        return pa.array([None if v is None else to_json(v) for v in values],
                        pa.string())
    return batch.array(name)


class ColumnBatch:
    """One row group as a list of values per column, each converted to arrow at most once
    however many formats write it (text columns are most of a record's bytes)."""

    def __init__(self, columns: dict[str, list[Any]], schema: pa.Schema) -> None:
        self.schema = schema
        self.columns = columns
        self._arrays: dict[str, pa.Array] = {}

    def array(self, name: str) -> pa.Array:
        """Column ``name`` as an arrow array of its schema type."""
        if name not in self._arrays:
            self._arrays[name] = pa.array(self.columns[name], self.schema.field(name).type)
        return self._arrays[name]

    def table(self) -> pa.Table:
        """The row group as an arrow table of the schema."""
        return pa.Table.from_arrays([self.array(name) for name in self.schema.names], schema=self.schema)


class BufferedWriter(TableWriter):
    """Collects rows, a list of values per column, and writes them ``row_group_size`` at a
    time as one arrow table: a column at a time in C instead of a cell at a time in Python."""

    def __init__(self, path: Path, row_group_size: int = DEFAULT_ROW_GROUP_SIZE) -> None:
        super().__init__(path)
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be positive, got {row_group_size}")
        self.row_group_size = row_group_size
        self.row_groups_written = 0
        self._schema = pa.schema([])
        """Set by ``open``."""
        self._columns: dict[str, list[Any]] = {}
        self._buffered = 0

    @property
    def buffered_rows(self) -> int:
        """Rows held in memory, waiting for the next row group."""
        return self._buffered

    def open(self, schema: pa.Schema) -> None:
        """See :meth:`TableWriter.open`."""
        self._schema = schema
        self._columns = self._empty_columns()
        self.open_file(schema)

    def write(self, rows: Sequence[Row]) -> None:
        """See :meth:`TableWriter.write`; flushes whenever a row group is full."""
        for name, column in self._columns.items():
            column.extend([row.get(name) for row in rows])
        self._buffer_rows(len(rows))

    def write_from(self, table: Table, source: Any) -> None:
        """:meth:`write` of ``table.rows(source)``, the values put in the columns as read."""
        self._buffer_rows(table.append_rows(source, self._columns))

    def close(self) -> None:
        """See :meth:`TableWriter.close`."""
        if self._buffered:
            self._flush()
        self.close_file()

    def append_from(self, folder: Path, selection: RowSelection) -> int:
        """See :meth:`TableWriter.append_from`; what is buffered is written first."""
        if self._buffered:
            self._flush()
        count = self.copy_file(folder / self.path.name, selection)
        self.rows_written += count
        return count

    def _empty_columns(self) -> dict[str, list[Any]]:
        return {name: [] for name in self._schema.names}

    def _buffer_rows(self, count: int) -> None:
        self._buffered += count
        self.rows_written += count
        if self._buffered >= self.row_group_size:
            self._flush()

    def _flush(self) -> None:
        columns, self._columns = self._columns, self._empty_columns()
        rows, self._buffered = self._buffered, 0
        self.write_batch(ColumnBatch(columns, self._schema))
        self.row_groups_written += -(-rows // self.row_group_size)

    @abstractmethod
    def open_file(self, schema: pa.Schema) -> None:
        """Create the file (its header or schema first)."""

    @abstractmethod
    def write_batch(self, batch: ColumnBatch) -> None:
        """Write one row group."""

    @abstractmethod
    def close_file(self) -> None:
        """Finish the file."""

    @abstractmethod
    def copy_file(self, source: Path, selection: RowSelection) -> int:
        """Append the rows ``selection`` takes of ``source`` (a complete file of this
        table and format); returns the rows appended."""


CSV_WRITE_OPTIONS = pacsv.WriteOptions(quoting_header="none", eol="\r\n")


def csv_schema(schema: pa.Schema) -> pa.Schema:
    """The arrow schema of a table's CSV cells: text, times and lists as strings."""
    def cell_type(kind: pa.DataType) -> pa.DataType:
        textual = pa.types.is_string(kind) or pa.types.is_timestamp(kind) or pa.types.is_list(kind)
        return pa.string() if textual else kind

    return pa.schema([pa.field(f.name, cell_type(f.type)) for f in schema])


def read_csv_batches(path: Path, schema: pa.Schema) -> pacsv.CSVStreamingReader:
    """Stream a CSV file this module wrote back as batches of ``csv_schema(schema)``,
    an unquoted empty cell as null and ``""`` as empty text, as written."""
    cells = csv_schema(schema)
    return pacsv.open_csv(str(path), parse_options=pacsv.ParseOptions(newlines_in_values=True),
                          convert_options=pacsv.ConvertOptions(
        column_types=cells, include_columns=cells.names, strings_can_be_null=True,
        quoted_strings_can_be_null=False, true_values=["true"], false_values=["false"]))


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
        self._file.writelines(to_json(row) + "\n" for row in rows)
        self.rows_written += len(rows)

    def close(self) -> None:
        """See :meth:`TableWriter.close`."""
        self._file.close()

    def append_from(self, folder: Path, selection: RowSelection) -> int:
        """See :meth:`TableWriter.append_from`."""
        count = 0
        with (folder / self.path.name).open(encoding="utf-8") as source:
            for line in source:
                taken = selection.take_line(line)
                if taken is not None:
                    self._file.write(taken)
                    count += 1
        self.rows_written += count
        return count
