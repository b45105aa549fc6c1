"""The one interface every place a run's tables go implements: a destination.

A run talks to each destination the same way, whatever it is (a folder of files, a
database): :meth:`Destination.open` before the first row, :meth:`Destination.write` the
rows of a table, :meth:`Destination.retract` the articles a later copy superseded,
then :meth:`Destination.commit` when the run is published or :meth:`Destination.abort`
when it is not. Until ``commit`` returns, readers of the destination see its previous
contents exactly as they were; a run killed at any point leaves them so too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a destination is told of the run it receives."""

    run_id: str
    schema_version: int


@dataclass(frozen=True, slots=True)
class DestinationOptions:
    """The settings destinations are built from (picklable: they are built in the table
    writer's process)."""

    export_dir: Path
    formats: tuple[str, ...]
    row_group_size: int
    keep_runs: int = 3
    keep_days: float = 0
    pg_schema: str = "healthcrawl"


class DestinationError(RuntimeError):
    """A destination cannot take the run (unreachable, refused, holds newer tables)."""


class Destination(ABC):
    """Where a run's table set goes. Subclasses register by :attr:`name`
    (``pipelines.destinations.registry``)."""

    name: ClassVar[str]
    """The registry name: the word of ``--to`` (``files``), or a URL scheme (``postgresql``)."""

    @classmethod
    @abstractmethod
    def from_spec(cls, spec: str, options: DestinationOptions) -> Destination:
        """The destination ``--to spec`` stands for; ``ValueError`` when ``spec`` is malformed."""

    @abstractmethod
    def describe(self) -> str:
        """Where the tables go, for logs and the manifest: never a password."""

    @abstractmethod
    def open(self, run: RunInfo) -> None:
        """Get ready to take the run's rows (connect, create what is missing, refuse
        tables of a newer schema); raises :class:`DestinationError` when it cannot."""

    @abstractmethod
    def write(self, table: str, rows: pa.Table) -> None:
        """Append rows of ``table`` (typed as ``pipelines.tables.SCHEMAS[table]``)."""

    @abstractmethod
    def retract(self, successors: Mapping[str, str]) -> dict[str, int]:
        """Remove every row of the superseded articles (``old key -> kept key``) from the
        run's article tables and point ``duplicates.duplicate_of`` at the kept ones;
        returns rows removed per table."""

    @abstractmethod
    def commit(self, manifest: Mapping[str, Any]) -> str:
        """Make the run what readers see, all at once; returns where it now is."""

    @abstractmethod
    def abort(self) -> None:
        """Drop what the run wrote; the previous contents stay as they were. Safe to call
        twice, or after a failed ``open``."""
