"""The table writer: a run's :class:`~pipelines.tableset.TableSet` behind typed messages,
in the crawl's process or in a child of its own (``core.child``).

Turning records into CSV and Parquet row groups is CPU the crawl's single core can spare
least, so the export stage writes through a child unless ``HEALTHCRAWL_WORKER_PROCESSES``
is 0. Either way it holds a :class:`~core.child.Endpoint` and sends the same messages:
appends (:class:`WriteRecord`, :class:`WriteDuplicate`) leave without waiting; the others
wait for their answer. A failed append is raised at once in the crawl's process, and from
a child by the next message that waits, so the export stage marks the run failed and never
publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.child import ChildProcess, Endpoint, InProcess
from core.records import ArticleRecord
from pipelines.tables import DuplicateRow
from pipelines.tableset import TableSet


@dataclass(frozen=True, slots=True)
class OpenTables:
    """Create the run's files (:meth:`TableSet.open`)."""

    folder: Path
    formats: tuple[str, ...]
    row_group_size: int


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """Append one kept record (:meth:`TableSet.write_record`)."""

    record: ArticleRecord


@dataclass(frozen=True, slots=True)
class WriteDuplicate:
    """Append one ``duplicates`` row (:meth:`TableSet.write_duplicate`)."""

    row: DuplicateRow


@dataclass(frozen=True, slots=True)
class CloseTables:
    """Complete every file (:meth:`TableSet.close`)."""


@dataclass(frozen=True, slots=True)
class RetractArticles:
    """Remove superseded articles, ``old key -> kept key`` (:meth:`TableSet.retract`)."""

    successors: dict[str, str]


@dataclass(frozen=True, slots=True)
class CountRows:
    """Rows per table, for the manifest (:meth:`TableSet.row_counts`)."""


TableMessage = OpenTables | WriteRecord | WriteDuplicate | CloseTables | RetractArticles | CountRows


class TableWriter:
    """The handler of :data:`TableMessage` s: owns the run's ``TableSet`` once opened."""

    def __init__(self) -> None:
        self.tables: TableSet | None = None

    def __call__(self, message: TableMessage) -> Any:
        if isinstance(message, OpenTables):
            self.tables = TableSet(message.folder, message.formats, message.row_group_size)
            self.tables.open()
            return None
        if self.tables is None:
            if isinstance(message, CloseTables):
                return None  # the run failed before its files existed: nothing to close
            raise RuntimeError(f"{type(message).__name__} before OpenTables")
        match message:
            case WriteRecord(record):
                self.tables.write_record(record)
            case WriteDuplicate(row):
                self.tables.write_duplicate(row)
            case CloseTables():
                self.tables.close()
            case RetractArticles(successors):
                self.tables.retract(successors)
            case CountRows():
                return self.tables.row_counts()
        return None


def table_writer(in_child: bool) -> Endpoint:
    """Where a run's tables are written: a child process of its own, or this process."""
    return ChildProcess("pipelines.table_writer:TableWriter") if in_child else InProcess(TableWriter())
