"""The run record: one JSON document per run, whatever became of it.

A scheduler (or the engineer it pages) reads what a run did without reading its log:
its id and attempt, times, finish reason, outcome and why, the exit code, the articles
it published and what changed. It is kept in two places: beside the publications as
``<export dir>/records/<run_id>.json`` (published or not: a run that was refused still
says why) and in the state store's ``runs`` table (``pipelines.state``).
The export stage writes it when the run ends; the ``healthcrawl`` command adds the exit
code and the summary line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.state import finish_run

RECORDS = "records"


def record_path(export_dir: Path, run_id: str) -> Path:
    return export_dir / RECORDS / f"{run_id}.json"


def write_run_record(export_dir: Path, state_dir: Path | None, record: Mapping[str, Any]) -> Path:
    """Write (or replace) the record of ``record["run_id"]``; returns its file."""
    path = record_path(export_dir, str(record["run_id"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(temp, path)
    if state_dir is not None:
        finish_run(state_dir, record)
    return path


def update_run_record(export_dir: Path, state_dir: Path | None, run_id: str, **values: Any) -> None:
    """Add ``values`` (the exit code, the summary) to a record the export stage wrote."""
    path = record_path(export_dir, run_id)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    write_run_record(export_dir, state_dir, {**record, **values})
