"""Every writer of one run: each table in each chosen format, plus ``articles.jsonl``.

No Scrapy here: the export stage feeds records and duplicate rows in, and reads the
row counts for the manifest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pyarrow as pa

from core.records import ArticleRecord
from pipelines.destinations.registry import FILE_FORMATS, check_formats
from pipelines.retract import retract, rewrite_files, superseded
from pipelines.spool import SPOOL_DIR, TableSpool
from pipelines.tables import ARTICLE_TABLES, DUPLICATES, REMOVED, SCHEMAS, DuplicateRow, Row, article_sources
from pipelines.writers import DEFAULT_ROW_GROUP_SIZE, JsonLinesWriter, RowSelection, TableWriter, side_by_side

TABLE_FORMATS = tuple(fmt for fmt in FILE_FORMATS if fmt != "jsonl")
"""``jsonl`` writes the nested records (``articles.jsonl``) rather than a flat table."""
ARTICLE_TABLE_NAMES = frozenset(table.name for table in ARTICLE_TABLES)


class TableSet:
    """Opens, feeds and closes all writers of a run inside ``folder``: the tables are
    spooled while the run is written and each file written once when it closes, retracted
    and in its published order (``pipelines.spool``)."""

    def __init__(
        self,
        folder: Path,
        formats: Sequence[str],
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    ) -> None:
        self.formats = check_formats(formats)
        table_formats = [fmt for fmt in self.formats if fmt in TABLE_FORMATS]
        self._tables: dict[str, TableSpool] = {
            table: TableSpool(folder, table, table_formats, row_group_size) for table in SCHEMAS
        } if table_formats else {}
        self._records = JsonLinesWriter(folder / "articles.jsonl") if "jsonl" in formats else None
        self._open = False
        self._sealed = False
        self.folder = folder
        self._retracted: dict[str, int] = {}
        self._applied: dict[str, str] = {}
        """Superseded article -> kept article, as the files were written without them."""

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
        if self._tables:
            for table, source in article_sources(record, change):
                self._tables[table.name].write_from(table, source)
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

    def seal(self) -> None:
        """Take no more rows: every spool and the JSON Lines file complete, no table file
        written yet (:meth:`close` writes them; a run that is aborted needs none)."""
        if self._open and not self._sealed:
            self._sealed = True
            side_by_side(lambda writer: writer.close(), self._writers())

    def spooled(self, table: str) -> Iterator[pa.Table]:
        """After :meth:`seal`, before :meth:`close`: the typed rows of ``table`` as they
        came, a row group at a time (the set must write Parquet)."""
        return self._tables[table].spooled("parquet")

    def close(self, successors: Mapping[str, str] | None = None) -> None:
        """Write every file once, side by side, in its published order
        (``tables.ROW_ORDER``) and without the articles ``successors`` supersedes (``old
        key -> kept key``; ``duplicates`` rows re-pointed at the kept articles); the
        files are complete afterwards."""
        if not self._open:
            return
        self.seal()
        self._open = False
        final = superseded(successors or {})
        files = [(table, spool, fmt) for table, spool in self._tables.items() for fmt in spool.formats]
        counts = side_by_side(lambda file: (file[0], file[1].finish(file[2], final)), files)
        if self._records is not None:
            counts += rewrite_files([self._records.path], final).items()
        self._applied = final
        self._count_retracted({table: count for table, count in counts
                               if table not in ("duplicates", REMOVED.name)})
        if self._tables:
            (self.folder / SPOOL_DIR).rmdir()

    def retract(self, successors: Mapping[str, str]) -> dict[str, int]:
        """After :meth:`close`: remove the articles ``successors`` supersedes that the files
        still hold (:meth:`close` left out those it was given) as it does; rows removed per
        table."""
        final = superseded(successors)
        if all(self._applied.get(key) == kept for key, kept in final.items()):
            return {}
        counts = retract(self.folder, successors)
        self._applied = final
        self._count_retracted(counts)
        return counts

    def _count_retracted(self, counts: Mapping[str, int]) -> None:
        for table, count in counts.items():
            self._retracted[table] = self._retracted.get(table, 0) + count

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
