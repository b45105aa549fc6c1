"""Table files: one contract for CSV and Parquet (spooled, then written), then what each format adds."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.spool import SPOOL_DIR, TableSpool
from pipelines.tables import SCHEMAS, Row
from pipelines.writers import (
    DEFAULT_ROW_GROUP_SIZE,
    JsonLinesWriter,
    RowSelection,
    escape_formulas,
)

SCHEMA = pa.schema(
    [
        pa.field("key", pa.string(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("note", pa.string()),
        pa.field("flag", pa.bool_(), nullable=False),
        pa.field("tags", pa.list_(pa.string()), nullable=False),
        pa.field("at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
AT = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
KEYED = SCHEMA.append(pa.field("article_key", pa.string(), nullable=False))
"""A table of articles' rows, which an append can leave out by key."""


def table_file(folder: Path, fmt: str, data: list[Row], schema: pa.Schema = SCHEMA,
               row_group_size: int = DEFAULT_ROW_GROUP_SIZE, table: str = "t") -> Path:
    """The file of one table in ``fmt``, written from ``data`` the way a run writes it."""
    spool = TableSpool(folder, table, [fmt], row_group_size)
    spool.open(schema)
    spool.write(data)
    return finished(spool)[0]


def finished(spool: TableSpool) -> list[Path]:
    """Close ``spool`` and write its files (nothing to retract)."""
    spool.close()
    for fmt in spool.formats:
        spool.finish(fmt, {})
    return [spool.file(fmt) for fmt in spool.formats]


def rows(count: int) -> list[Row]:
    return [
        {
            "key": f"k{i}",
            "position": i,
            "note": None if i % 2 else f"n{i}",
            "flag": i % 2 == 0,
            "tags": [f"t{i}"],
            "at": AT,
        }
        for i in range(count)
    ]


class TableFileContract:
    """What every table file guarantees; subclasses name the format and how to read it."""

    fmt = ""

    def read(self, path: Path) -> pd.DataFrame:
        raise NotImplementedError

    def spool(self, folder: Path) -> TableSpool:
        return TableSpool(folder, "t", [self.fmt], row_group_size=2)

    def test_columns_are_the_schema_names_in_order(self, tmp_path: Path) -> None:
        assert list(self.read(table_file(tmp_path, self.fmt, rows(3))).columns) == SCHEMA.names

    def test_empty_table_still_has_its_columns(self, tmp_path: Path) -> None:
        frame = self.read(table_file(tmp_path, self.fmt, []))
        assert (list(frame.columns), len(frame)) == (SCHEMA.names, 0)

    def test_rows_come_back_in_order(self, tmp_path: Path) -> None:
        frame = self.read(table_file(tmp_path, self.fmt, rows(5), row_group_size=2))
        assert frame["key"].tolist() == [f"k{i}" for i in range(5)]
        assert frame["position"].tolist() == list(range(5))

    def test_null_reads_back_as_missing(self, tmp_path: Path) -> None:
        frame = self.read(table_file(tmp_path, self.fmt, rows(2)))
        assert frame["note"].isna().tolist() == [False, True]

    def test_rows_written_counts_every_row(self, tmp_path: Path) -> None:
        writer = self.spool(tmp_path)
        writer.open(SCHEMA)
        writer.write(rows(2))
        writer.write(rows(3))
        finished(writer)
        assert writer.rows_written == 5

    def test_duckdb_reads_the_file(self, tmp_path: Path) -> None:
        path = table_file(tmp_path, self.fmt, rows(4))
        assert duckdb.sql(f"select count(*), sum(position) from '{path}'").fetchall() == [(4, 6)]

    def test_the_file_is_written_once_the_spool_is_finished(self, tmp_path: Path) -> None:
        writer = self.spool(tmp_path)
        writer.open(SCHEMA)
        writer.write(rows(3))
        writer.close()
        assert not writer.file(self.fmt).exists()
        writer.finish(self.fmt, {})
        assert writer.file(self.fmt).exists() and not any((tmp_path / SPOOL_DIR).iterdir())

    def test_appending_another_folders_file_leaves_out_the_given_articles(self, tmp_path: Path) -> None:
        other = tmp_path / "other"
        other.mkdir()
        table_file(other, self.fmt, [{**row, "article_key": row["key"]} for row in rows(4)], KEYED)
        writer = self.spool(tmp_path)
        writer.open(KEYED)
        writer.write([{**rows(1)[0], "key": "first", "article_key": "first"}])
        appended = writer.append_from(other, RowSelection({"k1", "k2"}))
        frame = self.read(finished(writer)[0])
        assert (appended, writer.rows_written) == (2, 3)
        assert frame["key"].tolist() == ["first", "k0", "k3"]
        assert frame["note"].isna().tolist() == [False, False, True]

    def test_appending_only_the_given_articles_can_rewrite_their_change(self, tmp_path: Path) -> None:
        other = tmp_path / "other"
        other.mkdir()
        schema = KEYED.append(pa.field("change", pa.string(), nullable=False))
        table_file(other, self.fmt, [{**row, "article_key": row["key"], "change": "new"} for row in rows(3)],
                   schema)
        writer = self.spool(tmp_path)
        writer.open(schema)
        writer.append_from(other, RowSelection({"k2", "k0"}, only=True, change="unchanged"))
        frame = self.read(finished(writer)[0])
        assert frame[["key", "change"]].values.tolist() == [["k0", "unchanged"], ["k2", "unchanged"]]


class TestCsvFile(TableFileContract):
    fmt = "csv"

    def read(self, path: Path) -> pd.DataFrame:
        return pd.read_csv(path)


class TestParquetFile(TableFileContract):
    fmt = "parquet"

    def read(self, path: Path) -> pd.DataFrame:
        return pd.read_parquet(path)


def test_parquet_columns_have_real_types(tmp_path: Path) -> None:
    path = table_file(tmp_path, "parquet", rows(3))
    schema = pq.read_schema(path)
    assert [str(t) for t in schema.types] == [
        "string",
        "int32",
        "string",
        "bool",
        "list<element: string>",
        "timestamp[us, tz=UTC]",
    ]
    frame = pd.read_parquet(path)
    assert str(frame["at"].dtype).startswith("datetime64") and frame["flag"].dtype == bool


def test_a_spooled_table_holds_at_most_one_row_group_in_memory(tmp_path: Path) -> None:
    writer = TableSpool(tmp_path, "t", ["parquet"], row_group_size=10)
    writer.open(SCHEMA)
    for row in rows(25):
        writer.write([row])
        assert writer.buffered_rows < 10
    assert writer.row_groups_written == 2


def test_a_spooled_table_holds_at_most_a_batch_in_memory_whatever_its_row_groups(tmp_path: Path) -> None:
    writer = TableSpool(tmp_path, "t", ["parquet"], row_group_size=100_000)
    writer.open(SCHEMA)
    for row in rows(2_500):
        writer.write([row])
        assert writer.buffered_rows < 1_000


def test_parquet_row_groups_have_the_runs_size_whatever_was_spooled_at_a_time(tmp_path: Path) -> None:
    path = table_file(tmp_path, "parquet", rows(2_500), row_group_size=1_200)
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [1_200, 1_200, 100]


def test_parquet_file_carries_the_schema_version(tmp_path: Path) -> None:
    path = table_file(tmp_path, "parquet", [], SCHEMAS["duplicates"], table="duplicates")
    assert pq.read_schema(path).metadata[b"schema_version"] == b"1"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 tip", "'+1 tip"),
        ("-5 kg", "'-5 kg"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("a = b", "a = b"),
        ("", ""),
    ],
)
def test_formula_looking_text_gets_a_leading_apostrophe(text: str, cell: str) -> None:
    assert escape_formulas(pa.array([text, None])).to_pylist() == [cell, None]


def test_formula_escaping_keeps_every_other_cell_in_place() -> None:
    texts = ["tip", "=1+1", None, "-2 kg", "ok", ""]
    assert escape_formulas(pa.array(texts)).to_pylist() == ["tip", "'=1+1", None, "'-2 kg", "ok", ""]
    assert escape_formulas(pa.array([], pa.string())).to_pylist() == []
    assert escape_formulas(pa.array([None, None], pa.string())).to_pylist() == [None, None]


def test_formula_escaping_takes_a_chunked_column_chunk_by_chunk() -> None:
    texts = pa.chunked_array([["=1", "tip"], [None, "+2"]])
    assert escape_formulas(texts).to_pylist() == ["'=1", "tip", None, "'+2"]


def test_csv_cell_starting_with_equals_opens_as_text(tmp_path: Path) -> None:
    schema = pa.schema([pa.field("title", pa.string())])
    path = table_file(tmp_path, "csv", [{"title": "=1+1"}, {"title": "-2 cups"}], schema)
    with path.open(encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == [["title"], ["'=1+1"], ["'-2 cups"]]
    assert pd.read_csv(path)["title"].tolist() == ["'=1+1", "'-2 cups"]


def test_csv_writes_lists_as_json_and_booleans_as_words(tmp_path: Path) -> None:
    with table_file(tmp_path, "csv", rows(1)).open(encoding="utf-8", newline="") as file:
        cells = list(csv.reader(file))[1]
    assert cells == ["k0", "0", "n0", "true", '["t0"]', "2024-05-02T10:00:00+00:00"]


def test_csv_tells_empty_text_from_null(tmp_path: Path) -> None:
    schema = pa.schema([pa.field("summary", pa.string()), pa.field("n", pa.int32())])
    path = table_file(tmp_path, "csv", [{"summary": "", "n": 1}, {"summary": None, "n": 2}], schema)
    assert path.read_bytes().split(b"\r\n")[1:3] == [b'"",1', b",2"]


def test_json_lines_writer_keeps_nested_values(tmp_path: Path) -> None:
    writer = JsonLinesWriter(tmp_path / "a.jsonl")
    nested: dict[str, Any] = {"key": "k", "sections": [{"items": ["a", "b"]}]}
    writer.open(SCHEMA)
    writer.write([nested, nested])
    writer.close()
    assert [json.loads(line) for line in writer.path.read_text().splitlines()] == [nested, nested]


def test_json_lines_append_leaves_out_the_given_articles(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    source = JsonLinesWriter(other / "t.jsonl")
    source.open(SCHEMA)
    source.write([{"article_key": key} for key in ("a", "b", "c")])
    source.close()
    writer = JsonLinesWriter(tmp_path / "t.jsonl")
    writer.open(SCHEMA)
    assert writer.append_from(other, RowSelection({"b"})) == 2
    writer.close()
    assert [json.loads(line)["article_key"] for line in writer.path.read_text().splitlines()] == ["a", "c"]


def test_json_lines_append_of_only_the_given_articles_rewrites_their_change(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    source = JsonLinesWriter(other / "t.jsonl")
    source.open(SCHEMA)
    source.write([{"article_key": key, "change": "new", "title": "Ünïcode"} for key in ("a", "b")])
    source.close()
    writer = JsonLinesWriter(tmp_path / "t.jsonl")
    writer.open(SCHEMA)
    writer.append_from(other, RowSelection({"b"}, only=True, change="unchanged"))
    writer.close()
    assert [json.loads(line) for line in writer.path.read_text(encoding="utf-8").splitlines()] == [
        {"article_key": "b", "change": "unchanged", "title": "Ünïcode"}]


def test_a_table_spooled_in_both_formats_writes_the_same_files_as_each_format_alone(tmp_path: Path) -> None:
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    alone.mkdir(), shared.mkdir()
    both = TableSpool(shared, "t", ["csv", "parquet"], row_group_size=3)
    both.open(SCHEMA)
    for row in rows(7):
        both.write([row])
    finished(both)
    for fmt in ("csv", "parquet"):
        table_file(alone, fmt, rows(7), row_group_size=3)
    assert (shared / "t.csv").read_bytes() == (alone / "t.csv").read_bytes()
    assert pq.read_table(shared / "t.parquet").equals(pq.read_table(alone / "t.parquet"))
    assert pq.ParquetFile(shared / "t.parquet").metadata.num_row_groups == 3
    assert (both.rows_written, both.row_groups_written) == (7, 3)
