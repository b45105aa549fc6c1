"""The ``files`` destination: the table set as CSV, Parquet and JSON Lines files, published
atomically into the export folder (``pipelines.publish``: ``latest`` moves to the run's
folder in one rename).

It is also where a run's rows are first written whatever its destinations (the table
writer carries articles over, retracts and builds the change set on these files): a run
that does not publish files writes a Parquet working set here and deletes it at the end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipelines.destinations.base import Destination, DestinationOptions, RunInfo
from pipelines.destinations.registry import check_formats, register
from pipelines.dictionary import DICTIONARY_FILE, data_dictionary
from pipelines.publish import Publication
from pipelines.tableset import TableSet


@register
class FileTables(Destination):
    """A run's tables as files in ``runs/.tmp-<run_id>``, published as ``latest``."""

    name = "files"

    def __init__(self, export_dir: Path, formats: tuple[str, ...], row_group_size: int,
                 keep_runs: int = 3, keep_days: float = 0, *, publish: bool = True,
                 extra_formats: tuple[str, ...] = ()) -> None:
        """``publish``: False for a working set only (the run goes elsewhere);
        ``extra_formats``: written for the run's own use (another destination reads
        them) and left out of the publication."""
        self.export_dir = export_dir
        self.published_formats = check_formats(formats)
        self.formats = check_formats([*self.published_formats, *extra_formats])
        self.row_group_size = row_group_size
        self.keep_runs = keep_runs
        self.keep_days = keep_days
        self.publish = publish
        self.publication: Publication | None = None
        self._tables: TableSet | None = None

    @classmethod
    def from_spec(cls, spec: str, options: DestinationOptions) -> FileTables:
        return cls(options.export_dir, options.formats, options.row_group_size, options.keep_runs,
                   options.keep_days)

    def describe(self) -> str:
        return f"files in {self.export_dir / 'latest'} ({', '.join(self.published_formats)})"

    @property
    def tables(self) -> TableSet:
        """The run's open table set (after :meth:`open`)."""
        if self._tables is None:
            raise RuntimeError("the file tables are not open")
        return self._tables

    @property
    def folder(self) -> Path:
        """Where the run's files are being written."""
        return self.tables.folder

    def open(self, run: RunInfo) -> None:
        self.publication = Publication(self.export_dir, run.run_id, self.keep_runs, self.keep_days)
        folder = self.publication.begin()
        self._tables = TableSet(folder, self.formats, self.row_group_size)
        self._tables.open()

    def write(self, table: str, rows: pa.Table) -> None:
        self.tables.write_rows(table, rows.to_pylist())

    def retract(self, successors: Mapping[str, str]) -> dict[str, int]:
        return self.tables.retract(successors)

    def commit(self, manifest: Mapping[str, Any]) -> str:
        """Close the files (when the run's close did not), ship the data dictionary beside
        them and publish the folder (a working set is deleted instead); returns the run's
        published folder."""
        assert self.publication is not None
        if not self.publish:
            self.tables.seal()
            self.publication.abort()
            return ""
        self.tables.close()
        for fmt in set(self.formats) - set(self.published_formats):
            for path in self.folder.rglob(f"*.{fmt}"):
                path.unlink()
        (self.folder / DICTIONARY_FILE).write_text(json.dumps(data_dictionary(), indent=2) + "\n",
                                                   encoding="utf-8")
        files = sorted(str(path.relative_to(self.folder))
                       for path in self.folder.rglob("*") if path.is_file())
        return str(self.publication.commit({**manifest, "files": files}))

    def abort(self) -> None:
        tables, self._tables = self._tables, None
        try:
            if tables is not None:
                tables.seal()
        finally:
            if self.publication is not None:
                self.publication.abort()
