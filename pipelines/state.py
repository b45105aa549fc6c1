"""What a run remembers of the runs before it: a SQLite file in the state folder.

Scheduled runs must not start from nothing: an incremental run asks for pages only when
they may have changed, republishes only what did, and still publishes the site's whole
current state; a resumed run keeps what the dead run already fetched. That state lives in
``<state dir>/state.sqlite`` (``HEALTHCRAWL_STATE_DIR``, default ``<export dir>/.state``):

``pages``
    one row per canonical URL of an article page the crawl fetched: the validators it
    answered with (ETag, Last-Modified), when and in which run (and attempt) it was
    fetched, the run that last saw it on the site, and what it became: a kept record
    (pickled, compressed) with its MinHash signature, or a dropped copy's ``duplicates`` row.
``published``
    what ``latest`` holds: article_key, content hash, URLs, the run that published it.
    ``pending`` holds a run's next ``published`` until its tables are committed.
``runs``
    one row per run: id, attempt, times, outcome, exit code and the run record (JSON).

Who writes: the table writer (``pipelines.table_writer``), in its own process, writes
``pages``, ``published`` and ``pending``; the crawl's process reads ``pages`` (the spider's
conditional requests, the dedup stage's memory of earlier runs) and writes ``runs`` when
the writer is not writing. WAL journaling lets readers and the one writer work at once.
"""

from __future__ import annotations

import json
import logging
import pickle
import sqlite3
import struct
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS, SIGNATURE_SCHEME, Signature, shared_hasher
from core.records import ArticleRecord, Validators, body_text
from pipelines.tables import DuplicateRow

logger = logging.getLogger(__name__)

STATE_FILE = "state.sqlite"
PAGE_SIZE = 16384
"""SQLite page size of a new state file. A page row (the record LZ4-packed, about 3.5 KB
on the demo site, its 512-byte signature, its URLs) does not fit SQLite's default 4 KB
page and spilled onto overflow pages: with 16 KB pages the table writer inserts a row in
about 60% of the CPU (RESULTS.md, issue 18, tenth session). A state file made before
keeps its pages."""
STATE_VERSION = 2
"""Version of the tables below; a state folder written by newer code is refused. 2: the
kept articles' MinHash signatures are of ``core.minhash.SIGNATURE_SCHEME`` 2; a version 1
file's are computed again from the stored records when it is first opened for writing
(and, until then, when it is read)."""
_SIGNATURE_SCHEMES = {1: 1, 2: SIGNATURE_SCHEME}
"""The MinHash scheme of the signatures a state file of each version holds."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    canonical_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    article_key TEXT NOT NULL,
    content_hash TEXT,
    record BLOB,
    signature BLOB,
    duplicate BLOB,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    fetched_run TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    seen_run TEXT NOT NULL,
    gone_run TEXT
);
CREATE INDEX IF NOT EXISTS pages_seen ON pages (seen_run);
CREATE INDEX IF NOT EXISTS pages_key ON pages (article_key);
CREATE TABLE IF NOT EXISTS published (
    article_key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    run_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
    run_id TEXT NOT NULL,
    article_key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    PRIMARY KEY (run_id, article_key)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    exit_code INTEGER,
    record TEXT
);
"""


class StateError(RuntimeError):
    """The state folder cannot be used (unreadable, or written by a newer healthcrawl)."""


@dataclass(frozen=True, slots=True)
class KnownPage:
    """What the state knows of one canonical URL (what the spider asks before fetching)."""

    url: str
    etag: str | None
    last_modified: str | None
    fetched_at: str
    fetched_run: str
    record: bytes | None

    def links(self) -> list[str]:
        """The article URLs the kept record links to (prev, next, recommendations)."""
        if self.record is None:
            return []
        record = unpack_record(self.record)
        links = [link.url for link in (record.prev_article, record.next_article) if link is not None]
        return links + [rec.url for rec in record.recommendations]


@dataclass(frozen=True, slots=True)
class Removal:
    """A published article the run found gone: a row of the ``removed`` table."""

    article_key: str
    url: str
    canonical_url: str
    reason: str
    """``gone`` (404/410), ``missing`` (no longer found on the site), ``duplicate``
    (a copy that sorts first took its place)."""
    published_in: str


@dataclass(frozen=True, slots=True)
class CarriedPage:
    """A page the run carries over (:meth:`StateWriter.carried`), without its stored
    record: most are taken from the last publication as they are."""

    canonical_url: str
    article_key: str
    url: str
    content_hash: str | None
    """None for a dropped copy."""


_SIZE = struct.Struct("<I")


def pack_record(record: ArticleRecord, pickled: bytes | None = None) -> bytes:
    """The record (``pickled`` already, if given) LZ4-compressed (5 us a record against
    zlib's 67 us at level 1, for 0.63 of the size against 0.40: the table writer does this
    for every page)."""
    data = pickled or pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    packed: bytes = pa.compress(data, codec="lz4", asbytes=True)
    return _SIZE.pack(len(data)) + packed


def unpack_record(blob: bytes) -> ArticleRecord:
    (size,) = _SIZE.unpack_from(blob)
    record: ArticleRecord = pickle.loads(pa.decompress(blob[_SIZE.size:], decompressed_size=size,
                                                       codec="lz4", asbytes=True))
    return record


def connect(state_dir: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the state file, created (with its folder) unless ``readonly``."""
    path = state_dir / STATE_FILE
    try:
        if readonly:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
        else:
            state_dir.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=60)
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before the first table: a new file only
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            _check_version(db, path)
    except sqlite3.Error as error:
        raise StateError(f"cannot use the state file {path}: {error}") from None
    return db


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    version = _version(db)
    if version is None:
        db.execute("INSERT INTO meta VALUES ('version', ?)", (str(STATE_VERSION),))
        db.commit()
    elif version > STATE_VERSION:
        raise StateError(f"{path} was written by a newer healthcrawl (state version {version}, "
                         f"this one reads {STATE_VERSION})")
    elif version < STATE_VERSION:
        _upgrade(db, path)


def _version(db: sqlite3.Connection) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
    return None if row is None else int(row[0])


_UPGRADE_BATCH = 1000
"""Kept articles read at once while an upgrade signs them again (about 3.5 MB of records)."""


def _upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Bring a version 1 file to this version: every kept article signed again, a batch
    at a time, in one transaction (another process opening the file meanwhile waits, then
    finds it done)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if (_version(db) or STATE_VERSION) < STATE_VERSION:
            signed, last = 0, 0
            while rows := db.execute(
                    "SELECT rowid, record, length(signature) FROM pages WHERE rowid > ? "
                    "AND record IS NOT NULL AND signature IS NOT NULL ORDER BY rowid LIMIT ?",
                    (last, _UPGRADE_BATCH)).fetchall():
                db.executemany("UPDATE pages SET signature = ? WHERE rowid = ?",
                               ((signature_of(record, size // 4), rowid) for rowid, record, size in rows))
                signed, last = signed + len(rows), rows[-1][0]
            db.execute("UPDATE meta SET value = ? WHERE name = 'version'", (str(STATE_VERSION),))
            logger.info("healthcrawl state: %s signed %d kept articles again (MinHash scheme %d)",
                        path, signed, SIGNATURE_SCHEME)
        db.commit()
    except BaseException:
        db.rollback()
        raise


def signature_of(packed_record: bytes, num_perm: int) -> bytes | None:
    """The MinHash signature of a stored record (:func:`pack_record`), as the state keeps
    it; None, with a warning, for a record that cannot be read (whatever broke it), which
    near-duplicate lookups then leave out rather than every later run failing on it."""
    try:
        record = unpack_record(packed_record)
    except Exception as error:  # LZ4, pickle and struct each raise their own
        logger.warning("healthcrawl state: a stored record cannot be read (%s: %s); its article is "
                       "left out of near-duplicate lookups", type(error).__name__, error)
        return None
    return shared_hasher(num_perm).signature(body_text(record)).tobytes()


class StateReader:
    """Read-only lookups for the crawl's process; an absent state file knows nothing."""

    def __init__(self, state_dir: Path) -> None:
        self.db = connect(state_dir, readonly=True) if (state_dir / STATE_FILE).exists() else None
        try:
            version = _version(self.db) if self.db is not None else None
        except sqlite3.Error as error:
            raise StateError(f"cannot use the state file {state_dir / STATE_FILE}: {error}") from None
        self.signature_scheme = _SIGNATURE_SCHEMES.get(version or STATE_VERSION, 0)
        """The MinHash scheme of the stored signatures (0: unknown)."""

    def page(self, canonical_url: str) -> KnownPage | None:
        if self.db is None:
            return None
        row = self.db.execute(
            "SELECT url, etag, last_modified, fetched_at, fetched_run, record FROM pages "
            "WHERE canonical_url = ?", (canonical_url,)).fetchone()
        return KnownPage(*row) if row else None

    def article_pages(self) -> Iterator[tuple[str, KnownPage]]:
        """``(canonical_url, page)`` of every page that was kept as an article and not gone
        (without the record, which a revalidation does not need)."""
        if self.db is not None:
            rows = self.db.execute(
                "SELECT canonical_url, url, etag, last_modified, fetched_at, fetched_run FROM pages "
                "WHERE record IS NOT NULL AND gone_run IS NULL")
            for canonical_url, url, etag, last_modified, fetched_at, fetched_run in rows:
                yield canonical_url, KnownPage(url, etag, last_modified, fetched_at, fetched_run, None)

    def pages(self) -> Iterator[tuple[str, KnownPage, bool]]:
        """``(canonical_url, page, article)`` of every page not gone, without its record;
        ``article``: kept as an article (what :meth:`article_pages` gives)."""
        if self.db is not None:
            rows = self.db.execute(
                "SELECT canonical_url, url, etag, last_modified, fetched_at, fetched_run, "
                "record IS NOT NULL FROM pages WHERE gone_run IS NULL")
            for canonical_url, url, etag, last_modified, fetched_at, fetched_run, article in rows:
                yield (canonical_url, KnownPage(url, etag, last_modified, fetched_at, fetched_run, None),
                       bool(article))

    def kept(self, run_id: str | None = None, num_perm: int = DEFAULT_BANDS * DEFAULT_ROWS
             ) -> Iterator[tuple[str, str, str, str, Signature]]:
        """``(key, url, canonical_url, content_hash, signature)`` of every published
        article, and of every article run ``run_id`` kept (the run a resumed one
        continues), for the dedup stage's memory of earlier runs. A stored signature of
        another scheme (a state file no run has upgraded yet) or length than ``num_perm``
        (the MinHash bands or rows changed since) is computed again from the record. (The
        first one-process run after an upgrade of healthcrawl so signs its kept articles
        twice: here, as its dedup stage starts, then when its export stage opens the file
        for writing and upgrades it; 0.12 ms an article each time.)"""
        if self.db is None:
            return
        stale = self.signature_scheme != SIGNATURE_SCHEME
        rows = self.db.execute(
            "SELECT article_key, url, canonical_url, content_hash, signature, "
            "CASE WHEN ? OR length(signature) != ? THEN record END FROM pages "
            "WHERE record IS NOT NULL AND signature IS NOT NULL "
            "AND (fetched_run = ? OR article_key IN (SELECT article_key FROM published))",
            (stale, 4 * num_perm, run_id))
        for key, url, canonical, content_hash, signature, record in rows:
            if record is not None and (signature := signature_of(record, num_perm)) is None:
                continue
            yield key, url, canonical, content_hash, np.frombuffer(signature, dtype=np.uint32)

    def fetched_keys(self, run_id: str) -> list[str]:
        """The keys of the articles run ``run_id`` kept."""
        if self.db is None:
            return []
        return [key for (key,) in self.db.execute(
            "SELECT article_key FROM pages WHERE fetched_run = ? AND record IS NOT NULL", (run_id,))]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


class StateWriter:
    """The table writer's side: remembers every page of a run, carries over what the run
    did not fetch again, says what changed, and moves ``published`` on at commit."""

    def __init__(self, state_dir: Path, run_id: str, attempt: int, latest_run: str | None) -> None:
        self.db = connect(state_dir)
        self.run_id = run_id
        self.attempt = attempt
        self._settle(latest_run)
        self._published: dict[str, str] = dict(
            self.db.execute("SELECT article_key, content_hash FROM published").fetchall())
        self._pages: list[tuple[object, ...]] = []
        """Page rows not inserted yet: one ``executemany`` a batch costs half of a statement
        a page."""
        self._committed = time.monotonic()

    def _settle(self, latest_run: str | None) -> None:
        """A run killed between publishing its tables and committing its state left its
        next ``published`` pending: apply it when ``latest`` shows that run, drop it else."""
        pending = [run for (run,) in self.db.execute("SELECT DISTINCT run_id FROM pending")]
        with self.db:
            for run in pending:
                if run == latest_run:
                    self._apply(run)
                else:
                    self.db.execute("DELETE FROM pending WHERE run_id = ?", (run,))

    def change(self, record: ArticleRecord) -> str:
        """``new``, ``updated`` or ``unchanged`` against what ``latest`` holds."""
        return self.change_of(record.article_key, record.content_hash)

    def change_of(self, key: str, content_hash: str) -> str:
        """:meth:`change` of the article ``key`` with ``content_hash``."""
        before = self._published.get(key)
        if before is None:
            return "new"
        return "unchanged" if before == content_hash else "updated"

    def fetched(self, record: ArticleRecord, signature: bytes | None, validators: Validators,
                pickled: bytes | None = None) -> None:
        """Remember a kept article as this run fetched it (``signature``: the MinHash
        signature's bytes; ``pickled``: the record pickled, when it came so)."""
        self._page(validators, record.url, record.article_key, record.content_hash,
                   pack_record(record, pickled), signature, None, record.fetched_at)

    def dropped(self, row: DuplicateRow, validators: Validators, fetched_at: str) -> None:
        """Remember a page this run dropped as a copy."""
        self._page(validators, row.url, row.article_key, None, None, None,
                   pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL), fetched_at)

    def _page(self, validators: Validators, url: str, key: str, content_hash: str | None,
              record: bytes | None, signature: bytes | None, duplicate: bytes | None,
              fetched_at: str) -> None:
        self._pages.append(
            (validators.canonical_url, url, key, content_hash, record, signature, duplicate,
             validators.etag, validators.last_modified, fetched_at, self.run_id, self.attempt,
             self.run_id))
        if len(self._pages) >= 200 or time.monotonic() - self._committed > 1.0:
            self._flush()

    def superseded(self, row: DuplicateRow) -> None:
        """An article this run kept turned out to be a copy: its page becomes a dropped one."""
        self._flush()
        self.db.execute("UPDATE pages SET record = NULL, signature = NULL, content_hash = NULL, "
                        "duplicate = ? WHERE article_key = ?",
                        (pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL), row.article_key))

    def seen(self, canonical_urls: Iterable[str]) -> None:
        """Pages the run found unchanged (a 304, or a sitemap date before the last fetch)."""
        self._flush()
        self.db.executemany("UPDATE pages SET seen_run = ? WHERE canonical_url = ?",
                            ((self.run_id, url) for url in canonical_urls))

    def gone(self, canonical_url: str) -> None:
        """A page that answered 404 or 410."""
        self._flush()
        self.db.execute("UPDATE pages SET gone_run = ? WHERE canonical_url = ?", (self.run_id, canonical_url))

    def _flush(self) -> None:
        """Insert the pages buffered, and commit once a second: a killed run loses at most
        a second's pages, which a resumed run fetches again."""
        if self._pages:
            self.db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                self._pages)
            self._pages.clear()
        if time.monotonic() - self._committed > 1.0:
            self.db.commit()
            self._committed = time.monotonic()

    _CARRIED = ("SELECT canonical_url, article_key, url, content_hash FROM pages "
                "WHERE gone_run IS NOT ? AND NOT (fetched_run = ? AND attempt = ?)")
    """Pages the run carries over: not gone in this run, not fetched in this attempt."""

    def carried(self, canonical_urls: Iterable[str] | None = None) -> Iterator[CarriedPage]:
        """Pages the run saw but did not fetch in this attempt: those of ``canonical_urls``
        (just found unchanged), or every one (with those an earlier attempt of this run,
        resumed, fetched)."""
        self._flush()
        run = (self.run_id, self.run_id, self.attempt)
        if canonical_urls is None:
            rows = self.db.execute(f"{self._CARRIED} AND seen_run = ?", (*run, self.run_id)).fetchall()
            yield from (CarriedPage(*row) for row in rows)
            return
        for url in canonical_urls:
            row = self.db.execute(f"{self._CARRIED} AND canonical_url = ?", (*run, url)).fetchone()
            if row is not None:
                yield CarriedPage(*row)

    def content(self, canonical_url: str) -> ArticleRecord | DuplicateRow:
        """The stored page: its kept record, or the dropped copy's ``duplicates`` row."""
        record, duplicate = self.db.execute(
            "SELECT record, duplicate FROM pages WHERE canonical_url = ?", (canonical_url,)).fetchone()
        if record is not None:
            return unpack_record(record)
        row: DuplicateRow = pickle.loads(duplicate)
        return row

    def removals(self, present: Collection[str], copies: Collection[str], finished: bool) -> list[Removal]:
        """Published articles not in ``present`` (the keys this run publishes): found to be
        ``copies`` of another, gone (404/410), or, when the crawl finished and so saw the
        whole site, missing."""
        rows = self.db.execute(
            "SELECT p.article_key, p.url, p.canonical_url, p.run_id, g.gone_run FROM published p "
            "LEFT JOIN pages g ON g.canonical_url = p.canonical_url").fetchall()
        removals = []
        for key, url, canonical, run, gone_run in rows:
            if key in present:
                continue
            reason = ("duplicate" if key in copies else "gone" if gone_run == self.run_id
                      else "missing" if finished else None)
            if reason is not None:
                removals.append(Removal(key, url, canonical, reason, run))
        return removals

    def stage(self, records: Iterable[tuple[str, str, str, str]]) -> None:
        """The next ``published`` (``key, content_hash, url, canonical_url``), pending
        until :meth:`commit`."""
        with self.db:
            self.db.execute("DELETE FROM pending WHERE run_id = ?", (self.run_id,))
            self.db.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?)",
                                ((self.run_id, *row) for row in records))

    def commit(self) -> None:
        """The run's tables are published: what is pending becomes ``published``."""
        with self.db:
            self._apply(self.run_id)

    def _apply(self, run_id: str) -> None:
        self.db.execute("DELETE FROM published")
        self.db.execute("INSERT INTO published SELECT article_key, content_hash, url, canonical_url, "
                        "run_id FROM pending WHERE run_id = ?", (run_id,))
        self.db.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))

    def close(self) -> None:
        self._flush()
        self.db.commit()
        self.db.close()


def start_run(state_dir: Path, run_id: str, started_at: str) -> int:
    """Record that run ``run_id`` starts (again); returns its attempt number (1 first)."""
    db = connect(state_dir)
    try:
        with db:
            row = db.execute("SELECT attempt FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            attempt = 1 if row is None else int(row[0]) + 1
            db.execute("INSERT OR REPLACE INTO runs (run_id, attempt, started_at) VALUES (?, ?, ?)",
                       (run_id, attempt, started_at))
        return attempt
    finally:
        db.close()


def finish_run(state_dir: Path, record: Mapping[str, Any]) -> None:
    """Store the run record (``pipelines.run_record``) of a run that ended."""
    db = connect(state_dir)
    try:
        with db:
            db.execute("UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, record = ? "
                       "WHERE run_id = ?",
                       (record.get("finished_at"), record.get("outcome"), record.get("exit_code"),
                        json.dumps(record, default=str), record["run_id"]))
    finally:
        db.close()


def resumable_run(state_dir: Path) -> str | None:
    """The newest run that never finished, or ended interrupted: what ``--resume`` continues."""
    if not (state_dir / STATE_FILE).exists():
        return None
    db = connect(state_dir)
    try:
        row = db.execute("SELECT run_id, outcome FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
    finally:
        db.close()
    if row is None or row[1] not in (None, "discarded"):
        return None
    return str(row[0])


def state_dir_for(export_dir: Path, configured: str | Path | None) -> Path:
    """The state folder: ``configured`` (``HEALTHCRAWL_STATE_DIR``, ``--state-dir``), or
    ``.state`` inside the export folder, so one ``--out`` is one schedule's whole memory."""
    return Path(configured) if configured else export_dir / ".state"


JOB_RUN_FILE = "healthcrawl-run.json"
"""In a Scrapy ``JOBDIR``: the run the job belongs to, so a job resumed by Scrapy continues
that run (its pages carried over) instead of starting a new one that lacks them."""


def resumed_run(settings: Any) -> str | None:
    """The run this crawl continues: ``HEALTHCRAWL_RUN_ID`` with ``HEALTHCRAWL_RESUME``
    (``--resume``), or the run of the Scrapy ``JOBDIR`` it resumes; None for a new run."""
    if settings.getbool("HEALTHCRAWL_RESUME") and settings.get("HEALTHCRAWL_RUN_ID"):
        return str(settings.get("HEALTHCRAWL_RUN_ID"))
    jobdir = settings.get("JOBDIR")
    if not jobdir:
        return None
    try:
        return str(json.loads((Path(jobdir) / JOB_RUN_FILE).read_text())["run_id"])
    except (OSError, ValueError, KeyError):
        return None


def remember_job_run(jobdir: str | None, run_id: str) -> None:
    """Write the job's run (see :data:`JOB_RUN_FILE`) when the crawl has a ``JOBDIR``."""
    if jobdir:
        Path(jobdir).mkdir(parents=True, exist_ok=True)
        (Path(jobdir) / JOB_RUN_FILE).write_text(json.dumps({"run_id": run_id}))


def forget_job_run(jobdir: str | None) -> None:
    """The run was published: a later crawl with the same ``JOBDIR`` is a new run."""
    if jobdir:
        (Path(jobdir) / JOB_RUN_FILE).unlink(missing_ok=True)
