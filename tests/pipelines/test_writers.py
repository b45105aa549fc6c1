"""Table writers: one contract for CSV and Parquet, then what each format adds."""

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

from pipelines.tables import SCHEMAS, Row
from pipelines.writers import (
    BufferedWriter,
    CsvWriter,
    JsonLinesWriter,
    ParquetWriter,
    RowSelection,
    SharedRowGroups,
    TableWriter,
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


class WriterContract:
    """What every table writer guarantees; subclasses say how to make and read one."""

    def make(self, folder: Path) -> TableWriter:
        raise NotImplementedError

    def read(self, path: Path) -> pd.DataFrame:
        raise NotImplementedError

    def write(self, folder: Path, data: list[Row], schema: pa.Schema = SCHEMA) -> TableWriter:
        writer = self.make(folder)
        writer.open(schema)
        writer.write(data)
        writer.close()
        return writer

    def test_columns_are_the_schema_names_in_order(self, tmp_path: Path) -> None:
        writer = self.write(tmp_path, rows(3))
        assert list(self.read(writer.path).columns) == SCHEMA.names

    def test_empty_table_still_has_its_columns(self, tmp_path: Path) -> None:
        writer = self.write(tmp_path, [])
        frame = self.read(writer.path)
        assert (list(frame.columns), len(frame)) == (SCHEMA.names, 0)

    def test_rows_come_back_in_order(self, tmp_path: Path) -> None:
        writer = self.write(tmp_path, rows(5))
        frame = self.read(writer.path)
        assert frame["key"].tolist() == [f"k{i}" for i in range(5)]
        assert frame["position"].tolist() == list(range(5))

    def test_null_reads_back_as_missing(self, tmp_path: Path) -> None:
        frame = self.read(self.write(tmp_path, rows(2)).path)
        assert frame["note"].isna().tolist() == [False, True]

    def test_rows_written_counts_every_row(self, tmp_path: Path) -> None:
        writer = self.make(tmp_path)
        writer.open(SCHEMA)
        writer.write(rows(2))
        writer.write(rows(3))
        writer.close()
        assert writer.rows_written == 5

    def test_duckdb_reads_the_file(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, rows(4)).path
        assert duckdb.sql(f"select count(*), sum(position) from '{path}'").fetchall() == [(4, 6)]

    def test_appending_another_folders_file_leaves_out_the_given_articles(self, tmp_path: Path) -> None:
        other = tmp_path / "other"
        other.mkdir()
        self.write(other, [{**row, "article_key": row["key"]} for row in rows(4)], KEYED)
        writer = self.make(tmp_path)
        writer.open(KEYED)
        writer.write([{**rows(1)[0], "key": "first", "article_key": "first"}])
        appended = writer.append_from(other, RowSelection({"k1", "k2"}))
        writer.close()
        frame = self.read(writer.path)
        assert (appended, writer.rows_written) == (2, 3)
        assert frame["key"].tolist() == ["first", "k0", "k3"]
        assert frame["note"].isna().tolist() == [False, False, True]

    def test_appending_only_the_given_articles_can_rewrite_their_change(self, tmp_path: Path) -> None:
        other = tmp_path / "other"
        other.mkdir()
        schema = KEYED.append(pa.field("change", pa.string(), nullable=False))
        self.write(other, [{**row, "article_key": row["key"], "change": "new"} for row in rows(3)], schema)
        writer = self.make(tmp_path)
        writer.open(schema)
        writer.append_from(other, RowSelection({"k2", "k0"}, only=True, change="unchanged"))
        writer.close()
        frame = self.read(writer.path)
        assert frame[["key", "change"]].values.tolist() == [["k0", "unchanged"], ["k2", "unchanged"]]


class TestCsvWriter(WriterContract):
    def make(self, folder: Path) -> TableWriter:
        return CsvWriter(folder / "t.csv")

    def read(self, path: Path) -> pd.DataFrame:
        return pd.read_csv(path)


class TestParquetWriter(WriterContract):
    def make(self, folder: Path) -> TableWriter:
        return ParquetWriter(folder / "t.parquet", row_group_size=2)

    def read(self, path: Path) -> pd.DataFrame:
        return pd.read_parquet(path)


def test_parquet_columns_have_real_types(tmp_path: Path) -> None:
    writer = ParquetWriter(tmp_path / "t.parquet")
    writer.open(SCHEMA)
    writer.write(rows(3))
    writer.close()
    schema = pq.read_schema(writer.path)
    assert [str(t) for t in schema.types] == [
        "string",
        "int32",
        "string",
        "bool",
        "list<element: string>",
        "timestamp[us, tz=UTC]",
    ]
    frame = pd.read_parquet(writer.path)
    assert str(frame["at"].dtype).startswith("datetime64") and frame["flag"].dtype == bool


def test_parquet_writer_holds_at_most_one_row_group_in_memory(tmp_path: Path) -> None:
    writer = ParquetWriter(tmp_path / "t.parquet", row_group_size=10)
    writer.open(SCHEMA)
    for row in rows(25):
        writer.write([row])
        assert writer.buffered_rows < 10
    assert writer.row_groups_written == 2
    writer.close()
    assert pq.ParquetFile(writer.path).metadata.num_row_groups == 3


def test_parquet_file_carries_the_schema_version(tmp_path: Path) -> None:
    writer = ParquetWriter(tmp_path / "duplicates.parquet")
    writer.open(SCHEMAS["duplicates"])
    writer.close()
    assert pq.read_schema(writer.path).metadata[b"schema_version"] == b"1"


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
    writer = CsvWriter(tmp_path / "t.csv")
    writer.open(schema)
    writer.write([{"title": "=1+1"}, {"title": "-2 cups"}])
    writer.close()
    with writer.path.open(encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == [["title"], ["'=1+1"], ["'-2 cups"]]
    assert pd.read_csv(writer.path)["title"].tolist() == ["'=1+1", "'-2 cups"]


def test_csv_writes_lists_as_json_and_booleans_as_words(tmp_path: Path) -> None:
    writer = CsvWriter(tmp_path / "t.csv")
    writer.open(SCHEMA)
    writer.write(rows(1))
    writer.close()
    with writer.path.open(encoding="utf-8", newline="") as file:
        cells = list(csv.reader(file))[1]
    assert cells == ["k0", "0", "n0", "true", '["t0"]', "2024-05-02T10:00:00+00:00"]


def test_csv_tells_empty_text_from_null(tmp_path: Path) -> None:
    schema = pa.schema([pa.field("summary", pa.string()), pa.field("n", pa.int32())])
    writer = CsvWriter(tmp_path / "t.csv")
    writer.open(schema)
    writer.write([{"summary": "", "n": 1}, {"summary": None, "n": 2}])
    writer.close()
    assert writer.path.read_bytes().split(b"\r\n")[1:3] == [b'"",1', b",2"]


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


def test_shared_row_groups_write_the_same_files_as_each_writer_alone(tmp_path: Path) -> None:
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    alone.mkdir(), shared.mkdir()
    writers: list[BufferedWriter] = [CsvWriter(shared / "t.csv", 3), ParquetWriter(shared / "t.parquet", 3)]
    group = SharedRowGroups(writers, row_group_size=3)
    group.open(SCHEMA)
    for row in rows(7):
        group.write([row])
    group.close()
    for writer in (CsvWriter(alone / "t.csv", 3), ParquetWriter(alone / "t.parquet", 3)):
        writer.open(SCHEMA)
        writer.write(rows(7))
        writer.close()
    assert (shared / "t.csv").read_bytes() == (alone / "t.csv").read_bytes()
    assert pq.read_table(shared / "t.parquet").equals(pq.read_table(alone / "t.parquet"))
    assert pq.ParquetFile(shared / "t.parquet").metadata.num_row_groups == 3
    assert (group.rows_written, group.row_groups_written) == (7, 3)
