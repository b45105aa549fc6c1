"""Retraction rewrites a run's files without the superseded articles, in the same form."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from core.records import ArticleRecord
from pipelines.retract import resolve, retract
from pipelines.tables import SCHEMAS
from pipelines.tableset import TableSet
from pipelines.writers import read_csv_batches
from tests.pipelines.conftest import build_record
from tests.pipelines.test_key_collisions import hang_guard


def write_run(folder: Path, records: list[ArticleRecord]) -> None:
    tables = TableSet(folder, ["csv", "parquet"])
    tables.open()
    for record in records:
        tables.write_record(record)
    tables.close()


def in_row_order(records: list[ArticleRecord]) -> list[ArticleRecord]:
    return sorted(records, key=lambda record: record.article_key)


def test_retracting_nothing_leaves_csv_files_of_ordered_rows_byte_identical(
    tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    write_run(tmp_path, in_row_order(golden))
    before = {path.name: path.read_bytes() for path in tmp_path.glob("*.csv")}
    retract(tmp_path, {"no-such:article": golden[0].article_key})
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.csv")} == before


def test_retracted_csv_keeps_every_other_cell_as_written(
    tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    write_run(tmp_path, in_row_order(golden))
    gone = golden[0].article_key

    def cells(table: str) -> list[dict[str, object]]:
        batches = read_csv_batches(tmp_path / f"{table}.csv", SCHEMAS[table])
        return pa.Table.from_batches(list(batches)).to_pylist()

    before = {table: cells(table) for table in ("articles", "sections")}
    retract(tmp_path, {gone: golden[1].article_key})
    for table, rows in before.items():
        assert cells(table) == [row for row in rows if row["article_key"] != gone]
    assert any(None in row.values() for row in before["articles"])  # there were nulls to keep


def test_retraction_reads_multi_line_cells_across_csv_blocks(tmp_path: Path) -> None:
    # pyarrow reads CSV in blocks of about 1 MB: this file spans several, with a line
    # break inside quoted cells everywhere.
    records = [build_record(n=n, summary="first paragraph\n\nsecond " + "word " * 200)
               for n in range(1, 1500)]
    write_run(tmp_path, records)
    retract(tmp_path, {records[0].article_key: records[1].article_key})
    assert len(pd.read_csv(tmp_path / "articles.csv")) == len(records) - 1


def test_resolving_successors_that_loop_ends_at_the_key_itself() -> None:
    with hang_guard():
        assert resolve({"a": "a"}, "a") == "a"
        assert resolve({"a": "b", "b": "c", "c": "b"}, "a") == "a"
    assert resolve({"a": "b", "b": "c"}, "a") == "c"


def test_an_article_named_its_own_successor_is_not_retracted(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    write_run(tmp_path, golden[:2])
    with hang_guard():
        retract(tmp_path, {golden[0].article_key: golden[0].article_key})
    assert len(pd.read_csv(tmp_path / "articles.csv")) == 2


def spooled_run(folder: Path, records: list[ArticleRecord]) -> TableSet:
    folder.mkdir()
    tables = TableSet(folder, ["csv", "parquet", "jsonl"], row_group_size=7)
    tables.open()
    for record in reversed(records):
        tables.write_record(record)
    return tables


def test_a_run_closed_with_its_successors_writes_the_files_a_later_retraction_would(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    successors = {golden[0].article_key: golden[1].article_key, golden[2].article_key: golden[3].article_key}
    at_close, later = spooled_run(tmp_path / "at_close", golden), spooled_run(tmp_path / "later", golden)
    at_close.close(successors)
    later.close()
    later.retract(successors)
    for path in sorted((tmp_path / "later").iterdir()):
        if path.suffix == ".parquet":
            same = pq.read_table(tmp_path / "at_close" / path.name)
            assert pq.read_table(path).equals(same, check_metadata=True), path.name
        else:
            assert path.read_bytes() == (tmp_path / "at_close" / path.name).read_bytes(), path.name
    assert at_close.row_counts() == later.row_counts()
    assert at_close.row_counts()["articles"] == len(golden) - 2


def test_retracting_what_the_close_left_out_rewrites_no_file(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    successors = {golden[0].article_key: golden[1].article_key}
    tables = spooled_run(tmp_path / "run", golden)
    tables.close(successors)
    written = {path.name: path.stat().st_ino for path in (tmp_path / "run").iterdir()}
    assert tables.retract(successors) == {}
    assert {path.name: path.stat().st_ino for path in (tmp_path / "run").iterdir()} == written


def test_a_sealed_run_writes_no_table_file(tmp_path: Path, golden: list[ArticleRecord]) -> None:
    tables = spooled_run(tmp_path / "run", golden)
    tables.seal()
    assert sorted(path.name for path in (tmp_path / "run").iterdir() if path.is_file()) == ["articles.jsonl"]
