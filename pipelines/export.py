"""Export stage: stream kept records and dropped duplicates into tables, publish atomically.

Life of a run: ``open_spider`` creates the temp folder and opens every writer;
``process_item`` appends the record's rows; the ``item_dropped`` signal brings each
``DuplicateDropped`` row from the dedup stage; ``close_spider`` closes the writers; the
``spider_closed`` signal (which carries the close reason, unlike ``close_spider``) then
publishes when the run ended as asked (``PUBLISH_REASONS``) and no write failed, and
discards the temp folder otherwise (counted as ``healthcrawl/export/discarded``), so the
previous publication stays as it was (see ``pipelines.publish``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from core.records import SCHEMA_VERSION, ArticleRecord
from core.worker_pool import configured_workers
from pipelines.dedup import DuplicateDropped
from pipelines.publish import Publication
from pipelines.signals import article_superseded
from pipelines.stage import StageStats, as_record
from pipelines.table_writer import (
    CloseTables,
    CountRows,
    OpenTables,
    RetractArticles,
    WriteDuplicate,
    WriteRecord,
    table_writer,
)
from pipelines.tables import DuplicateRow
from pipelines.tableset import check_formats
from pipelines.writers import DEFAULT_ROW_GROUP_SIZE

logger = logging.getLogger(__name__)

DEFAULT_FORMATS = ("csv", "parquet")
PUBLISH_REASONS = ("finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout")
"""Close reasons of a run that ended as asked (all done, or the limit the user set), and so
publishes; any other (Ctrl-C ``shutdown``, ``closespider_errorcount``, a crash) discards."""


def new_run_id(now: datetime) -> str:
    """A sortable, unique run id such as ``20250101T120000Z-3f9a1c``."""
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


class ExportPipeline:
    """Writes the run's tables and publishes them when the crawl finishes cleanly."""

    def __init__(
        self,
        stats: StatsCollector,
        export_dir: Path,
        formats: Sequence[str] = DEFAULT_FORMATS,
        *,
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
        keep_runs: int = 3,
        run_id: str | None = None,
        own_process: bool = False,
    ) -> None:
        self._stats = stats
        self.counters = StageStats(stats, "export")
        self.started_at = datetime.now(UTC)
        self.publication = Publication(export_dir, run_id or new_run_id(self.started_at), keep_runs)
        self.formats = check_formats(formats)
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be positive, got {row_group_size}")
        self.row_group_size = row_group_size
        self.tables = table_writer(in_child=own_process)
        """Where the tables are written (``pipelines.table_writer``); a child starts here, so
        its start-up overlaps the crawl's own."""
        self.failed = False
        self.published: Path | None = None
        self.successors: dict[str, str] = {}
        """Superseded article_key -> the key kept instead (``article_superseded``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportPipeline:
        """Build from ``HEALTHCRAWL_EXPORT_*`` settings and connect the two signals; the
        tables are written in a process of their own (``pipelines.table_writer``)
        unless ``HEALTHCRAWL_WORKER_PROCESSES`` is 0."""
        settings = crawler.settings
        if not settings.getbool("HEALTHCRAWL_EXPORT_ENABLED", True):
            raise NotConfigured("HEALTHCRAWL_EXPORT_ENABLED is off")
        assert crawler.stats is not None
        pipeline = cls(
            crawler.stats,
            Path(settings.get("HEALTHCRAWL_EXPORT_DIR", "exports")),
            settings.getlist("HEALTHCRAWL_EXPORT_FORMATS", list(DEFAULT_FORMATS)),
            row_group_size=settings.getint("HEALTHCRAWL_EXPORT_ROW_GROUP_SIZE", DEFAULT_ROW_GROUP_SIZE),
            keep_runs=settings.getint("HEALTHCRAWL_EXPORT_KEEP_RUNS", 3),
            run_id=settings.get("HEALTHCRAWL_RUN_ID") or None,
            own_process=configured_workers(settings.get("HEALTHCRAWL_WORKER_PROCESSES")) > 0,
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.article_superseded, signal=article_superseded)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        """Create the temp folder and every file; waits for the table writer, so one that
        cannot start or create the files fails the crawl before its first request."""
        self.publication.begin()
        self.tables.call(OpenTables(self.publication.temp_dir, self.formats, self.row_group_size))

    def process_item(self, item: Any) -> ArticleRecord:
        """Append the record's rows to every table; a failed write spoils the run, and
        later records are not written (the run is discarded: one error says it)."""
        self.counters.inc("processed")
        record = as_record(item)
        if not self.failed:
            with self._guard():
                self.tables.send(WriteRecord(record))
            self.counters.inc("kept")
        return record

    def item_dropped(self, exception: BaseException) -> None:
        """Signal handler: write the ``duplicates`` row a dedup drop carries."""
        if isinstance(exception, DuplicateDropped) and not self.failed:
            with self._guard():
                self.tables.send(WriteDuplicate(exception.row))
            self.counters.inc("duplicates")

    def article_superseded(self, row: DuplicateRow) -> None:
        """Signal handler: an exported article turned out to be the later copy; its
        duplicates row is written now, its rows are removed before publishing."""
        if not self.failed:
            with self._guard():
                self.tables.send(WriteDuplicate(row))
        self.successors[row.article_key] = row.duplicate_of
        self.counters.inc("duplicates")
        self.counters.inc("retracted")

    def close_spider(self) -> None:
        """Close the writers; publication waits for ``spider_closed`` and its reason."""
        with self._guard():
            self.tables.call(CloseTables())

    def spider_closed(self, reason: str) -> None:
        """Signal handler: publish or discard, with the crawl's stats in the manifest."""
        self.finish(reason, self._stats.get_stats())

    def finish(self, reason: str, crawl_stats: Mapping[str, Any]) -> Path | None:
        """Publish the run when it ended as asked (``PUBLISH_REASONS``) and nothing failed;
        else discard it."""
        try:
            return self._finish(reason, crawl_stats)
        finally:
            self.tables.close()

    def _finish(self, reason: str, crawl_stats: Mapping[str, Any]) -> Path | None:
        self._attempt("closing the tables", lambda: self.tables.call(CloseTables()))
        if reason in PUBLISH_REASONS and not self.failed:
            self._attempt("removing superseded articles",
                          lambda: self.tables.call(RetractArticles(self.successors)))
        if reason not in PUBLISH_REASONS or self.failed:
            self.publication.abort()
            self.counters.inc("discarded")
            why = "a write failed" if self.failed else f"spider closed: {reason}"
            logger.warning("healthcrawl export: run %s discarded (%s)", self.publication.run_id, why)
            return None
        try:
            self.published = self.publication.commit(self.manifest(reason, crawl_stats))
        except BaseException:
            self.publication.abort()
            raise
        logger.info("%s; published %s", self.counters.summary(), self.published)
        return self.published

    def manifest(self, reason: str, crawl_stats: Mapping[str, Any]) -> dict[str, Any]:
        """What ``manifest.json`` says about the run."""
        return {
            "run_id": self.publication.run_id,
            "schema_version": SCHEMA_VERSION,
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "finish_reason": reason,
            "formats": list(self.formats),
            "row_counts": self.tables.call(CountRows()),
            "files": sorted(path.name for path in self.publication.temp_dir.iterdir()),
            "crawl_stats": {key: _jsonable(value) for key, value in sorted(crawl_stats.items())},
        }

    def _attempt(self, what: str, step: Callable[[], object]) -> None:
        """Run a closing ``step`` unless the run already failed; a failure discards the run
        (logged here: at the end of a run there is no item to blame)."""
        if self.failed:
            return
        try:
            step()
        except Exception:
            self.failed = True
            logger.exception("healthcrawl export: %s failed", what)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Mark the run failed when the block raises, so it is never published."""
        try:
            yield
        except BaseException:
            self.failed = True
            raise


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
