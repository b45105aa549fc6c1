"""``healthcrawl publish``: one table set of a distributed run's parts, published atomically.

The workers' parts (``pipelines.parts``) hold what each worker's export stage would have
handed the table writer. Publishing replays them, part after part, through the one-process
table writer (``pipelines.table_writer``), with the output folder's state store: the
tables, their ``change`` column, the ``removed`` table, the change set and the state a
later incremental run starts from are those a one-process run makes. What only the
distributed run has is settled here:

- an article written twice, when a dead worker's request was fetched again after its part
  was written: the first part's record is kept, the others skipped (and a dropped copy's
  ``duplicates`` row likewise);
- an article one worker kept and a later copy, met by another worker, superseded
  (``successors``, from the shared dedup store): its ``duplicates`` row is replayed after
  every part, once the state knows its page, and its rows are retracted as a one-process
  run retracts them;
- pages the workers found unchanged (a 304, a sitemap date) or gone (404, 410), which the
  workers record in Redis (``marks``), are carried over or reported removed;
- an incremental run's new copy of an article an earlier run published, which the workers
  kept provisionally (``provisional``, from the shared dedup store), is retracted as that
  article's duplicate when the article is still on the site (published by this run or
  carried over), and stays when it is gone (the site moved it).

Memory stays bounded: one part is read at a time, and the table writer streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from core.records import SCHEMA_VERSION
from pipelines.destinations.base import DestinationOptions
from pipelines.health import drift, error_rate, previous_manifest
from pipelines.parts import read_part
from pipelines.table_writer import (
    AbortRun,
    CloseTables,
    CommitRun,
    CommitState,
    CountRows,
    MarkGone,
    MarkSeen,
    OpenTables,
    RetractArticles,
    StateParams,
    TableWriter,
    WriteChangeSet,
    WriteDuplicate,
    WriteRecord,
)
from pipelines.tables import CHANGES, TABLES_VERSION, DuplicateRow

STATS_SUFFIX = ".stats.json"
PAGE_TYPE_STAT = "healthcrawl/spider/page_type/"
MARKS_AT_ONCE = 500
"""Unchanged pages handed to the table writer in one message (as the spider batches them)."""


class Unhealthy(RuntimeError):
    """The assembled run fails a health check (``pipelines.health``): not published."""


@dataclass(frozen=True, slots=True)
class HealthLimits:
    """A one-process run's health limits (``--min-articles``, ``--max-error-rate``,
    ``--max-drift``), applied to the whole distributed run."""

    min_articles: int = 1
    max_error_rate: float = 0.5
    max_drift: float = 0.5

    def verdict(self, articles: int, manifest: Mapping[str, Any], export_dir: Path) -> str | None:
        """Why the run is unhealthy, or None."""
        if articles < self.min_articles:
            return (f"{articles} articles, fewer than the {self.min_articles} a healthy run has "
                    "(--min-articles)")
        errors = error_rate(manifest["crawl_stats"])
        if errors > self.max_error_rate:
            return (f"{errors:.0%} of the requests failed, more than {self.max_error_rate:.0%} "
                    "(--max-error-rate)")
        return drift(previous_manifest(export_dir), articles, manifest["coverage"], self.max_drift)


@dataclass(frozen=True, slots=True)
class Marks:
    """What the workers learned of known pages without parsing them (from Redis)."""

    unchanged: Iterable[str] = ()
    """Canonical URLs found unchanged: a 304, or a sitemap date before the last fetch."""
    gone: Iterable[str] = ()
    """Canonical URLs that answered 404 or 410."""


@dataclass(frozen=True, slots=True)
class RunParts:
    """A distributed run to publish: its parts and what Redis says of it."""

    folder: Path
    run_id: str
    successors: Mapping[str, str]
    marks: Marks
    incremental: bool = False
    provisional: Mapping[str, DuplicateRow] = field(default_factory=dict)
    """The kept copies of earlier runs' articles the workers had not met (the shared dedup
    store's), settled as a one-process run settles them."""


def part_folders(folder: Path) -> list[Path]:
    """The run's whole parts, in the order written (unfinished ``.tmp-`` folders skipped)."""
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))


def worker_stats(folder: Path) -> dict[str, dict[str, Any]]:
    """Each worker's crawl stats (``<worker>.stats.json``; a worker that died left none)."""
    return {path.name.removesuffix(STATS_SUFFIX): json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob(f"*{STATS_SUFFIX}"))}


def replay(run: RunParts, writer: TableWriter) -> None:
    """Send the table writer every part's messages (each article and dropped copy once),
    the marks, then the superseded articles' ``duplicates`` rows."""
    articles: set[str] = set()
    copies: set[tuple[str, str]] = set()
    superseded: list[WriteDuplicate] = []
    for part in part_folders(run.folder):
        for message in read_part(part):
            if isinstance(message, WriteRecord):
                if message.record.article_key not in articles:
                    articles.add(message.record.article_key)
                    writer(message)
            elif message.superseded:
                superseded.append(message)
            elif (message.row.article_key, message.row.canonical_url) not in copies:
                copies.add((message.row.article_key, message.row.canonical_url))
                writer(message)
    for url in run.marks.gone:
        writer(MarkGone(url))
    unchanged = iter(run.marks.unchanged)
    while urls := tuple(islice(unchanged, MARKS_AT_ONCE)):
        writer(MarkSeen(urls))
    for message in superseded:
        if (message.row.article_key, message.row.canonical_url) not in copies:
            copies.add((message.row.article_key, message.row.canonical_url))
            writer(message)


def publish_parts(run: RunParts, to: Sequence[str], options: DestinationOptions, state: StateParams,
                  limits: HealthLimits | None = None) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Publish the parts of ``run`` to every destination of ``to``, with the state store
    of ``state``; returns ``(destination, where)`` a destination and the manifest. A run
    that fails a health check raises :class:`Unhealthy`; it and any failure abort every
    destination: what readers saw before stays, and the state's publication with it."""
    writer = TableWriter()
    try:
        writer(OpenTables(run.run_id, options, tuple(to), state))
        replay(run, writer)
        closed = writer(CloseTables(dict(run.successors), finished=True, provisional=dict(run.provisional)))
        successors = {**run.successors, **closed["retracted"]}
        changes = closed["changes"]
        articles = sum(changes.get(change, 0) for change in CHANGES)
        manifest = _manifest(run, state.attempt, changes, closed["coverage"], options)
        if limits is not None and (why := limits.verdict(articles, manifest, options.export_dir)):
            raise Unhealthy(why)
        writer(RetractArticles(successors))
        writer(WriteChangeSet())
        manifest["row_counts"] = writer(CountRows())
        places = writer(CommitRun(manifest))
    except BaseException:
        writer(AbortRun())
        raise
    writer(CommitState())
    return list(zip(to, places, strict=True)), manifest


def _manifest(run: RunParts, attempt: int, changes: Mapping[str, int], coverage: Mapping[str, float],
              options: DestinationOptions) -> dict[str, Any]:
    """The keys a one-process run's manifest has, plus ``workers`` (each one's pages)."""
    workers = worker_stats(run.folder)
    crawl_stats: dict[str, Any] = {}
    for stats in workers.values():
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                crawl_stats[key] = crawl_stats.get(key, 0) + value
    return {
        "run_id": run.run_id,
        "schema_version": SCHEMA_VERSION,
        "tables_version": TABLES_VERSION,
        "started_at": min((str(s.get("start_time", "")) for s in workers.values()), default=""),
        "finished_at": datetime.now(UTC).isoformat(),
        "finish_reason": "finished",
        "partial": False,
        "incremental": run.incremental,
        "attempt": attempt,
        "changes": dict(changes),
        "formats": list(options.formats),
        "row_counts": {},
        "coverage": dict(coverage),
        "page_types": {key.removeprefix(PAGE_TYPE_STAT): int(count)
                       for key, count in crawl_stats.items() if key.startswith(PAGE_TYPE_STAT)},
        "distributed": True,
        "workers": {name: {"pages": int(stats.get("response_received_count", 0)),
                           "finish_reason": stats.get("finish_reason")} for name, stats in workers.items()},
        "crawl_stats": dict(sorted(crawl_stats.items())),
    }
