"""Every writer of one run: each table in each chosen format, plus ``articles.jsonl``.

No Scrapy here: the export stage feeds records and duplicate rows in, and reads the
row counts for the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from core.records import ArticleRecord
from pipelines.destinations.registry import FILE_FORMATS, check_formats
from pipelines.retract import retract
from pipelines.tables import ARTICLE_TABLES, DUPLICATES, REMOVED, SCHEMAS, DuplicateRow, Row, record_to_rows
from pipelines.writers import (
    DEFAULT_ROW_GROUP_SIZE,
    BufferedWriter,
    JsonLinesWriter,
    RowSelection,
    SharedRowGroups,
    TableWriter,
    make_table_writer,
    side_by_side,
)

TABLE_FORMATS = tuple(fmt for fmt in FILE_FORMATS if fmt != "jsonl")
"""``jsonl`` writes the nested records (``articles.jsonl``) rather than a flat table."""
ARTICLE_TABLE_NAMES = frozenset(table.name for table in ARTICLE_TABLES)


class TableSet:
    """Opens, feeds and closes all writers of a run inside ``folder``."""

    def __init__(
        self,
        folder: Path,
        formats: Sequence[str],
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    ) -> None:
        self.formats = check_formats(formats)
        table_formats = [fmt for fmt in self.formats if fmt in TABLE_FORMATS]
        self._tables: dict[str, BufferedWriter] = {
            table: SharedRowGroups([make_table_writer(fmt, folder, table, row_group_size)
                                    for fmt in table_formats], row_group_size)
            for table in SCHEMAS
        } if table_formats else {}
        self._records = JsonLinesWriter(folder / "articles.jsonl") if "jsonl" in formats else None
        self._open = False
        self.folder = folder
        self._retracted: dict[str, int] = {}
        self.ordered = False
        """Every file's rows are in their published order (:meth:`retract` puts them so)."""

    def open(self) -> None:
        """Create every file (headers and schemas first)."""
        for table, writer in self._tables.items():
            writer.open(SCHEMAS[table])
        if self._records is not None:
            self._records.open(SCHEMAS["articles"])
        self._open = True

    def write_record(self, record: ArticleRecord, change: str = "new") -> None:
        """Append one kept record to every article table (and the JSON Lines file);
        ``change`` says how it differs from the previous publication (``tables.CHANGES``)."""
        for table, rows in record_to_rows(record, change).items():
            if rows and self._tables:
                self._tables[table].write(rows)
        if self._records is not None:
            self._records.write([{**record.to_dict(), "change": change}])

    def write_duplicate(self, row: DuplicateRow) -> None:
        """Append one row to the ``duplicates`` table."""
        if self._tables:
            self._tables["duplicates"].write([row.to_row()])

    def write_rows(self, table: str, rows: Sequence[Row]) -> None:
        """Append rows of any flat table (the JSON Lines file takes whole records only)."""
        if table not in SCHEMAS:
            raise ValueError(f"unknown table {table!r}")
        if self._tables and rows:
            self._tables[table].write(rows)

    def write_removed(self, rows: list[Row]) -> None:
        """Append rows to the ``removed`` table (``tables.REMOVED``)."""
        if self._tables and rows:
            self._tables[REMOVED.name].write(rows)

    def append(self, folder: Path, articles: RowSelection, duplicates: bool = True) -> None:
        """Append the rows of the complete tables in ``folder`` (of this set's formats) to
        this set's files: what ``articles`` takes of each article table, and the
        ``duplicates`` rows unless told not to."""
        work: list[tuple[TableWriter, RowSelection]] = [
            (writer, articles if table in ARTICLE_TABLE_NAMES else RowSelection())
            for table, writer in self._tables.items()
            if table in ARTICLE_TABLE_NAMES or (table == DUPLICATES.name and duplicates)]
        if self._records is not None:
            work.append((self._records, articles))
        side_by_side(lambda job: job[0].append_from(folder, job[1]), work)

    def close(self) -> None:
        """Close every writer once, side by side (each writes the rows it still holds); the
        files are complete afterwards."""
        if not self._open:
            return
        self._open = False
        side_by_side(lambda writer: writer.close(), self._writers())

    def retract(self, successors: Mapping[str, str]) -> dict[str, int]:
        """After :meth:`close`: remove superseded articles (``old key -> kept key``) from
        every file, re-point ``duplicates`` rows at the kept articles and put every file's
        rows in their published order (``tables.ROW_ORDER``); rows removed per table."""
        counts = retract(self.folder, successors)
        self.ordered = True
        for table, count in counts.items():
            self._retracted[table] = self._retracted.get(table, 0) + count
        return counts

    def row_counts(self) -> dict[str, int]:
        """Rows per table (the same in every format; jsonl counts records)."""
        counts = {table: writer.rows_written for table, writer in self._tables.items()}
        if self._records is not None:
            counts.setdefault("articles", self._records.rows_written)
        for table, removed in self._retracted.items():
            counts[table] -= removed
        return counts

    def _writers(self) -> list[TableWriter]:
        writers: list[TableWriter] = list(self._tables.values())
        return writers + ([self._records] if self._records is not None else [])
