"""What a run publishes against the last one, in the table writer with a state store:
the change of each article, what is carried over, what is removed, and copies of an
earlier run's articles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from core.records import SCHEMA_VERSION, ArticleRecord, Validators
from pipelines.destinations.base import DestinationOptions
from pipelines.health import Coverage
from pipelines.publish import MANIFEST
from pipelines.table_writer import (
    CloseTables,
    CommitRun,
    CommitState,
    MarkGone,
    MarkSeen,
    OpenTables,
    RetractArticles,
    StateParams,
    TableWriter,
    WriteChangeSet,
    WriteRecord,
)
from pipelines.tables import ARTICLE_TABLES, TABLES_VERSION, DuplicateRow
from tests.pipelines.conftest import build_record


def publish(tmp_path: Path, run_id: str, records: list[ArticleRecord], *, seen: tuple[str, ...] = (),
            gone: tuple[str, ...] = (), provisional: dict[str, DuplicateRow] | None = None,
            latest: str | None = None, formats: tuple[str, ...] = ("parquet",)) -> Path:
    """One run through the table writer, committed, with the manifest a publication
    has; returns its folder."""
    writer = TableWriter()
    writer(OpenTables(run_id, DestinationOptions(tmp_path, formats, 100, keep_runs=5),
                      state=StateParams(tmp_path / "state", run_id, 1, latest)))
    for record in records:
        writer(WriteRecord(record, None, Validators(record.canonical_url, f'"{record.content_hash}"')))
    writer(MarkSeen(seen))
    for url in gone:
        writer(MarkGone(url))
    closed = writer(CloseTables({}, True, provisional or {}))
    writer(RetractArticles(closed["retracted"]))
    writer(WriteChangeSet())
    writer(CommitRun({"run_id": run_id, "schema_version": SCHEMA_VERSION, "tables_version": TABLES_VERSION}))
    writer(CommitState())
    return tmp_path / "runs" / run_id


def articles(folder: Path) -> dict[str, str]:
    table = pd.read_parquet(folder / "articles.parquet")
    return dict(zip(table["article_key"], table["change"], strict=True))


def test_a_second_run_marks_each_article_new_updated_or_unchanged(tmp_path: Path) -> None:
    one, two = build_record(n=1), build_record(n=2)
    publish(tmp_path, "r1", [one, two])
    second = publish(tmp_path, "r2", [one, replace(two, content_hash="edited"), build_record(n=3)],
                     latest="r1")
    assert articles(second) == {"demo:1": "unchanged", "demo:2": "updated", "demo:3": "new"}
    assert articles(second / "changes") == {"demo:2": "updated", "demo:3": "new"}


def test_a_run_where_every_article_changed_links_its_change_set_instead_of_copying_it(
        tmp_path: Path) -> None:
    first = publish(tmp_path, "r1", [build_record(n=1), build_record(n=2)])
    for name in ("articles.parquet", "sections.parquet", "removed.parquet"):
        assert (first / "changes" / name).stat().st_ino == (first / name).stat().st_ino
    assert not (first / "changes" / "duplicates.parquet").exists()


def test_a_page_found_unchanged_without_fetching_is_carried_over(tmp_path: Path) -> None:
    one, two = build_record(n=1), build_record(n=2)
    publish(tmp_path, "r1", [one, two])
    second = publish(tmp_path, "r2", [two], seen=(one.canonical_url,), latest="r1")
    assert articles(second) == {"demo:1": "unchanged", "demo:2": "unchanged"}
    assert pd.read_parquet(second / "sections.parquet")["article_key"].nunique() == 2


@pytest.mark.parametrize("from_publication", [True, False])
def test_an_article_carried_over_then_fetched_under_another_url_is_published_once_as_fetched(
        tmp_path: Path, from_publication: bool) -> None:
    one = build_record(n=1)
    first = publish(tmp_path, "r1", [one], formats=("csv", "parquet"))
    if not from_publication:
        (first / MANIFEST).unlink()
    moved = replace(one, url="https://demo.test/p/1-renamed.html", canonical_url="https://demo.test/p/1-renamed.html",
                    content_hash="edited", title="Article 1, edited")
    writer = TableWriter()
    writer(OpenTables("r2", DestinationOptions(tmp_path, ("csv", "parquet"), 100),
                      state=StateParams(tmp_path / "state", "r2", 1, "r1")))
    folder = tmp_path / "runs" / ".tmp-r2"
    writer(MarkSeen((one.canonical_url,)))
    writer(WriteRecord(moved, None, Validators(moved.canonical_url)))
    writer(CloseTables({}, True, {}))
    assert writer.from_previous == ({"demo:1"} if from_publication else set())
    for read in (pd.read_parquet, pd.read_csv):
        table = read(folder / f"articles.{read.__name__.removeprefix('read_')}")
        assert table[["title", "change"]].values.tolist() == [["Article 1, edited", "updated"]]
        assert len(read(folder / f"sections.{read.__name__.removeprefix('read_')}")) == len(moved.sections)


def test_the_carried_over_tables_join_the_runs_and_leave_no_folder_behind(tmp_path: Path) -> None:
    one, two = build_record(n=1), build_record(n=2)
    publish(tmp_path, "r1", [one, two])
    second = publish(tmp_path, "r2", [], seen=(one.canonical_url, two.canonical_url), latest="r1")
    assert list(pd.read_parquet(second / "articles.parquet")["article_key"]) == ["demo:1", "demo:2"]
    assert sorted(path.name for path in second.iterdir() if path.name.startswith(".")) == []


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_an_article_carried_from_the_last_publication_reads_as_one_carried_from_its_record(
        tmp_path: Path, fmt: str) -> None:
    formats = ("csv", "parquet", "jsonl")
    one, two = build_record(n=1), build_record(n=2)
    first = publish(tmp_path, "r1", [one, two], formats=formats)
    from_publication = publish(tmp_path, "r2", [], seen=(one.canonical_url, two.canonical_url), latest="r1",
                               formats=formats)
    (first / MANIFEST).unlink()  # the publication no longer says what it holds: records it is
    from_records = publish(tmp_path, "r3", [], seen=(one.canonical_url, two.canonical_url), latest="r1",
                           formats=formats)
    for name in [f"{table.name}.{fmt}" for table in ARTICLE_TABLES] if fmt != "jsonl" else ["articles.jsonl"]:
        assert (from_publication / name).read_bytes() == (from_records / name).read_bytes(), name


def test_articles_carried_from_the_last_publication_count_in_the_runs_coverage(tmp_path: Path) -> None:
    bare = replace(build_record(n=2), symptoms=None, prevention=[], recommendations=[])
    records = [build_record(n=1), bare]
    publish(tmp_path, "r1", records)
    writer = TableWriter()
    writer(OpenTables("r2", DestinationOptions(tmp_path, ("parquet",), 100),
                      state=StateParams(tmp_path / "state", "r2", 1, "r1")))
    writer(MarkSeen(tuple(record.canonical_url for record in records)))
    carried = writer(CloseTables({}, True, {}))["coverage"]
    expected = Coverage()
    for record in records:
        expected.add(record)
    assert carried == expected.shares()
    assert writer.from_previous == {"demo:1", "demo:2"}


def test_a_published_article_that_is_gone_or_no_longer_met_is_removed(tmp_path: Path) -> None:
    one, two, three = build_record(n=1), build_record(n=2), build_record(n=3)
    publish(tmp_path, "r1", [one, two, three])
    second = publish(tmp_path, "r2", [one], gone=(two.canonical_url,), latest="r1")
    removed = pd.read_parquet(second / "removed.parquet")
    assert dict(zip(removed["article_key"], removed["reason"], strict=True)) == {
        "demo:2": "gone", "demo:3": "missing"}
    assert set(removed["published_in"]) == {"r1"}


def copy_of(original: ArticleRecord, copy: ArticleRecord) -> dict[str, DuplicateRow]:
    """What the dedup stage reports of a copy of an earlier run's article (provisional)."""
    row = DuplicateRow(article_key=copy.article_key, url=copy.url, canonical_url=copy.canonical_url,
                       duplicate_of=original.article_key, reason="exact", similarity=1.0)
    return {copy.article_key: row}


def test_a_copy_of_an_earlier_article_still_on_the_site_is_retracted_as_its_duplicate(tmp_path: Path) -> None:
    one, copy = build_record(n=1), build_record(n=7)
    publish(tmp_path, "r1", [one])
    second = publish(tmp_path, "r2", [copy], seen=(one.canonical_url,), provisional=copy_of(one, copy),
                     latest="r1")
    assert articles(second) == {"demo:1": "unchanged"}
    assert list(pd.read_parquet(second / "duplicates.parquet")["article_key"]) == ["demo:7"]


def test_a_copy_of_an_earlier_article_that_left_the_site_is_kept_the_site_moved_it(tmp_path: Path) -> None:
    one, moved = build_record(n=1), build_record(n=7)
    publish(tmp_path, "r1", [one])
    second = publish(tmp_path, "r2", [moved], gone=(one.canonical_url,), provisional=copy_of(one, moved),
                     latest="r1")
    assert articles(second) == {"demo:7": "new"}
    assert list(pd.read_parquet(second / "removed.parquet")["article_key"]) == ["demo:1"]
