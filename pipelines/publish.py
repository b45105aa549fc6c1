"""Atomic publication of a run's table set.

Layout of the export folder (``HEALTHCRAWL_EXPORT_DIR``)::

    latest -> runs/<run_id>     symlink: what readers open (exports/latest/articles.parquet)
    runs/<run_id>/              one complete, never-modified table set per published run
    runs/.tmp-<run_id>/         the run being written (never read)

A run writes into ``runs/.tmp-<run_id>`` (same filesystem as the target, so renames are
atomic), writes ``manifest.json`` last, fsyncs every file and the folder, renames the folder
to ``runs/<run_id>``, then swaps ``latest`` to it with ``os.replace`` of a new symlink. A
reader resolving ``latest`` sees the whole old set or the whole new set, never a mix and
never a half-written file; files it already opened stay readable. Renaming one directory
over another non-empty one is not atomic on POSIX, hence the symlink. A failed run deletes
its temp folder and never touches ``latest`` or ``runs/<id>``; a killed run leaves only a
``.tmp-*`` folder behind, which the next run removes (it holds the folder's run lock,
``pipelines.lock``, so no other run can be writing there).

Old runs are pruned by run id (the default ids sort by start time; ``HEALTHCRAWL_RUN_ID``
ids should too), keeping the newest ``keep_runs`` and always the one ``latest`` points to.
A pruned run keeps its ``manifest.json`` and its change set (``changes/``, small): the
history of what each run changed stays readable however few full table sets are kept.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

LATEST = "latest"
RUNS = "runs"
MANIFEST = "manifest.json"
TEMP_PREFIX = ".tmp-"
KEPT_WHEN_PRUNED = (MANIFEST, "changes")


def discard_unpublished(export_dir: Path, run_id: str) -> None:
    """Delete run ``run_id``'s temp folder if one is left: the table writer that made it
    may have ended before it could (a Ctrl-C while it answered). The caller holds the
    run lock, and the run is not published."""
    shutil.rmtree(export_dir / RUNS / f"{TEMP_PREFIX}{run_id}", ignore_errors=True)


class PublishError(RuntimeError):
    """The export folder cannot take a publication (e.g. ``latest`` is a real folder)."""


class Publication:
    """One run's way from a temp folder to ``latest``: ``begin``, then ``commit`` or ``abort``."""

    def __init__(self, export_dir: Path, run_id: str, keep_runs: int = 3, keep_days: float = 0) -> None:
        """``keep_runs`` newest runs keep their tables, and so does any run published less
        than ``keep_days`` days ago."""
        if keep_runs < 1:
            raise ValueError(f"keep_runs must be at least 1, got {keep_runs}")
        self.keep_days = keep_days
        self.export_dir = export_dir
        self.run_id = run_id
        self.keep_runs = keep_runs
        self.runs_dir = export_dir / RUNS
        self.temp_dir = self.runs_dir / f"{TEMP_PREFIX}{run_id}"
        self.final_dir = self.runs_dir / run_id
        self._writing = False
        """This publication made ``temp_dir`` and has neither committed nor aborted it."""

    def begin(self) -> Path:
        """Create and return the empty temp folder the run writes into."""
        latest = self.export_dir / LATEST
        if latest.exists() and not latest.is_symlink():
            raise PublishError(f"{latest} is not a symlink; move it away to publish here")
        if self.final_dir.exists():
            raise PublishError(f"run {self.run_id!r} was already published at {self.final_dir}")
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._remove_leftovers()
        self.temp_dir.mkdir()
        self._writing = True
        return self.temp_dir

    def _remove_leftovers(self) -> None:
        """Temp folders and half-made ``latest`` links of runs that died (the caller holds
        the run lock: no other run is writing)."""
        for folder in self.runs_dir.glob(f"{TEMP_PREFIX}*"):
            shutil.rmtree(folder, ignore_errors=True)
        for link in self.export_dir.glob(f".{LATEST}-*"):
            link.unlink(missing_ok=True)

    def commit(self, manifest: Mapping[str, Any]) -> Path:
        """Write the manifest, make the run durable, point ``latest`` at it; return its folder."""
        _write_durably(self.temp_dir / MANIFEST, json.dumps(manifest, indent=2, default=str))
        for path in self.temp_dir.rglob("*"):
            _fsync_dir(path) if path.is_dir() else _fsync_file(path)
        _fsync_dir(self.temp_dir)
        os.rename(self.temp_dir, self.final_dir)
        self._writing = False
        _fsync_dir(self.runs_dir)
        self._point_latest()
        self._prune()
        return self.final_dir

    def abort(self) -> None:
        """Delete the temp folder this publication made, if it still has one; the previous
        publication is left as it was (and a folder another run made is not touched)."""
        if self._writing:
            self._writing = False
            shutil.rmtree(self.temp_dir, ignore_errors=True)

    def _point_latest(self) -> None:
        link = self.export_dir / f".{LATEST}-{self.run_id}"
        link.unlink(missing_ok=True)
        os.symlink(Path(RUNS) / self.run_id, link)
        os.replace(link, self.export_dir / LATEST)
        _fsync_dir(self.export_dir)

    def _prune(self) -> None:
        """Delete the tables of published runs beyond the newest ``keep_runs`` by run id,
        never the one ``latest`` points to (their manifest and change set stay)."""
        current = (self.export_dir / LATEST).resolve()
        runs = sorted(p for p in self.runs_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        for old in runs[: -self.keep_runs]:
            if old.resolve() != current and not self._recent(old):
                for path in old.iterdir():
                    if path.name not in KEPT_WHEN_PRUNED:
                        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()


    def _recent(self, run: Path) -> bool:
        """Published less than ``keep_days`` ago (by its manifest's ``finished_at``)."""
        if self.keep_days <= 0:
            return False
        try:
            finished = datetime.fromisoformat(json.loads((run / MANIFEST).read_text())["finished_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return datetime.now(UTC) - finished < timedelta(days=self.keep_days)


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _fsync_file(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
