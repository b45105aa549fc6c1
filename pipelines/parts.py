"""Export stage of a distributed worker: the run's rows as parts, one folder each.

A worker of a distributed crawl (``crawler.distributed``) cannot publish: the run's tables
are every worker's. It writes what it keeps as *parts* instead, into
``<export dir>/parts/<run id>/<worker>-<n>/``, one Parquet file per table of
``pipelines.tables``: a part holds at most ``HEALTHCRAWL_PART_ARTICLES`` articles (bounded
memory) and appears at once (written in a ``.tmp-`` folder, then renamed), so a worker
killed at any moment leaves only whole parts. ``healthcrawl publish`` assembles them
(``pipelines.assemble``). At its end the worker also leaves ``<worker>.stats.json``, its
crawl stats, which the run's manifest sums.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from core.errors import InputError
from core.redis_server import RUN_ID_KEY, connect
from pipelines.dedup import DuplicateDropped
from pipelines.signals import article_superseded, part_written, write_part
from pipelines.stage import StageStats, as_record
from pipelines.tables import SCHEMAS, DuplicateRow, Row, record_to_rows

logger = logging.getLogger(__name__)

PART_ARTICLES = 1000
"""Articles a part holds at most (``HEALTHCRAWL_PART_ARTICLES``)."""
PARTS_FAILED = "parts_write_failed"
"""Close reason of a worker whose part could not be written (a full or lost disk): its
requests in flight stay in Redis, for the other workers (exit 1)."""
PARTS = "parts"
"""The folder of the export directory that holds the runs' parts."""


def parts_dir(export_dir: Path, run_id: str) -> Path:
    """Where the parts of run ``run_id`` go."""
    return export_dir / PARTS / run_id


def write_table_files(folder: Path, rows: Mapping[str, list[Row]]) -> None:
    """One Parquet file per table with rows, typed by ``SCHEMAS``."""
    for table, table_rows in rows.items():
        if table_rows:
            table_data = pa.Table.from_pylist(table_rows, schema=SCHEMAS[table])
            pq.write_table(table_data, folder / f"{table}.parquet")


class PartsPipeline:
    """Buffers rows and writes them as parts (see the module docstring)."""

    def __init__(self, stats: StatsCollector, folder: Path, worker: str,
                 part_articles: int = PART_ARTICLES) -> None:
        self.stats = stats
        self.counters = StageStats(stats, "parts")
        self.folder = folder
        self.worker = worker
        self.part_articles = part_articles
        self.rows: dict[str, list[Row]] = {table: [] for table in SCHEMAS}
        self.articles = 0
        self.written = 0
        self.on_written: list[Any] = []
        self.on_failed: list[Any] = []
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PartsPipeline:
        settings = crawler.settings
        server = connect(settings.get("HEALTHCRAWL_REDIS_URL"))
        run_id = server.get(RUN_ID_KEY)
        if run_id is None:
            raise InputError("the Redis server has no run: seed it first "
                             "(healthcrawl seed --redis URL START_URL)")
        assert crawler.stats is not None
        stage = cls(crawler.stats, parts_dir(Path(settings.get("HEALTHCRAWL_EXPORT_DIR", "exports")),
                                              run_id.decode()),
                    f"{socket.gethostname()}-{os.getpid()}",
                    settings.getint("HEALTHCRAWL_PART_ARTICLES", PART_ARTICLES))
        crawler.signals.connect(stage.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(stage.article_superseded, signal=article_superseded)
        crawler.signals.connect(stage.write, signal=write_part)
        stage.on_written.append(lambda path, articles: crawler.signals.send_catch_log(
            part_written, path=path, articles=articles))
        crawler.signals.connect(stage.spider_closed, signal=signals.spider_closed)
        stage.on_failed.append(lambda: _stop(crawler))
        return stage

    def open_spider(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def process_item(self, item: Any) -> Any:
        record = as_record(item)
        for table, rows in record_to_rows(record).items():
            self.rows[table].extend(rows)
        self.articles += 1
        if self.articles >= self.part_articles:
            self.write()
        return item

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, DuplicateDropped):
            self.rows["duplicates"].append(exception.row.to_row())

    def article_superseded(self, row: DuplicateRow) -> None:
        """The article another copy replaced: a ``duplicates`` row (``publish`` removes its
        rows from whichever part holds them)."""
        self.rows["duplicates"].append(row.to_row())

    def write(self) -> None:
        """Write what is buffered as one part, atomically (nothing when nothing is). A part
        that cannot be written stops the worker (``PARTS_FAILED``) in one log line; its
        requests in flight stay in Redis, so nothing it held is lost."""
        if self.failed or not any(self.rows.values()):
            return
        name = f"{self.worker}-{self.written:05d}"
        tmp = self.folder / f".tmp-{name}"
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            write_table_files(tmp, self.rows)
            for path in tmp.iterdir():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
            os.rename(tmp, self.folder / name)
        except OSError as error:
            self.failed = True
            self.counters.inc("failed")
            logger.error("healthcrawl: cannot write part %s: %s; this worker stops", tmp, error)
            for call in self.on_failed:
                call()
            return
        self.written += 1
        self.counters.inc("written")
        articles = self.articles
        self.rows = {table: [] for table in SCHEMAS}
        self.articles = 0
        for call in self.on_written:
            call(self.folder / name, articles)

    def close_spider(self) -> None:
        self.write()

    def spider_closed(self, reason: str) -> None:
        if self.failed:
            return
        """Leave the worker's crawl stats beside its parts (the manifest sums them)."""
        stats = {key: value for key, value in self.stats.get_stats().items()
                 if isinstance(value, int | float | str)}
        stats["finish_reason"] = reason
        path = self.folder / f"{self.worker}.stats.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats, sort_keys=True, default=str), encoding="utf-8")
        os.replace(tmp, path)


def _stop(crawler: Crawler) -> None:
    """Close the crawl (``PARTS_FAILED``): fetching on would only be lost."""
    engine = crawler.engine
    if engine is not None and engine.spider is not None and engine.running:
        deferred_from_coro(engine.close_spider_async(reason=PARTS_FAILED))
