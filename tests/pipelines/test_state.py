"""The state store: what a run remembers of the runs before it (pipelines/state.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.minhash import MinHasher
from core.records import ArticleRecord, Validators, body_text
from pipelines import state as state_module
from pipelines.state import (
    PAGE_SIZE,
    StateError,
    StateReader,
    StateWriter,
    connect,
    resumable_run,
    start_run,
)
from pipelines.tables import DuplicateRow
from tests.pipelines.conftest import build_record


def published_run(state: Path, run_id: str, records: list, commit: bool = True,  # type: ignore[type-arg]
                  signature: bytes | None = None) -> None:
    start_run(state, run_id, "2026-01-01T00:00:00+00:00")
    writer = StateWriter(state, run_id, 1, latest_run=None)
    for record in records:
        writer.fetched(record, signature, Validators(record.canonical_url, '"etag"', None))
    writer.stage((r.article_key, r.content_hash, r.url, r.canonical_url) for r in records)
    if commit:
        writer.commit()
    writer.close()


def test_an_article_is_new_then_unchanged_then_updated(tmp_path: Path) -> None:
    record = build_record(n=1)
    writer = StateWriter(tmp_path, "r1", 1, latest_run=None)
    assert writer.change(record) == "new"
    writer.close()
    published_run(tmp_path, "r1", [record])
    writer = StateWriter(tmp_path, "r2", 1, latest_run="r1")
    assert writer.change(record) == "unchanged"
    assert writer.change(build_record(n=1, content_hash="edited")) == "updated"
    writer.close()


def test_a_run_killed_after_publishing_but_before_committing_its_state_is_settled_by_the_next(
        tmp_path: Path) -> None:
    published_run(tmp_path, "r1", [build_record(n=1)], commit=False)
    writer = StateWriter(tmp_path, "r2", 1, latest_run="r1")  # latest shows r1: it was published
    assert writer.change(build_record(n=1)) == "unchanged"
    writer.close()


def test_a_pending_state_whose_run_was_never_published_is_dropped(tmp_path: Path) -> None:
    published_run(tmp_path, "r1", [build_record(n=1)], commit=False)
    writer = StateWriter(tmp_path, "r2", 1, latest_run=None)
    assert writer.change(build_record(n=1)) == "new"
    writer.close()


def test_the_spider_finds_a_fetched_pages_validators(tmp_path: Path) -> None:
    record = build_record(n=3)
    published_run(tmp_path, "r1", [record])
    page = StateReader(tmp_path).page(record.canonical_url)
    assert page is not None and (page.etag, page.fetched_run) == ('"etag"', "r1")
    assert StateReader(tmp_path / "nowhere").page(record.canonical_url) is None


def test_resume_continues_the_last_run_only_if_it_did_not_finish(tmp_path: Path) -> None:
    start_run(tmp_path, "r1", "2026-01-01T00:00:00+00:00")
    assert resumable_run(tmp_path) == "r1"
    db = sqlite3.connect(tmp_path / "state.sqlite")
    with db:
        db.execute("UPDATE runs SET outcome = 'published' WHERE run_id = 'r1'")
    db.close()
    assert resumable_run(tmp_path) is None


def test_an_article_superseded_as_a_copy_becomes_a_dropped_page_found_by_its_key(tmp_path: Path) -> None:
    """The page is found through an index: a scan for every superseded article made a large
    crawl's table writer quadratic (2 ms a lookup at 5,000 pages)."""
    records = [build_record(n=n) for n in range(3)]
    writer = StateWriter(tmp_path, "r1", 1, latest_run=None)
    for record in records:
        writer.fetched(record, None, Validators(record.canonical_url, None, None))
    copy = records[1]
    writer.superseded(DuplicateRow(article_key=copy.article_key, url=copy.url,
                                   canonical_url=copy.canonical_url, duplicate_of=records[0].article_key,
                                   reason="near", similarity=0.9))
    pages = dict(writer.db.execute("SELECT article_key, record IS NULL AND duplicate IS NOT NULL FROM pages"))
    plan = " ".join(row[-1] for row in writer.db.execute(
        "EXPLAIN QUERY PLAN UPDATE pages SET record = NULL WHERE article_key = ?", (copy.article_key,)))
    writer.close()
    assert pages == {records[0].article_key: 0, copy.article_key: 1, records[2].article_key: 0}
    assert "USING INDEX pages_key" in plan


def test_a_new_state_file_holds_each_golden_page_row_within_one_sqlite_page(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    """A row spilling onto overflow pages cost the table writer about 40% more CPU."""
    writer = StateWriter(tmp_path, "r1", 1, latest_run=None)
    for record in golden:
        writer.fetched(record, bytes(512), Validators(record.canonical_url, None, None))
    writer.close()
    db = sqlite3.connect(tmp_path / "state.sqlite")
    largest = db.execute("SELECT max(length(record) + length(signature) + length(url) + length(canonical_url)"
                         " + length(article_key) + length(content_hash)) FROM pages").fetchone()[0]
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert page_size == PAGE_SIZE and largest < page_size // 2


def test_a_state_written_by_a_newer_healthcrawl_is_refused_in_one_line(tmp_path: Path) -> None:
    connect(tmp_path).close()
    db = sqlite3.connect(tmp_path / "state.sqlite")
    with db:
        db.execute("UPDATE meta SET value = '99' WHERE name = 'version'")
    db.close()
    with pytest.raises(StateError, match="newer healthcrawl"):
        connect(tmp_path)


def state_of_version_1(state: Path, record: ArticleRecord) -> None:
    """A state file as healthcrawl wrote it before MinHash scheme 2: ``record`` published
    with a signature of the scheme before (any 128 slots unlike this scheme's)."""
    published_run(state, "r1", [record], signature=bytes(range(256)) * 2)
    db = sqlite3.connect(state / "state.sqlite")
    with db:
        db.execute("UPDATE meta SET value = '1' WHERE name = 'version'")
    db.close()


def test_a_version_1_state_has_its_articles_signed_again_when_first_opened_for_writing(
        tmp_path: Path) -> None:
    record = build_record(n=1)
    state_of_version_1(tmp_path, record)
    connect(tmp_path).close()
    db = sqlite3.connect(tmp_path / "state.sqlite")
    signature, version = db.execute("SELECT signature, (SELECT value FROM meta WHERE name = 'version') "
                                    "FROM pages").fetchone()
    db.close()
    assert signature == MinHasher(128).signature(body_text(record)).tobytes()
    assert version == "2"


def test_a_version_1_state_read_before_its_upgrade_gives_signatures_of_this_scheme(tmp_path: Path) -> None:
    record = build_record(n=1)
    state_of_version_1(tmp_path, record)
    reader = StateReader(tmp_path)
    [(key, _, _, _, signature)] = list(reader.kept())
    reader.close()
    assert key == record.article_key
    assert signature.tolist() == MinHasher(128).signature(body_text(record)).tolist()


def test_kept_signatures_of_another_length_than_the_runs_are_computed_again(tmp_path: Path) -> None:
    # A run whose MinHash bands or rows changed since the last one indexes 64-slot signatures.
    record = build_record(n=1)
    published_run(tmp_path, "r1", [record], signature=MinHasher(128).signature(body_text(record)).tobytes())
    reader = StateReader(tmp_path)
    [(_, _, _, _, signature)] = list(reader.kept(None, 64))
    [(_, _, _, _, stored)] = list(reader.kept(None, 128))
    reader.close()
    assert signature.tolist() == MinHasher(64).signature(body_text(record)).tolist()
    assert stored.tolist() == MinHasher(128).signature(body_text(record)).tolist()


def test_an_upgrade_signs_every_kept_article_a_batch_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_module, "_UPGRADE_BATCH", 2)
    records = [build_record(n=n) for n in range(1, 6)]
    published_run(tmp_path, "r1", records, signature=bytes(512))
    db = sqlite3.connect(tmp_path / "state.sqlite")
    with db:
        db.execute("UPDATE meta SET value = '1' WHERE name = 'version'")
    db.close()
    connect(tmp_path).close()
    reader = StateReader(tmp_path)
    signed = {key: signature.tolist() for key, _, _, _, signature in reader.kept()}
    reader.close()
    assert signed == {r.article_key: MinHasher(128).signature(body_text(r)).tolist() for r in records}


def test_a_stored_record_that_cannot_be_read_is_left_out_of_near_duplicate_memory_not_fatal(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken, whole = build_record(n=1), build_record(n=2)
    state_of_version_1(tmp_path, broken)
    published_run(tmp_path, "r2", [whole], signature=bytes(512))
    db = sqlite3.connect(tmp_path / "state.sqlite")
    with db:
        db.execute("UPDATE pages SET record = ? WHERE article_key = ?",
                   (b"\0\0\0\1garbage", broken.article_key))
        db.execute("UPDATE meta SET value = '1' WHERE name = 'version'")
    db.close()
    connect(tmp_path).close()
    reader = StateReader(tmp_path)
    assert [key for key, *_ in reader.kept()] == [whole.article_key]
    reader.close()
    assert "a stored record cannot be read" in caplog.text


def test_a_state_file_without_its_meta_table_is_one_state_error(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "state.sqlite").execute("CREATE TABLE other (x)").connection.close()
    with pytest.raises(StateError, match="cannot use the state file"):
        StateReader(tmp_path)
