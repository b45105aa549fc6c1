"""``healthcrawl publish``: one table set of a distributed run's parts, published atomically.

The workers' parts (``pipelines.parts``) hold every kept article once, as the shared dedup
store decided, with two exceptions this step settles:

- an article one worker kept and a later copy, met by another worker, superseded: its rows
  are dropped and ``duplicates`` points at the kept key (``successors``, from the store);
- an article written twice, when a dead worker's request was fetched again after its part
  was written: the first part's rows are kept, the others dropped.

The tables go through the destination interface (``pipelines.destinations``), as a
one-process run's do: files (``latest`` moves in one rename) and/or a database, with the
same manifest keys. Memory stays bounded: the rows are read one part and table at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from core.records import SCHEMA_VERSION
from pipelines.dedup_store import successor_chain
from pipelines.destinations.base import Destination, DestinationOptions, RunInfo
from pipelines.destinations.registry import build
from pipelines.health import Coverage, drift, error_rate, previous_manifest
from pipelines.tables import ARTICLE_TABLES, SCHEMAS, TABLES_VERSION

STATS_SUFFIX = ".stats.json"
PAGE_TYPE_STAT = "healthcrawl/spider/page_type/"


class Unhealthy(RuntimeError):
    """The assembled run fails a health check (``pipelines.health``): not published."""


@dataclass(frozen=True, slots=True)
class HealthLimits:
    """A one-process run's health limits (``--min-articles``, ``--max-error-rate``,
    ``--max-drift``), applied to the whole distributed run."""

    min_articles: int = 1
    max_error_rate: float = 0.5
    max_drift: float = 0.5

    def verdict(self, manifest: Mapping[str, Any], export_dir: Path) -> str | None:
        """Why the run is unhealthy, or None."""
        articles = int(manifest["row_counts"]["articles"])
        if articles < self.min_articles:
            return (f"{articles} articles, fewer than the {self.min_articles} a healthy run has "
                    "(--min-articles)")
        errors = error_rate(manifest["crawl_stats"])
        if errors > self.max_error_rate:
            return (f"{errors:.0%} of the requests failed, more than {self.max_error_rate:.0%} "
                    "(--max-error-rate)")
        return drift(previous_manifest(export_dir), articles, manifest["coverage"], self.max_drift)


def part_folders(folder: Path) -> list[Path]:
    """The run's whole parts, in the order written (unfinished ``.tmp-`` folders skipped)."""
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))


def worker_stats(folder: Path) -> dict[str, dict[str, Any]]:
    """Each worker's crawl stats (``<worker>.stats.json``; a worker that died left none)."""
    return {path.name.removesuffix(STATS_SUFFIX): json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob(f"*{STATS_SUFFIX}"))}


class Assembly:
    """Which rows of which part make the run's tables."""

    def __init__(self, parts: Sequence[Path], successors: Mapping[str, str]) -> None:
        self.parts = list(parts)
        self.successors = dict(successors)
        self.owner: dict[str, Path] = {}
        """article_key -> the part whose rows of it are published."""
        for part in self.parts:
            path = part / "articles.parquet"
            if path.exists():
                for key in pq.read_table(path, columns=["article_key"]).column("article_key").to_pylist():
                    if key not in self.successors:
                        self.owner.setdefault(key, part)
        self.owned: dict[Path, pa.Array] = {
            part: pa.array([key for key, owner in self.owner.items() if owner == part], pa.string())
            for part in self.parts}

    def kept_of(self, key: str) -> str:
        return successor_chain(self.successors.get, key)[-1]

    def tables(self, table: str) -> Iterator[pa.Table]:
        """The rows of ``table`` to publish, a part at a time."""
        seen_duplicates: set[tuple[str, str]] = set()
        for part in self.parts:
            path = part / f"{table}.parquet"
            if not path.exists():
                continue
            rows = pq.read_table(path, schema=SCHEMAS[table])
            if table == "duplicates":
                rows = self._duplicates(rows, seen_duplicates)
            else:
                rows = rows.filter(pc.is_in(rows.column("article_key"), self.owned[part]))
            if rows.num_rows:
                yield rows

    def _duplicates(self, rows: pa.Table, seen: set[tuple[str, str]]) -> pa.Table:
        """Each dropped copy once, pointing at the finally kept article."""
        kept = []
        for row in rows.to_pylist():
            identity = (row["article_key"], row["canonical_url"])
            if identity in seen:
                continue
            seen.add(identity)
            row["duplicate_of"] = self.kept_of(row["duplicate_of"])
            kept.append(row)
        return pa.Table.from_pylist(kept, schema=SCHEMAS["duplicates"])


def publish_parts(folder: Path, run_id: str, successors: Mapping[str, str], to: Sequence[str],
                  options: DestinationOptions, limits: HealthLimits | None = None,
                  ) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Publish the parts in ``folder`` as run ``run_id`` to every destination of ``to``;
    returns ``(destination name, where)`` a destination and the manifest. A run that fails
    a health check raises :class:`Unhealthy`; it and any failure abort every destination:
    what readers saw before stays."""
    assembly = Assembly(part_folders(folder), successors)
    destinations: list[tuple[str, Destination]] = []
    counts = {table: 0 for table in SCHEMAS}
    coverage = Coverage()
    try:
        for spec in to:
            destination = build(spec, options)
            destinations.append((spec, destination))
            destination.open(RunInfo(run_id, SCHEMA_VERSION))
        for table in SCHEMAS:
            for rows in assembly.tables(table):
                counts[table] += rows.num_rows
                if table == ARTICLE_TABLES[0].name:
                    _count_coverage(coverage, rows)
                for _, destination in destinations:
                    destination.write(table, rows)
        manifest = _manifest(run_id, folder, counts, options, [d.describe() for _, d in destinations],
                             coverage)
        if limits is not None and (why := limits.verdict(manifest, options.export_dir)):
            raise Unhealthy(why)
        places = [(spec, destination.commit(manifest)) for spec, destination in destinations]
    except BaseException:
        for _, destination in destinations:
            destination.abort()
        raise
    return places, manifest


def _count_coverage(coverage: Coverage, articles: pa.Table) -> None:
    """Count published articles as ``pipelines.health.previous_facts`` reads them."""
    columns = ("symptoms", "prevention_count", "recommendation_count")
    for symptoms, items, recommended in zip(*(articles.column(name).to_pylist() for name in columns),
                                            strict=True):
        coverage.add_facts((symptoms is not None, items > 0, recommended > 0, items))


def _manifest(run_id: str, folder: Path, counts: Mapping[str, int], options: DestinationOptions,
              described: list[str], coverage: Coverage) -> dict[str, Any]:
    """The keys a one-process run's manifest has, plus ``workers`` (each one's pages)."""
    workers = worker_stats(folder)
    crawl_stats: dict[str, Any] = {}
    for stats in workers.values():
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                crawl_stats[key] = crawl_stats.get(key, 0) + value
    return {
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "tables_version": TABLES_VERSION,
        "started_at": min((str(s.get("start_time", "")) for s in workers.values()), default=""),
        "finished_at": datetime.now(UTC).isoformat(),
        "finish_reason": "finished",
        "partial": False,
        "incremental": False,
        "attempt": 1,
        "changes": {"new": counts[ARTICLE_TABLES[0].name]},
        "formats": list(options.formats),
        "row_counts": dict(counts),
        "coverage": coverage.shares(),
        "page_types": {key.removeprefix(PAGE_TYPE_STAT): int(count)
                       for key, count in crawl_stats.items() if key.startswith(PAGE_TYPE_STAT)},
        "distributed": True,
        "workers": {name: {"pages": int(stats.get("response_received_count", 0)),
                           "finish_reason": stats.get("finish_reason")} for name, stats in workers.items()},
        "destinations": described,
        "crawl_stats": dict(sorted(crawl_stats.items())),
    }
