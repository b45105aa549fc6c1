"""The table set served by its own process writes what the in-process one writes, and a
failure there still spoils the run."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from core.records import ArticleRecord
from pipelines.tables import DuplicateRow
from pipelines.tableset import TableSet
from pipelines.tableset_process import TableSetProcess
from tests.pipelines.conftest import build_record

ROW = DuplicateRow(article_key="demo:9", url="u", canonical_url="c", duplicate_of="demo:1",
                   reason="exact", similarity=1.0)


def fill(tables: TableSet | TableSetProcess, records: list[ArticleRecord]) -> dict[str, int]:
    tables.open()
    for record in records:
        tables.write_record(record)
    tables.write_duplicate(ROW)
    tables.close()
    tables.retract({records[0].article_key: records[1].article_key})
    return tables.row_counts()


def test_child_process_writes_the_same_files_as_the_crawl_process(
    tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    remote = TableSetProcess(there, ["csv", "parquet", "jsonl"], row_group_size=4)
    try:
        assert fill(remote, golden) == fill(TableSet(here, ["csv", "parquet", "jsonl"], 4), golden)
    finally:
        remote.shutdown()
    assert sorted(p.name for p in here.iterdir()) == sorted(p.name for p in there.iterdir())
    for path in here.iterdir():
        if path.suffix == ".parquet":
            assert pd.read_parquet(path).equals(pd.read_parquet(there / path.name))
        else:
            assert path.read_bytes() == (there / path.name).read_bytes()


def test_failed_append_is_raised_by_close(tmp_path: Path) -> None:
    remote = TableSetProcess(tmp_path, ["parquet"], row_group_size=1)
    try:
        remote.open()
        remote.write_record(build_record(n=1, word_count="many"))  # not an int32: the row group fails
        with pytest.raises(Exception, match="int"):
            remote.close()
    finally:
        remote.shutdown()


def test_shutdown_ends_the_child_process(tmp_path: Path) -> None:
    remote = TableSetProcess(tmp_path, ["csv"])
    pid = remote._child.pid
    remote.shutdown()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_bad_row_group_size_is_refused_before_any_child_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="row_group_size"):
        TableSetProcess(tmp_path, ["csv"], row_group_size=0)



def test_a_child_that_cannot_create_the_files_fails_at_open(tmp_path: Path) -> None:
    remote = TableSetProcess(tmp_path / "missing", ["csv"])
    with pytest.raises(FileNotFoundError):
        remote.open()
    remote.shutdown()
