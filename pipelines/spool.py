"""A table's rows while its run is written, spooled as uncompressed Arrow IPC, and its
files written once, at the close, already retracted and in their published order.

Every file must come out sorted (``tables.ROW_ORDER``) and without the articles a later
copy superseded, and neither is known before the run's end. Writing CSV and Parquet as the
rows came, then reading them back to rewrite them at the close, encoded and compressed
every row twice and parsed it once: at the close of a 5,000-article crawl the rewrite was
0.3 s of the crawl's wall time. Here each row group is converted once into the cells of
each format (typed for Parquet, text for CSV: ``writers.csv_column``) and appended to that
format's spool, an Arrow IPC file (a memory copy). At the close the spool is
memory-mapped, its key columns sorted, and the rows taken in order a chunk at a time into
the one encoding the file gets: memory stays bounded whatever the run's size, as in
``pipelines.row_order``. The spool costs temporary disk: about the size of the CSV file
plus the uncompressed typed rows, in ``.spool/`` inside the run's unpublished folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.retract import Rewrite, taken_in_order
from pipelines.row_order import CHUNK_ROWS
from pipelines.tables import REMOVED, ROW_ORDER
from pipelines.writers import (
    CSV_WRITE_OPTIONS,
    BufferedWriter,
    ColumnBatch,
    RowSelection,
    csv_column,
    csv_schema,
    read_csv_batches,
)

SPOOL_DIR = ".spool"
"""Inside the run's folder until its close."""
SPOOL_BATCH_ROWS = 1_000
"""Rows converted and spooled at a time (fewer when the run's row groups are smaller): the
rows held in memory, and the conversion left for the close. A file's Parquet row groups
keep the run's ``row_group_size``, whatever the batches were."""
SPOOLED_FORMATS = ("csv", "parquet")


class TableSpool(BufferedWriter):
    """One table of a run in each of ``formats`` (``csv``, ``parquet``): rows go to the
    spools as they come (:meth:`write`), the files are written by :meth:`finish`.
    ``path`` is the first format's file."""

    def __init__(self, folder: Path, table: str, formats: Sequence[str], row_group_size: int) -> None:
        if not formats or any(fmt not in SPOOLED_FORMATS for fmt in formats):
            raise ValueError(f"table formats {', '.join(formats)!r}: expected csv or parquet")
        super().__init__(folder / f"{table}.{formats[0]}", min(row_group_size, SPOOL_BATCH_ROWS))
        self.group_rows = row_group_size
        """The Parquet file's row group size."""
        self.folder = folder
        self.table = table
        self.formats = tuple(formats)
        self._spools: dict[str, pa.ipc.RecordBatchFileWriter] = {}
        self._sinks: dict[str, pa.NativeFile] = {}

    def file(self, fmt: str) -> Path:
        """The table's file in ``fmt``, once :meth:`finish` wrote it."""
        return self.folder / f"{self.table}.{fmt}"

    def spool(self, fmt: str) -> Path:
        return self.folder / SPOOL_DIR / f"{self.table}.{fmt}.arrow"

    def open_file(self, schema: pa.Schema) -> None:
        (self.folder / SPOOL_DIR).mkdir(exist_ok=True)
        for fmt in self.formats:
            self._sinks[fmt] = pa.OSFile(str(self.spool(fmt)), "wb")
            self._spools[fmt] = pa.ipc.new_file(self._sinks[fmt], self._cells(fmt))

    def write_batch(self, batch: ColumnBatch) -> None:
        for fmt, spool in self._spools.items():
            if fmt == "csv":
                cells = [csv_column(batch, name) for name in batch.schema.names]
                spool.write_table(pa.Table.from_arrays(cells, schema=self._cells(fmt)))
            else:
                spool.write_table(batch.table())

    def close(self) -> None:
        """Complete the spools: unlike other writers', the table's files exist only once
        :meth:`finish` wrote them."""
        super().close()

    def close_file(self) -> None:
        for fmt in list(self._spools):
            self._spools.pop(fmt).close()
            self._sinks.pop(fmt).close()

    def copy_file(self, source: Path, selection: RowSelection) -> int:
        """Each format's file of the folder of ``source``; every one holds the same rows."""
        counts = []
        for fmt, spool in self._spools.items():
            count = 0
            for batch in _file_batches(source.with_name(f"{self.table}.{fmt}"), fmt, self._schema):
                rows = selection.take(batch)
                table = pa.Table.from_batches([rows]) if isinstance(rows, pa.RecordBatch) else rows
                spool.write_table(table.cast(self._cells(fmt)))
                count += rows.num_rows
            counts.append(count)
        return counts[0]

    def spooled(self, fmt: str) -> Iterator[pa.Table]:
        """The rows spooled in ``fmt``'s cells, as written, a row group at a time (after
        :meth:`close`, before :meth:`finish`)."""
        with pa.memory_map(str(self.spool(fmt))) as source:
            reader = pa.ipc.open_file(source)
            for index in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(index)])

    def finish(self, fmt: str, final: Mapping[str, str]) -> int:
        """Write the file of ``fmt`` from its spool (after :meth:`close`), and delete the
        spool: without the rows of the superseded articles of ``final`` (superseded ->
        finally kept; the ``duplicates`` rows that point at one point at its successor
        instead, and ``removed`` is left as it is), in the table's row order; returns the
        rows left out."""
        dropping = self.table not in ("duplicates", REMOVED.name)
        rewrite = Rewrite(final, dropping, ROW_ORDER.get(self.table, ()))
        spool = self.spool(fmt)
        with pa.memory_map(str(spool)) as source:
            rows = pa.ipc.open_file(source).read_all()
            chunk_rows = self.group_rows if fmt == "parquet" else CHUNK_ROWS
            chunks, removed = taken_in_order(rows, rewrite, chunk_rows)
            if fmt == "parquet":
                with pq.ParquetWriter(self.file(fmt), self._schema, compression="zstd") as parquet:
                    for chunk in chunks:
                        parquet.write_table(chunk, row_group_size=self.group_rows)
            else:
                with pacsv.CSVWriter(str(self.file(fmt)), rows.schema,
                                     write_options=CSV_WRITE_OPTIONS) as csv:
                    for chunk in chunks:
                        csv.write_table(chunk)
        spool.unlink()
        return removed

    def _cells(self, fmt: str) -> pa.Schema:
        return csv_schema(self._schema) if fmt == "csv" else self._schema


def _file_batches(path: Path, fmt: str, schema: pa.Schema) -> Iterator[pa.RecordBatch | pa.Table]:
    """A complete file of a table, as its format's cells, a batch or row group at a time."""
    if fmt == "csv":
        yield from read_csv_batches(path, schema)
        return
    file = pq.ParquetFile(path)
    for index in range(file.num_row_groups):
        yield file.read_row_group(index)
