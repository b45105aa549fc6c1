"""The table writer: a run's destinations (``pipelines.destinations``) behind typed
messages, in the crawl's process or in a child of its own (``core.child``).

Rows are first written as files (the ``files`` destination, or a Parquet working set when
the run publishes no files): carrying articles over, retracting superseded ones and the
change set work on them. Every other destination is opened with the run, so one that
cannot be reached fails the crawl before its first request, and gets the finished
tables at close, then the same retraction, commit or abort.

Turning records into CSV and Parquet row groups is CPU the crawl's single core can spare
least, so the export stage writes through a child unless ``HEALTHCRAWL_WORKER_PROCESSES``
is 0. Either way it holds a :class:`~core.child.Endpoint` and sends the same messages:
appends (:class:`WriteRecord`, :class:`WriteDuplicate`) leave without waiting; the others
wait for their answer. A failed append is raised at once in the crawl's process, and from
a child by the next message that waits, so the export stage marks the run failed and never
publishes it. A child that dies or stops answering (``HEALTHCRAWL_WRITER_TIMEOUT``) is
found at the next wait or flush, which the export stage does at least once a second, and
stops the crawl.
"""

from __future__ import annotations

import importlib.abc
import json
import os
import pickle
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from core.child import CALL_TIMEOUT, ChildProcess, Endpoint, InProcess, start_early
from core.records import SCHEMA_VERSION, ArticleRecord, Validators
from pipelines.destinations.base import Destination, DestinationOptions, RunInfo
from pipelines.destinations.files import FileTables
from pipelines.destinations.registry import DEFAULT_DESTINATIONS, build, check_destinations
from pipelines.health import NO_FACTS, Coverage, Facts, facts_of, previous_facts
from pipelines.publish import MANIFEST
from pipelines.retract import filtered_copy
from pipelines.state import CarriedPage, StateWriter
from pipelines.tables import ARTICLE_TABLES, CHANGES, REMOVED, SCHEMAS, TABLES_VERSION, DuplicateRow
from pipelines.tableset import TABLE_FORMATS, TableSet
from pipelines.writers import RowSelection, side_by_side

CARRIED_DIR = ".carried"
"""Inside the run's folder while the crawl runs: the tables of the articles it carries over,
written as the spider finds them unchanged (this process is idle then) and appended to the
run's tables at close, less any a later fetch replaced."""

CHANGES_DIR = "changes"
"""The run's change set inside its folder: the articles it found new or updated, and the
``removed`` table; kept when old runs are pruned, so history stays readable."""


@dataclass(frozen=True, slots=True)
class StateParams:
    """Where the run's state lives (``pipelines.state``) and which run this is."""

    state_dir: Path
    run_id: str
    attempt: int
    latest_run: str | None
    """The run ``latest`` shows now (settles a commit a killed run left pending)."""


@dataclass(frozen=True, slots=True)
class OpenTables:
    """Open every destination of run ``run_id`` (``to``: ``--to`` values, checked)."""

    run_id: str
    options: DestinationOptions
    to: tuple[str, ...] = DEFAULT_DESTINATIONS
    state: StateParams | None = None


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """Append one kept record (:meth:`TableSet.write_record`) and remember its page."""

    record: ArticleRecord
    signature: bytes | None = None
    """The MinHash signature's bytes (cheaper to send than the array)."""
    validators: Validators | None = None
    pickled: bytes | None = field(default=None, compare=False)
    """The record as pickled to reach the child process, which the state stores as it is
    (pickling it again there would cost the writer a third of its time a record)."""

    def __reduce__(self) -> tuple[Any, ...]:
        pickled = self.pickled or pickle.dumps(self.record, protocol=pickle.HIGHEST_PROTOCOL)
        return _received_record, (pickled, self.signature, self.validators)


def _received_record(pickled: bytes, signature: bytes | None, validators: Validators | None) -> WriteRecord:
    return WriteRecord(pickle.loads(pickled), signature, validators, pickled)


@dataclass(frozen=True, slots=True)
class WriteDuplicate:
    """Append one ``duplicates`` row (:meth:`TableSet.write_duplicate`)."""

    row: DuplicateRow
    validators: Validators | None = None
    fetched_at: str = ""
    superseded: bool = False
    """The row's article was kept and written earlier: a copy sorting first replaced it."""


@dataclass(frozen=True, slots=True)
class MarkSeen:
    """Pages found unchanged without fetching them: carried over."""

    canonical_urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MarkGone:
    """A known page answered 404 or 410."""

    canonical_url: str


@dataclass(frozen=True, slots=True)
class CloseTables:
    """Carry over what the run saw unchanged, write the ``removed`` rows, complete every
    file (:meth:`TableSet.close`); answers the change counts."""

    successors: dict[str, str] = field(default_factory=dict)
    finished: bool = True
    """The crawl saw the whole site: a published article it did not meet is removed."""
    provisional: dict[str, DuplicateRow] = field(default_factory=dict)
    """Articles kept although they copy an earlier run's (``signals.article_provisional``):
    retracted as that one's duplicate when it is still published."""


@dataclass(frozen=True, slots=True)
class RetractArticles:
    """Remove superseded articles, ``old key -> kept key`` (:meth:`TableSet.retract`)."""

    successors: dict[str, str]


@dataclass(frozen=True, slots=True)
class CountRows:
    """Rows per table, for the manifest (:meth:`TableSet.row_counts`)."""


@dataclass(frozen=True, slots=True)
class WriteChangeSet:
    """After the last retraction: the run's change set, ``changes/`` (its tables without
    the unchanged articles, and ``removed``)."""


@dataclass(frozen=True, slots=True)
class CommitRun:
    """Make the run what every destination shows (``manifest``: what it says of the run);
    answers where each put it, in ``--to`` order. Files go last: their publication is
    what the next run compares against, so it must never run ahead of a database."""

    manifest: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AbortRun:
    """The run is not published: every destination drops what it wrote (handled even
    after a failed append, which the child refuses every other message for)."""

    cleans_up: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class CommitState:
    """The run is published: its articles become what the state calls published."""


TableMessage = (OpenTables | WriteRecord | WriteDuplicate | MarkSeen | MarkGone | CloseTables
                | RetractArticles | WriteChangeSet | CountRows | CommitRun | AbortRun | CommitState)


class TableWriter:
    """The handler of :data:`TableMessage` s: owns the run's destinations (and change set
    and state, when the run has one) once opened."""

    def __init__(self) -> None:
        self.opened: OpenTables | None = None
        self.files: FileTables | None = None
        """The run's files: published, or its working set."""
        self.others: list[tuple[str, Destination]] = []
        """Every other destination, with its ``--to`` value."""
        self.tables: TableSet | None = None
        self.state: StateWriter | None = None
        self.carried: TableSet | None = None
        """The tables of what the run carries over (:data:`CARRIED_DIR`), once it does."""
        self.present: dict[str, tuple[str, str, str, str, Facts]] = {}
        """Key -> (change, content_hash, url, canonical_url, coverage facts) of every
        article this run publishes."""
        self.carried_keys: set[str] = set()
        """Articles carried over that no fetched record replaced (yet)."""
        self.replaced: set[str] = set()
        """Articles carried over, then fetched under another URL: the fetch wins."""
        self.carried_copies: set[str] = set()
        """Canonical URLs of the ``duplicates`` rows carried over."""
        self.previous: Path | None = None
        """The publication ``latest`` shows, when unchanged articles can be taken from it."""
        self.from_previous: set[str] = set()
        """Articles carried over as the last publication shows them."""
        self.dropped: set[str] = set()
        self.removed = 0
        self.retracted: dict[str, str] = {}
        self.closed = False

    def __call__(self, message: TableMessage) -> Any:
        if isinstance(message, OpenTables):
            return self._open(message)
        if isinstance(message, AbortRun):
            return self._abort()
        if self.tables is None:
            if isinstance(message, CloseTables):
                return None  # the run failed before its files existed: nothing to close
            raise RuntimeError(f"{type(message).__name__} before OpenTables")
        match message:
            case WriteRecord(record, signature, validators, pickled):
                if record.article_key in self.carried_keys:
                    self.carried_keys.remove(record.article_key)
                    self.replaced.add(record.article_key)
                canonical_url = validators.canonical_url if validators else record.canonical_url
                self._write(self.tables, record, canonical_url)
                if self.state is not None and validators is not None:
                    self.state.fetched(record, signature, validators, pickled)
            case WriteDuplicate(row, validators, fetched_at, superseded):
                self.tables.write_duplicate(row)
                self.dropped.add(row.article_key)
                if self.state is not None and superseded:
                    self.state.superseded(row)
                elif self.state is not None and validators is not None:
                    self.state.dropped(row, validators, fetched_at)
            case MarkSeen(urls):
                if self.state is not None:
                    self.state.seen(urls)
                    self._carry(self.state.carried(urls))
            case MarkGone(url):
                if self.state is not None:
                    self.state.gone(url)
            case CloseTables(successors, finished, provisional):
                return self._close(successors, finished, provisional)
            case RetractArticles(successors):
                for destination in self._destinations():
                    destination.retract(successors)
            case WriteChangeSet():
                self._change_set()
            case CountRows():
                return self.tables.row_counts()
            case CommitRun(manifest):
                return self._commit(manifest)
            case CommitState():
                if self.state is not None:
                    self.state.commit()
        return None

    def _open(self, message: OpenTables) -> None:
        """Open the files first (they take the rows as they come), then every other
        destination; one that fails leaves nothing of the run behind."""
        self.opened = message
        options = message.options
        to = check_destinations(message.to)
        others = [spec for spec in to if spec != FileTables.name]
        publish = FileTables.name in to
        self.files = FileTables(options.export_dir, options.formats if publish else ("parquet",),
                                options.row_group_size, options.keep_runs, options.keep_days,
                                publish=publish, extra_formats=("parquet",) if others else ())
        run = RunInfo(message.run_id, SCHEMA_VERSION)
        try:
            self.files.open(run)
            for spec in others:
                destination = build(spec, options)
                self.others.append((spec, destination))
                destination.open(run)
        except BaseException:
            self._abort()
            raise
        self.tables = self.files.tables
        if message.state is not None:
            params = message.state
            self.state = StateWriter(params.state_dir, params.run_id, params.attempt, params.latest_run)
            self.previous = reusable_publication(params, self.files.folder, self.files.formats)

    def _destinations(self) -> list[Destination]:
        """Every destination of the run, the files first."""
        return ([self.files] if self.files is not None else []) + [dest for _, dest in self.others]

    def _load_others(self) -> None:
        """Hand the run's rows to every destination besides the files, as written (each
        destination retracts on its own), a row group at a time (bounded memory whatever
        the run's size)."""
        assert self.tables is not None
        for table in SCHEMAS:
            for group in self.tables.spooled(table):
                for _, destination in self.others:
                    destination.write(table, group)

    def _commit(self, manifest: dict[str, Any]) -> list[str]:
        """Commit every destination but the files, then the files; a failure aborts
        what is not committed yet."""
        assert self.files is not None
        places = {}
        manifest = {**manifest, "destinations": [dest.describe() for dest in self._destinations()
                                                 if dest is not self.files or self.files.publish]}
        try:
            for spec, destination in self.others:
                places[spec] = destination.commit(manifest)
            places[FileTables.name] = self.files.commit(manifest)
        except BaseException:
            self._abort()
            raise
        return [places[spec] for spec in self.opened.to if spec in places] if self.opened else []

    def _abort(self) -> None:
        """Abort every destination (each one's failure is no reason to keep another's)."""
        errors = []
        for destination in self._destinations():
            try:
                destination.abort()
            except Exception as error:
                errors.append(error)
        self.tables = None
        if errors:
            raise errors[0]

    def _write(self, tables: TableSet, record: ArticleRecord, canonical_url: str) -> None:
        change = self.state.change(record) if self.state is not None else "new"
        tables.write_record(record, change)
        self.present[record.article_key] = (change, record.content_hash, record.url, canonical_url,
                                            facts_of(record))

    def _close(self, successors: dict[str, str], finished: bool,
               provisional: dict[str, DuplicateRow]) -> dict[str, Any]:
        """Carry over, settle the provisional copies, write ``removed``, close; what
        changed, the coverage (only of the articles the run publishes: superseded ones are
        retracted next) and the copies to retract besides ``successors``."""
        assert self.tables is not None
        if not self.closed:
            self.closed = True
            if self.state is not None:
                self._carry_over()
            self.retracted = self._settle(provisional, successors)
            successors = {**successors, **self.retracted}
            for key in successors:
                self.present.pop(key, None)
            if self.state is not None:
                removals = self.state.removals(set(self.present), set(successors) | self.dropped, finished)
                rows = [REMOVED.rows(removal)[0] for removal in removals]
                self.tables.write_removed(rows)
                self.removed = len(rows)
                self.state.stage((key, content_hash, url, canonical)
                                 for key, (_, content_hash, url, canonical, _) in self.present.items())
            self.tables.seal()
            if self.others:
                self._load_others()
            self.tables.close(successors)
        counts = Counter(change for change, *_ in self.present.values())
        coverage = Coverage()
        for *_, facts in self.present.values():
            coverage.add_facts(facts)
        changes = {change: counts.get(change, 0) for change in CHANGES} | {"removed": self.removed}
        return {"changes": changes, "coverage": coverage.shares(), "retracted": self.retracted}

    def _change_set(self) -> None:
        """``changes/``: every article table without the unchanged articles, and
        ``removed``. Published files are never modified, so a file with nothing to leave
        out is a hard link, not a copy (a first or full run costs no second write)."""
        assert self.tables is not None
        folder = self.tables.folder / CHANGES_DIR
        folder.mkdir()
        unchanged = {key for key, (change, *_) in self.present.items() if change == "unchanged"}
        tables = {*(table.name for table in ARTICLE_TABLES), REMOVED.name}
        paths = [path for path in sorted(self.tables.folder.iterdir())
                 if path.is_file() and path.name.split(".")[0] in tables]
        filtered = [path for path in paths if unchanged and path.name.split(".")[0] != REMOVED.name]
        side_by_side(lambda path: filtered_copy(path, folder / path.name, unchanged), filtered)
        for path in paths:
            if path in filtered:
                continue
            try:
                os.link(path, folder / path.name)
            except OSError:  # a file system without hard links
                shutil.copyfile(path, folder / path.name)

    def _settle(self, provisional: dict[str, DuplicateRow], successors: dict[str, str]) -> dict[str, str]:
        """The provisional copies whose original is published by this run too: each
        becomes a ``duplicates`` row, to be retracted like a superseded copy."""
        assert self.tables is not None
        retracted = {}
        for key, row in provisional.items():
            if key in self.present and key not in successors and row.duplicate_of in self.present:
                retracted[key] = row.duplicate_of
                self.tables.write_duplicate(row)
                self.dropped.add(key)
                if self.state is not None:
                    self.state.superseded(row)
        return retracted

    def _carry(self, pages: Iterable[CarriedPage]) -> None:
        """Carry pages over; an article the run already publishes (fetched, or carried
        under another URL) is not carried again. An article ``latest`` shows as it is
        comes from there at close; any other page from its stored record, now."""
        assert self.state is not None
        for page in pages:
            if page.content_hash is None:
                if page.canonical_url not in self.carried_copies:
                    self.carried_copies.add(page.canonical_url)
                    row = self.state.content(page.canonical_url)
                    assert isinstance(row, DuplicateRow)
                    self._carried_tables().write_duplicate(row)
                    self.dropped.add(row.article_key)
            elif page.article_key in self.present:
                continue
            elif (self.previous is not None
                  and self.state.change_of(page.article_key, page.content_hash) == "unchanged"):
                self.present[page.article_key] = ("unchanged", page.content_hash, page.url,
                                                  page.canonical_url, NO_FACTS)
                self.carried_keys.add(page.article_key)
                self.from_previous.add(page.article_key)
            else:
                self._carry_record(page.canonical_url)

    def _carry_record(self, canonical_url: str) -> None:
        assert self.state is not None
        record = self.state.content(canonical_url)
        assert isinstance(record, ArticleRecord)
        self._write(self._carried_tables(), record, canonical_url)
        self.carried_keys.add(record.article_key)

    def _carried_tables(self) -> TableSet:
        if self.carried is None:
            assert self.opened is not None
            assert self.files is not None
            folder = self.files.folder / CARRIED_DIR
            folder.mkdir()
            assert self.files is not None
            self.carried = TableSet(folder, self.files.formats, self.opened.options.row_group_size)
            self.carried.open()
        return self.carried

    def _carry_over(self) -> None:
        """At close: carry what is left (the pages an earlier attempt of a resumed run
        fetched or found unchanged), then append what was carried to the run's tables:
        the rows written from records, then those of the last publication, less the
        articles a later fetch replaced."""
        assert self.state is not None and self.tables is not None
        self._carry(self.state.carried())
        self._facts_from_previous()
        if self.carried is not None:
            self.carried.close()
            self.tables.append(self.carried.folder, RowSelection(self.replaced))
            shutil.rmtree(self.carried.folder)
            self.carried = None
        if self.previous is not None and self.from_previous:
            self.tables.append(self.previous, RowSelection(self.from_previous - self.replaced, only=True,
                                                           change="unchanged"), duplicates=False)

    def _facts_from_previous(self) -> None:
        """The coverage facts of the articles taken from the last publication, read from
        its ``articles`` table; one it lacks (a publication edited by hand) is carried
        from its stored record instead."""
        if not self.from_previous:
            return
        assert self.previous is not None and self.opened is not None
        wanted = self.from_previous - self.replaced
        assert self.files is not None
        found = {key: facts for key, facts in previous_facts(self.previous, self.files.formats)
                 if key in wanted}
        for key in wanted:
            change, content_hash, url, canonical, _ = self.present[key]
            if key in found:
                self.present[key] = (change, content_hash, url, canonical, found[key])
            else:
                self.from_previous.remove(key)
                del self.present[key]
                self._carry_record(canonical)


def reusable_publication(state: StateParams, folder: Path, formats: tuple[str, ...]) -> Path | None:
    """The folder of the publication ``latest`` shows, when its files can be appended to
    this run's as they are: same schema version, every article table in every format of
    this run, and a table format to read coverage from."""
    if state.latest_run is None or not set(formats) & set(TABLE_FORMATS):
        return None
    previous = folder.parent / state.latest_run
    try:
        manifest = json.loads((previous / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    names = [f"{table.name}.{fmt}" for fmt in formats if fmt in TABLE_FORMATS for table in ARTICLE_TABLES]
    names += ["articles.jsonl"] if "jsonl" in formats else []
    if manifest.get("schema_version") != SCHEMA_VERSION or manifest.get("tables_version") != TABLES_VERSION:
        return None
    return previous if all((previous / name).is_file() for name in names) else None


CHILD_WRITER = "pipelines.table_writer:child_writer"


def table_writer(in_child: bool, timeout: float = CALL_TIMEOUT) -> Endpoint:
    """Where a run's tables are written: a child process of its own (which may take
    ``timeout`` seconds to answer, ``core.child.ChildProcess``; one started ahead by
    :func:`start_writer_early` if there is one), or this process."""
    return ChildProcess(CHILD_WRITER, timeout) if in_child else InProcess(TableWriter())


def start_writer_early() -> None:
    """Start the table writer's child now (``core.child.start_early``): the crawl's
    process has Scrapy's engine, extensions and middlewares still to build, and the child
    is ready by the time the export stage opens the run's tables."""
    start_early(CHILD_WRITER)


def child_writer() -> TableWriter:
    """The table-writer child's handler: a :class:`TableWriter` in a process where pandas
    cannot be imported. pyarrow's ``pa.array`` asks of every input whether it is a pandas
    object, importing pandas at the first call to know (a fifth of a second of CPU at every
    run's start, on the core the parse workers share); the writer hands it lists, never
    pandas objects, so pyarrow can answer without it. A crawl that writes its tables in its
    own process (``HEALTHCRAWL_WORKER_PROCESSES=0``) keeps pandas for whatever else runs there."""
    sys.meta_path.insert(0, _WithoutPandas())
    return TableWriter()


class _WithoutPandas(importlib.abc.MetaPathFinder):
    """Fails every import of pandas with ``ModuleNotFoundError``, the error an import of a
    package that is not installed raises (a ``None`` in ``sys.modules`` would not do:
    pyarrow's compiled import takes it as the module)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if fullname.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("the table writer's process does not load pandas", name=fullname)
