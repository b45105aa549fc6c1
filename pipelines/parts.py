"""Export stage of a distributed worker: what its export stage would hand the table
writer, written as parts, one folder each.

A worker of a distributed crawl (``crawler.distributed``) cannot publish: the run's tables
are every worker's. It writes what it keeps as *parts* instead, into
``<export dir>/parts/<run id>/<worker>-<n>/``: the table writer's messages
(``pipelines.table_writer``: ``WriteRecord`` with the page's validators and signature,
``WriteDuplicate``) in the order the one-process export stage would have sent them, one
LZ4-compressed pickle. ``healthcrawl publish`` replays every part through the one-process
table writer (``pipelines.assemble``), so a distributed run's tables, ``change`` column,
carried-over articles, ``removed`` rows and state store are a one-process run's by
construction. A part holds at most ``HEALTHCRAWL_PART_ARTICLES`` articles (bounded memory)
and appears at once (written in a ``.tmp-`` folder, then renamed), so a worker killed at any
moment leaves only whole parts. At its end the worker also leaves ``<worker>.stats.json``,
its crawl stats, which the run's manifest sums.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from core.errors import InputError
from core.minhash import SIGNATURE_SCHEME, shared_hasher
from core.records import SCHEMA_VERSION, body_text
from core.redis_server import RUN_ID_KEY, connect
from pipelines.dedup import DuplicateDropped
from pipelines.signals import article_superseded, part_written, write_part
from pipelines.stage import StageStats, as_record
from pipelines.table_writer import WriteDuplicate, WriteRecord
from pipelines.tables import DuplicateRow

logger = logging.getLogger(__name__)

PART_ARTICLES = 1000
"""Articles a part holds at most (``HEALTHCRAWL_PART_ARTICLES``)."""
PARTS_FAILED = "parts_write_failed"
"""Close reason of a worker whose part could not be written (a full or lost disk): its
requests in flight stay in Redis, for the other workers (exit 1)."""
PARTS = "parts"
"""The folder of the export directory that holds the runs' parts."""
PART_FILE = "messages.pickle.lz4"
"""A part's one file: ``(SCHEMA_VERSION, [message, ...], SIGNATURE_SCHEME)`` pickled,
LZ4-compressed (a part from before MinHash schemes were recorded has no third item: scheme 1)."""
PartMessage = WriteRecord | WriteDuplicate
_SIZE = struct.Struct("<Q")


def parts_dir(export_dir: Path, run_id: str) -> Path:
    """Where the parts of run ``run_id`` go."""
    return export_dir / PARTS / run_id


def write_part_file(folder: Path, messages: list[PartMessage]) -> None:
    """The part's file in ``folder``, synced to disk."""
    data = pickle.dumps((SCHEMA_VERSION, messages, SIGNATURE_SCHEME), protocol=pickle.HIGHEST_PROTOCOL)
    with open(folder / PART_FILE, "wb") as handle:
        handle.write(_SIZE.pack(len(data)))
        handle.write(pa.compress(data, codec="lz4", asbytes=True))
        handle.flush()
        os.fsync(handle.fileno())


def read_part(folder: Path) -> list[PartMessage]:
    """The messages of the part in ``folder``; :class:`InputError` for a part another
    record schema wrote (workers and ``publish`` of different healthcrawl versions). The
    records' MinHash signatures of another scheme than this healthcrawl's are computed
    again, so the state store keeps only signatures the next runs can compare with."""
    blob = (folder / PART_FILE).read_bytes()
    (size,) = _SIZE.unpack_from(blob)
    version, messages, *scheme = pickle.loads(pa.decompress(blob[_SIZE.size:], decompressed_size=size,
                                                            codec="lz4", asbytes=True))
    if version != SCHEMA_VERSION:
        raise InputError(f"part {folder} holds records of schema {version}, this healthcrawl "
                         f"publishes {SCHEMA_VERSION}: publish with the workers' version")
    if (scheme[0] if scheme else 1) == SIGNATURE_SCHEME:
        return list(messages)
    return [_signed_again(message) for message in messages]


def _signed_again(message: PartMessage) -> PartMessage:
    if not isinstance(message, WriteRecord) or message.signature is None:
        return message
    hasher = shared_hasher(len(message.signature) // 4)
    return replace(message, signature=hasher.signature(body_text(message.record)).tobytes())


class PartsPipeline:
    """Buffers the table writer's messages and writes them as parts (see the module
    docstring)."""

    def __init__(self, stats: StatsCollector, folder: Path, worker: str,
                 part_articles: int = PART_ARTICLES) -> None:
        self.stats = stats
        self.counters = StageStats(stats, "parts")
        self.folder = folder
        self.worker = worker
        self.part_articles = part_articles
        self.messages: list[PartMessage] = []
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
        """The record, with what the state store keeps of its page (validators, signature)."""
        record = as_record(item)
        signature = getattr(item, "signature", None)
        self.messages.append(WriteRecord(record, None if signature is None else signature.tobytes(),
                                         getattr(item, "validators", None)))
        self.articles += 1
        if self.articles >= self.part_articles:
            self.write()
        return item

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, DuplicateDropped):
            self.messages.append(WriteDuplicate(exception.row, getattr(item, "validators", None),
                                                getattr(item, "fetched_at", "")))

    def article_superseded(self, row: DuplicateRow) -> None:
        """The article another copy replaced: a ``duplicates`` row (``publish`` removes its
        rows from whichever part holds them)."""
        self.messages.append(WriteDuplicate(row, superseded=True))

    def write(self) -> None:
        """Write what is buffered as one part, atomically (nothing when nothing is). A part
        that cannot be written stops the worker (``PARTS_FAILED``) in one log line; its
        requests in flight stay in Redis, so nothing it held is lost."""
        if self.failed or not self.messages:
            return
        name = f"{self.worker}-{self.written:05d}"
        tmp = self.folder / f".tmp-{name}"
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            write_part_file(tmp, self.messages)
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
        self.messages = []
        self.articles = 0
        for call in self.on_written:
            call(self.folder / name, articles)

    def close_spider(self) -> None:
        self.write()

    def spider_closed(self, reason: str) -> None:
        """Leave the worker's crawl stats beside its parts (the manifest sums them)."""
        if self.failed:
            return
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
