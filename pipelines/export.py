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
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from twisted.python.failure import Failure

from core.child import CALL_TIMEOUT, ChildEnded, ChildInterrupted, Endpoint
from core.errors import HealthcrawlError
from core.records import SCHEMA_VERSION, ArticleRecord, SignedRecord
from core.worker_pool import configured_workers
from pipelines import ITEM_PIPELINES as HEALTHCRAWL_STAGES
from pipelines.dedup import DuplicateDropped
from pipelines.destinations.base import DestinationOptions
from pipelines.destinations.registry import (
    DEFAULT_DESTINATIONS,
    DEFAULT_FORMATS,
    check_destinations,
    check_formats,
    destination_name,
    mask,
)
from pipelines.health import drift, error_rate, previous_manifest
from pipelines.lock import RunLock
from pipelines.publish import discard_unpublished
from pipelines.run_record import write_run_record
from pipelines.signals import article_provisional, article_superseded, page_gone, pages_unchanged
from pipelines.stage import StageStats, as_record
from pipelines.state import forget_job_run, remember_job_run, resumed_run, start_run, state_dir_for
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
    WriteChangeSet,
    WriteDuplicate,
    WriteRecord,
    table_writer,
)
from pipelines.tables import CHANGES, TABLES_VERSION, DuplicateRow
from pipelines.writers import DEFAULT_ROW_GROUP_SIZE

logger = logging.getLogger(__name__)

PARTIAL_REASONS = ("closespider_pagecount", "closespider_itemcount", "closespider_timeout",
                   "closespider_timeout_no_item")
"""Close reasons of a run stopped by a limit the user set: its crawl did not finish, so it
is published only when asked (``HEALTHCRAWL_PUBLISH_PARTIAL``, ``--publish-partial``)."""
OUTCOME = "healthcrawl/export/outcome"
"""Stat: what became of the run's tables, one of :data:`OUTCOMES`."""
ERROR = "healthcrawl/export/error"
"""Stat: the one line that says why a run was not published."""
CHANGES_STAT = "healthcrawl/export/changes/"
"""Stats: articles the run publishes by ``change`` (new, updated, unchanged), and removed."""
RUN_ID = "healthcrawl/export/run_id"
PLACES = "healthcrawl/export/published_to"
"""Stat: where a published run went, ``[destination name, where]`` a destination (no password)."""
PAGE_TYPE_STAT = "healthcrawl/spider/page_type/"
"""The spider's count of parsed pages by type (``crawler.parsing.page_type``)."""
"""Stat: the run's id (its folder under ``runs/``, its record ``runs/<id>.json``)."""
OUTCOMES = ("published", "partial", "unhealthy", "failed", "discarded")
"""``published`` (``latest`` moved); ``partial``, stopped by a limit and not published;
``unhealthy``, finished with fewer articles than ``HEALTHCRAWL_MIN_ARTICLES``, more failed
requests than ``HEALTHCRAWL_MAX_ERROR_RATE`` or a drop from the previous publication beyond
``HEALTHCRAWL_MAX_DRIFT`` (``pipelines.health``);
``failed``, a write or the publication failed; ``discarded``, interrupted or crashed."""


FLUSH_SECONDS = 1.0
"""At most this long between handing buffered rows to the table writer: what it has is
in the state within a second more, so a killed run's resume fetches little again. As
often, the stage checks that the writer is alive and keeping up, items or not."""
WRITER_FAILED = "table_writer_failed"
"""Close reason of a crawl stopped because its tables can no longer be written (the
table-writer child died or stopped answering, a write failed): fetching on would only
be thrown away."""


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
        to: Sequence[str] = DEFAULT_DESTINATIONS,
        pg_schema: str = "healthcrawl",
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
        keep_runs: int = 3,
        keep_days: float = 0,
        run_id: str | None = None,
        own_process: bool = False,
        publish_partial: bool = False,
        min_articles: int = 1,
        max_error_rate: float = 0.5,
        max_drift: float = 0.5,
        state_dir: Path | None = None,
        incremental: bool = False,
        writer_timeout: float = CALL_TIMEOUT,
        reuse_pickles: bool = False,
    ) -> None:
        """``reuse_pickles``: hand the table writer a record as its parse worker pickled it,
        when no field was set since (:meth:`~core.records.SignedRecord.pickled`); only safe
        when nothing but healthcrawl's and Scrapy's own components handle the items, since a
        component of the project's could change a record's lists in place.
        ``to``: where the tables go (``pipelines.destinations``; ``files`` publishes into
        ``export_dir``, which holds the run lock, state and run records whatever ``to``).
        ``state_dir``: where the run remembers what it fetched and published
        (``pipelines.state``); None keeps no state (each run stands alone, no ``change``
        other than ``new``, no ``removed`` rows). ``writer_timeout``: seconds the stage
        waits on the table-writer child before it counts it as hung."""
        self._stats = stats
        self.reuse_pickles = reuse_pickles
        self.state_dir = state_dir
        self.incremental = incremental
        self.state_lock = (RunLock(state_dir) if state_dir is not None
                           and not state_dir.resolve().is_relative_to(export_dir.resolve()) else None)
        self.changes: dict[str, int] = {}
        self.attempt = 1
        self._flushed = time.monotonic()
        self.jobdir: str | None = None
        """Scrapy's ``JOBDIR``, if the crawl has one: it remembers the run, so a job
        Scrapy resumes continues it (``pipelines.state.resumed_run``)."""
        self.publish_partial = publish_partial
        self.min_articles = min_articles
        self.max_error_rate = max_error_rate
        self.max_drift = max_drift
        self.coverage: dict[str, float] = {}
        """Field coverage of the articles the run publishes (``pipelines.health``)."""
        self.lock = RunLock(export_dir)
        self.counters = StageStats(stats, "export")
        self.started_at = datetime.now(UTC)
        self.export_dir = export_dir
        self.run_id = run_id or new_run_id(self.started_at)
        self.formats = check_formats(formats)
        self.to = check_destinations(to)
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be positive, got {row_group_size}")
        if keep_runs < 1:
            raise ValueError(f"keep_runs must be at least 1, got {keep_runs}")
        self.options = DestinationOptions(export_dir, self.formats, row_group_size, keep_runs, keep_days,
                                          pg_schema)
        self.tables = table_writer(in_child=own_process, timeout=writer_timeout)
        """Where the tables are written (``pipelines.table_writer``); a child starts here, so
        its start-up overlaps the crawl's own."""
        self.failed = False
        self.error: str | None = None
        """Why the run failed, in one line, when that is known."""
        self.published: Path | None = None
        """The run's folder, when it was published as files."""
        self.places: list[str] = []
        """Where the run went, one entry a destination (``--to`` order)."""
        self.provisional: dict[str, DuplicateRow] = {}
        """Exported articles that copy an earlier run's (``article_provisional``)."""
        self.successors: dict[str, str] = {}
        """Superseded article_key -> the key kept instead (``article_superseded``)."""
        self.crawler: Callable[[], Crawler | None] = lambda: None
        """The crawl to stop when the tables can no longer be written (weakly held)."""
        self._watch = task.LoopingCall(self._check_writer)
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def _where(self) -> str:
        """The run's destinations in words, passwords masked."""
        return ", ".join(str(self.export_dir) if spec == "files" else mask(spec) for spec in self.to)

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
            to=settings.getlist("HEALTHCRAWL_DESTINATIONS", list(DEFAULT_DESTINATIONS)),
            pg_schema=settings.get("HEALTHCRAWL_POSTGRES_SCHEMA", "healthcrawl"),
            row_group_size=settings.getint("HEALTHCRAWL_EXPORT_ROW_GROUP_SIZE", DEFAULT_ROW_GROUP_SIZE),
            keep_runs=settings.getint("HEALTHCRAWL_EXPORT_KEEP_RUNS", 3),
            keep_days=settings.getfloat("HEALTHCRAWL_EXPORT_KEEP_DAYS", 0),
            run_id=resumed_run(settings) or settings.get("HEALTHCRAWL_RUN_ID") or None,
            own_process=configured_workers(settings.get("HEALTHCRAWL_WORKER_PROCESSES")) > 0,
            publish_partial=settings.getbool("HEALTHCRAWL_PUBLISH_PARTIAL", False),
            min_articles=settings.getint("HEALTHCRAWL_MIN_ARTICLES", 1),
            max_error_rate=settings.getfloat("HEALTHCRAWL_MAX_ERROR_RATE", 0.5),
            max_drift=settings.getfloat("HEALTHCRAWL_MAX_DRIFT", 0.5),
            state_dir=(state_dir_for(Path(settings.get("HEALTHCRAWL_EXPORT_DIR", "exports")),
                                     settings.get("HEALTHCRAWL_STATE_DIR"))
                       if settings.getbool("HEALTHCRAWL_STATE_ENABLED", True) else None),
            incremental=settings.getbool("HEALTHCRAWL_INCREMENTAL"),
            writer_timeout=settings.getfloat("HEALTHCRAWL_WRITER_TIMEOUT", CALL_TIMEOUT),
            reuse_pickles=own_components_only(settings),
        )
        pipeline.crawler = weakref.ref(crawler)
        if settings.getdict("FEEDS"):
            logger.info("healthcrawl export: besides the feed, the tables are published into %s/latest "
                        "(-s HEALTHCRAWL_EXPORT_ENABLED=false writes the feed alone)",
                        pipeline.export_dir)
        pipeline.jobdir = settings.get("JOBDIR") or None
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.pages_unchanged, signal=pages_unchanged)
        crawler.signals.connect(pipeline.page_gone, signal=page_gone)
        crawler.signals.connect(pipeline.article_superseded, signal=article_superseded)
        crawler.signals.connect(pipeline.article_provisional, signal=article_provisional)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @staticmethod
    def writes_in_child(settings: BaseSettings) -> bool:
        """Whether a crawl with ``settings`` runs this stage with its table writer in a
        child process."""
        return (f"{__name__}.ExportPipeline" in _enabled(settings.getwithbase("ITEM_PIPELINES"))
                and settings.getbool("HEALTHCRAWL_EXPORT_ENABLED", True)
                and configured_workers(settings.get("HEALTHCRAWL_WORKER_PROCESSES")) > 0)

    def open_spider(self) -> None:
        """Take the export folder's run lock and open every destination; waits for the
        table writer, so one that cannot start, create the files or reach a database
        fails the crawl before its first request. The reason is also kept in the stats
        (``ERROR``). In a running crawl that failure closes the spider (``CloseSpider``,
        ``WRITER_FAILED``) rather than failing its opening, which Scrapy's stats extension
        answers with a traceback; a HealthcrawlError (a run lock another run took, say) is
        raised as it is, for its exit code."""
        self._stats.set_value(RUN_ID, self.run_id)
        try:
            self.lock.acquire()
            if self.state_lock is not None:
                self.state_lock.acquire()
            # A crawl stopped while it starts (Ctrl-C) may never send spider_closed: what
            # the run wrote goes when the pipeline does, at the latest when the process exits.
            self._finalizer = weakref.finalize(self, _abandon, self.tables, self.export_dir, self.run_id)
            state = None
            remember_job_run(self.jobdir, self.run_id)
            if self.state_dir is not None:
                self.attempt = start_run(self.state_dir, self.run_id, self.started_at.isoformat())
                latest = previous_manifest(self.export_dir) or {}
                state = StateParams(self.state_dir, self.run_id, self.attempt, latest.get("run_id"))
            self.tables.call(OpenTables(self.run_id, self.options, self.to, state))
            if _engine(self.crawler()) is not None:  # a running crawl, not a test's pipeline
                self._watch.start(FLUSH_SECONDS, now=False).addErrback(self._watch_failed)
        except ChildInterrupted:
            # Ctrl-C or SIGTERM while the writer opened: Scrapy's handler stops the crawl.
            # Raising would fail the spider's opening, and Scrapy's own stats extension
            # then breaks with a traceback on a spider that never opened.
            self.failed = True
            self.error = "interrupted"
            self._stats.set_value(ERROR, self.error)
        except Exception as error:
            self.failed = True
            self.error = f"cannot export to {self._where()}: {mask(str(error))}"
            self._stats.set_value(ERROR, self.error)
            if _engine(self.crawler()) is not None and not isinstance(error, HealthcrawlError):
                raise CloseSpider(WRITER_FAILED) from error
            raise

    def process_item(self, item: Any) -> ArticleRecord:
        """Append the record's rows to every table; a failed write spoils the run, and
        later records are not written (the run is discarded: one error says it)."""
        self.counters.inc("processed")
        record = as_record(item)
        if not self.failed:
            with self._guard():
                signature = getattr(item, "signature", None)
                pickled = item.pickled() if self.reuse_pickles and isinstance(item, SignedRecord) else None
                self.tables.send(WriteRecord(record, None if signature is None else signature.tobytes(),
                                             getattr(item, "validators", None), pickled))
                if time.monotonic() - self._flushed > FLUSH_SECONDS:
                    self.tables.flush()
                    self._flushed = time.monotonic()
                self.counters.inc("kept")
        return record

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """Signal handler: write the ``duplicates`` row a dedup drop carries."""
        if isinstance(exception, DuplicateDropped) and not self.failed:
            with self._guard():
                self.tables.send(WriteDuplicate(exception.row, getattr(item, "validators", None),
                                                getattr(item, "fetched_at", "")))
            self.counters.inc("duplicates")

    def article_provisional(self, row: DuplicateRow) -> None:
        """Signal handler: an exported article copies an earlier run's; decided at close."""
        self.provisional[row.article_key] = row

    def pages_unchanged(self, canonical_urls: tuple[str, ...]) -> None:
        """Signal handler: known pages the spider did not fetch again are carried over."""
        if not self.failed:
            with self._guard():
                self.tables.send(MarkSeen(canonical_urls))

    def page_gone(self, canonical_url: str) -> None:
        """Signal handler: a page answered 404/410; an article published there is removed."""
        if not self.failed:
            with self._guard():
                self.tables.send(MarkGone(canonical_url))

    def article_superseded(self, row: DuplicateRow) -> None:
        """Signal handler: an exported article turned out to be the later copy; its
        duplicates row is written now, its rows are removed before publishing."""
        if not self.failed:
            with self._guard():
                self.tables.send(WriteDuplicate(row, superseded=True))
        self.successors[row.article_key] = row.duplicate_of
        self.counters.inc("duplicates")
        self.counters.inc("retracted")

    def close_spider(self) -> None:
        """Wait until the writer has written everything sent; the tables close at
        ``spider_closed``, which says why the crawl ended (only a finished crawl reports
        articles it no longer met as removed)."""
        self._stop_watch()
        if not self.failed:
            with self._guard():
                self.tables.call(CountRows())  # a round trip: a failed write in the child shows here

    def _check_writer(self) -> None:
        """The watch, every ``FLUSH_SECONDS``: hand the writer what is buffered and make
        sure it is alive and keeping up, so a dead or hung writer stops the crawl now."""
        if not self.failed:
            with self._guard():
                self.tables.flush()
                self._flushed = time.monotonic()

    def _watch_failed(self, failure: Failure) -> None:
        """The watch raised (a write the child reported failed): the run is marked failed
        already; say why now, in one line, rather than as an unhandled error at exit."""
        logger.error("healthcrawl export: %s; stopping the crawl, nothing will be published",
                     failure.getErrorMessage())

    def _stop_watch(self) -> None:
        if self._watch.running:
            self._watch.stop()

    def _stop_crawl(self) -> None:
        """The run cannot be published any more: close the spider (``WRITER_FAILED``)
        rather than fetch on for nothing."""
        engine = _engine(self.crawler())
        if engine is not None and engine.spider is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason=WRITER_FAILED))

    def spider_closed(self, reason: str) -> None:
        """Signal handler: publish or discard, with the crawl's stats in the manifest."""
        self.finish(reason, self._stats.get_stats())

    def finish(self, reason: str, crawl_stats: Mapping[str, Any]) -> Path | None:
        """Publish the run when its crawl finished (or stopped at a limit, if asked), it has
        at least ``min_articles`` and nothing failed; else discard it. Either way the
        outcome (``OUTCOME``) and why (``ERROR``) go to the stats, and the lock is let go."""
        try:
            outcome, why, published = self._finish(reason, crawl_stats)
        except Exception as error:  # a check that broke must not pass for a publication
            logger.exception("healthcrawl export: finishing run %s failed", self.run_id)
            _abort_quietly(self.tables)
            outcome, why, published = "failed", f"finishing the run failed: {error}", None
        finally:
            self._stop_watch()
            if self._finalizer is not None:
                self._finalizer.detach()
            try:
                self.tables.close()
            finally:
                self.lock.release()
                if self.state_lock is not None:
                    self.state_lock.release()
        self._stats.set_value(OUTCOME, outcome)
        if why:
            self._stats.set_value(ERROR, why)
        self._record(reason, outcome, why)
        if outcome != "published":
            self.counters.inc("discarded")
            logger.warning("healthcrawl export: run %s not published (%s)", self.run_id, why)
        return published

    def _record(self, reason: str, outcome: str, why: str) -> None:
        """The run record (``pipelines.run_record``); a failure to write it is logged, and
        changes nothing about the tables."""
        try:
            write_run_record(self.export_dir, self.state_dir, {
                "run_id": self.run_id, "attempt": self.attempt,
                "started_at": self.started_at.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
                "finish_reason": reason, "outcome": outcome, "error": why or None,
                "incremental": self.incremental, "articles": self._articles(), "changes": self.changes,
                "published": str(self.published) if self.published else None,
                "destinations": self.places,
            })
        except Exception:
            logger.exception("healthcrawl export: cannot write the record of run %s", self.run_id)

    def _articles(self) -> int:
        """Articles the run publishes: fetched and carried over, less superseded ones."""
        if self.changes:
            return sum(self.changes.get(change, 0) for change in CHANGES)
        return self.counters.value("kept") - self.counters.value("retracted")

    def _close_tables(self, reason: str) -> None:
        closed = self.tables.call(CloseTables(dict(self.successors), finished=reason == "finished",
                                              provisional=dict(self.provisional)))
        self.changes, self.coverage = closed["changes"], closed["coverage"]
        self.successors.update(closed["retracted"])
        self.counters.inc("retracted", len(closed["retracted"]))
        self.counters.inc("duplicates", len(closed["retracted"]))
        for change, count in self.changes.items():
            self._stats.set_value(f"{CHANGES_STAT}{change}", count)

    def _finish(self, reason: str, crawl_stats: Mapping[str, Any]) -> tuple[str, str, Path | None]:
        self._attempt("closing the tables", lambda: self._close_tables(reason))
        outcome, why = self._verdict(reason, crawl_stats)
        if outcome == "published":
            self._attempt("removing superseded articles",
                          lambda: self.tables.call(RetractArticles(self.successors)))
            if self.state_dir is not None:
                self._attempt("writing the change set", lambda: self.tables.call(WriteChangeSet()))
            outcome, why = self._verdict(reason, crawl_stats)
        if outcome != "published":
            _abort_quietly(self.tables)
            return outcome, why, None
        try:
            self.places = self.tables.call(CommitRun(self.manifest(reason, crawl_stats)))
        except Exception as error:
            _abort_quietly(self.tables)
            logger.error("healthcrawl export: publishing run %s failed: %s", self.run_id, mask(str(error)))
            return "failed", f"publishing to {self._where()} failed: {mask(str(error))}", None
        if "files" in self.to:
            self.published = Path(self.places[self.to.index("files")])
        self._stats.set_value(PLACES, [[destination_name(spec), mask(place)]
                                       for spec, place in zip(self.to, self.places, strict=True)])
        forget_job_run(self.jobdir)
        try:  # published: a state left pending is settled by the next run (pipelines.state)
            self.tables.call(CommitState())
        except Exception:
            logger.exception("healthcrawl export: run %s published; its state stays pending", self.run_id)
        logger.info("%s; published to %s", self.counters.summary(), "; ".join(self.places))
        return "published", "", self.published or self.export_dir

    def _verdict(self, reason: str, crawl_stats: Mapping[str, Any]) -> tuple[str, str]:
        """What the run's end means for its tables (one of ``OUTCOMES``), and why."""
        if self.failed:
            return "failed", self.error or "a write failed (see the log)"
        if reason in PARTIAL_REASONS and not self.publish_partial:
            return "partial", (f"stopped by a limit ({reason}) before the crawl finished; "
                               "--publish-partial publishes such runs")
        if reason != "finished" and reason not in PARTIAL_REASONS:
            return "discarded", f"the crawl did not finish ({reason})"
        articles = self._articles()
        if articles < self.min_articles:
            return "unhealthy", (f"{articles} articles, fewer than the {self.min_articles} a healthy "
                                 "run has (--min-articles)")
        errors = error_rate(crawl_stats)
        if errors > self.max_error_rate:
            return "unhealthy", (f"{errors:.0%} of the requests failed, more than "
                                 f"{self.max_error_rate:.0%} (--max-error-rate)")
        drifted = drift(previous_manifest(self.export_dir), articles, self.coverage,
                        self.max_drift, partial=reason != "finished")
        if drifted:
            return "unhealthy", drifted
        return "published", ""

    def manifest(self, reason: str, crawl_stats: Mapping[str, Any]) -> dict[str, Any]:
        """What ``manifest.json`` says about the run."""
        return {
            "run_id": self.run_id,
            "schema_version": SCHEMA_VERSION,
            "tables_version": TABLES_VERSION,
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "finish_reason": reason,
            "partial": reason != "finished",
            "incremental": self.incremental,
            "attempt": self.attempt,
            "changes": self.changes,
            "formats": list(self.formats),
            "row_counts": self.tables.call(CountRows()),
            "coverage": self.coverage,
            "page_types": {key.removeprefix(PAGE_TYPE_STAT): int(count)
                           for key, count in sorted(crawl_stats.items()) if key.startswith(PAGE_TYPE_STAT)},
            "crawl_stats": {key: _jsonable(value) for key, value in sorted(crawl_stats.items())},
        }

    def _attempt(self, what: str, step: Callable[[], object]) -> None:
        """Run a closing ``step`` unless the run already failed; a failure discards the run
        (logged here: at the end of a run there is no item to blame)."""
        if self.failed:
            return
        try:
            step()
        except Exception as error:
            self.failed = True
            self.error = f"{what} failed: {error}"
            logger.exception("healthcrawl export: %s failed", what)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Mark the run failed when the block raises, so it is never published, and stop
        the crawl. A table writer that ended or hung is said in one error line; another
        failure is raised (Scrapy logs it with its traceback)."""
        try:
            yield
        except ChildInterrupted:  # Ctrl-C or SIGTERM during a wait: Scrapy's handler stops the crawl
            self.failed = True
            self.error = self.error or "interrupted"
        except BaseException as error:
            first = not self.failed
            self.failed = True
            self.error = self.error or f"writing the tables failed: {error}"
            if first:
                self._stop_crawl()
            if not isinstance(error, ChildEnded):
                raise
            if first:
                logger.error("healthcrawl export: %s; stopping the crawl, nothing will be published", error)


def own_components_only(settings: BaseSettings) -> bool:
    """Every item pipeline is one of healthcrawl's stages (``pipelines.ITEM_PIPELINES``) and
    every spider middleware Scrapy's own or healthcrawl's: no other code sees, or may
    change, a record between its parse and its export."""
    stages = _enabled(settings.getwithbase("ITEM_PIPELINES"))
    middlewares = _enabled(settings.getwithbase("SPIDER_MIDDLEWARES"))
    scrapys = {_path(key) for key in settings.getdict("SPIDER_MIDDLEWARES_BASE")}
    ours = ("crawler.middlewares.", "crawler.distributed.")
    return (all(stage in HEALTHCRAWL_STAGES for stage in stages)
            and all(middleware in scrapys or middleware.startswith(ours) for middleware in middlewares))


def _enabled(components: BaseSettings) -> list[str]:
    return [_path(key) for key, order in components.items() if order is not None]


def _path(component: Any) -> str:
    """A component's import path, whether the setting names it or holds the class."""
    return component if isinstance(component, str) else f"{component.__module__}.{component.__qualname__}"


def _abandon(tables: Endpoint, export_dir: Path, run_id: str) -> None:
    """The run ends unpublished without finishing (a Ctrl-C while it started): tell the
    table writer, let it end (it dies with this process, perhaps before it could drop the
    run's folder), then drop whatever of the run is left. Registered once the run holds
    the folder's lock: no other run's folder is touched."""
    try:
        _abort_quietly(tables)
    finally:
        try:
            tables.close()
        finally:
            discard_unpublished(export_dir, run_id)


def _abort_quietly(tables: Endpoint) -> None:
    """Tell the table writer the run is not published; a writer that already ended (its
    leftovers go at the next run's start, ``pipelines.publish``) is no second error."""
    try:
        tables.call(AbortRun())
    except ChildInterrupted:  # Ctrl-C: the message is sent, the child applies it before it ends
        pass
    except Exception as error:
        logger.warning("healthcrawl export: could not drop the run's tables: %s", mask(str(error)))


def _engine(crawler: Crawler | None) -> ExecutionEngine | None:
    """The crawl's engine, None before it starts."""
    try:
        return crawler.engine if crawler is not None else None
    except RuntimeError:  # Scrapy's "engine is not set yet"
        return None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
