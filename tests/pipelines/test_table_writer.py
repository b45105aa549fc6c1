"""The table writer in a child process writes what the in-process one writes, through the
same messages, and a failure there still spoils the run."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from core.child import ChildProcess, Endpoint
from core.records import ArticleRecord
from pipelines.destinations.base import DestinationOptions
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
from tests.pipelines.conftest import build_record

ROW = DuplicateRow(article_key="demo:9", url="u", canonical_url="c", duplicate_of="demo:1",
                   reason="exact", similarity=1.0)
FORMATS = ("csv", "parquet", "jsonl")


def open_tables(folder: Path, formats: tuple[str, ...], row_group_size: int) -> OpenTables:
    """Open a run's tables to be published into ``folder``."""
    return OpenTables("run", DestinationOptions(folder, formats, row_group_size))


def fill(writer: Endpoint, folder: Path, records: list[ArticleRecord]) -> dict[str, int]:
    writer.call(open_tables(folder, FORMATS, 4))
    for record in records:
        writer.send(WriteRecord(record))
    writer.send(WriteDuplicate(ROW))
    writer.call(CloseTables())
    writer.call(RetractArticles({records[0].article_key: records[1].article_key}))
    counts: dict[str, int] = writer.call(CountRows())
    return counts


def test_child_process_writes_the_same_files_as_the_crawl_process(
    tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    remote, local = table_writer(in_child=True), table_writer(in_child=False)
    try:
        assert fill(remote, there, golden) == fill(local, here, golden)
    finally:
        remote.close()
    here, there = here / "runs" / ".tmp-run", there / "runs" / ".tmp-run"
    assert sorted(p.name for p in here.iterdir()) == sorted(p.name for p in there.iterdir())
    for path in here.iterdir():
        if path.suffix == ".parquet":
            assert pd.read_parquet(path).equals(pd.read_parquet(there / path.name))
        else:
            assert path.read_bytes() == (there / path.name).read_bytes()


def test_the_child_writes_and_retracts_every_format_without_loading_pandas(
    tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    writer = table_writer(in_child=True)
    try:
        counts = fill(writer, tmp_path, golden)
        libraries = Path(f"/proc/{writer._child.pid}/maps").read_text()  # type: ignore[attr-defined]
    finally:
        writer.close()
    assert counts["articles"] == len(golden) - 1
    assert "/pyarrow/" in libraries and "/pandas/" not in libraries


def test_a_failed_append_in_a_child_is_raised_by_the_next_waiting_call(tmp_path: Path) -> None:
    writer = table_writer(in_child=True)
    try:
        writer.call(open_tables(tmp_path, ("parquet",), 1))
        writer.send(WriteRecord(build_record(n=1, word_count="many")))  # not an int32: the row group fails
        writer.send(WriteRecord(build_record(n=2)))
        with pytest.raises(Exception, match="int"):
            writer.call(CloseTables())
    finally:
        writer.close()


def test_a_failed_append_in_process_is_raised_at_once(tmp_path: Path) -> None:
    writer = table_writer(in_child=False)
    writer.call(open_tables(tmp_path, ("parquet",), 1))
    with pytest.raises(Exception, match="int"):
        writer.send(WriteRecord(build_record(n=1, word_count="many")))
    writer.call(CloseTables())


def test_close_ends_the_child_process() -> None:
    writer = ChildProcess("pipelines.table_writer:child_writer")
    pid = writer._child.pid
    writer.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_child_that_cannot_create_the_files_fails_at_open(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("a file where the runs folder goes")
    writer = table_writer(in_child=True)
    try:
        with pytest.raises(FileExistsError):
            writer.call(open_tables(tmp_path, ("csv",), 10))
    finally:
        writer.close()


def test_a_message_before_open_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="before OpenTables"):
        table_writer(in_child=False).call(CountRows())


@pytest.mark.parametrize("in_child", [True, False], ids=["child", "in-process"])
def test_closing_tables_that_were_never_opened_is_harmless(in_child: bool) -> None:
    writer = table_writer(in_child)
    try:
        writer.call(CloseTables())  # what a run whose export folder could not be made does
    finally:
        writer.close()
