"""What a run publishes against the last one, in the table writer with a state store:
the change of each article, what is carried over, what is removed, and copies of an
earlier run's articles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from core.records import ArticleRecord, Validators
from pipelines.table_writer import (
    CloseTables,
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
from pipelines.tables import DuplicateRow
from tests.pipelines.conftest import build_record


def publish(tmp_path: Path, run_id: str, records: list[ArticleRecord], *, seen: tuple[str, ...] = (),
            gone: tuple[str, ...] = (), provisional: dict[str, DuplicateRow] | None = None,
            latest: str | None = None) -> Path:
    """One run through the table writer, committed; returns its folder."""
    folder = tmp_path / run_id
    folder.mkdir()
    writer = TableWriter()
    writer(OpenTables(folder, ("parquet",), 100, StateParams(tmp_path / "state", run_id, 1, latest)))
    for record in records:
        writer(WriteRecord(record, None, Validators(record.canonical_url, f'"{record.content_hash}"')))
    writer(MarkSeen(seen))
    for url in gone:
        writer(MarkGone(url))
    closed = writer(CloseTables({}, True, provisional or {}))
    writer(RetractArticles(closed["retracted"]))
    writer(WriteChangeSet())
    writer(CommitState())
    return folder


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
