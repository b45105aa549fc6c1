"""A run's tables are published in a stable row order (``tables.ROW_ORDER``: by
``article_key``, then position), whatever order the crawl met the articles in: two runs
over the same site write the same files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from core.records import SCHEMA_VERSION, ArticleRecord
from pipelines.destinations.base import RunInfo
from pipelines.destinations.files import FileTables
from pipelines.dictionary import data_dictionary
from pipelines.row_order import CHUNK_ROWS, in_order, json_key, lines_in_order
from pipelines.tables import ROW_ORDER, SCHEMAS, DuplicateRow, record_to_rows
from pipelines.tableset import TableSet


def finished_run(folder: Path, records: list[ArticleRecord]) -> Path:
    folder.mkdir()
    tables = TableSet(folder, ["csv", "parquet", "jsonl"])
    tables.open()
    for record in records:
        tables.write_record(record)
        tables.write_duplicate(DuplicateRow(article_key=f"{record.article_key}-copy", url=record.url,
                                            canonical_url=record.canonical_url,
                                            duplicate_of=record.article_key, reason="exact", similarity=1.0))
    tables.close()
    tables.retract({})
    return folder


def test_every_table_is_in_its_row_order_whatever_order_the_articles_came_in(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    folder = finished_run(tmp_path / "run", golden[::-1])
    for table, keys in ROW_ORDER.items():
        for fmt in ("parquet", "csv"):
            path = folder / f"{table}.{fmt}"
            if not path.exists():
                continue
            rows = pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path, keep_default_na=False)
            assert rows.equals(rows.sort_values(list(keys), kind="stable").reset_index(drop=True)), path.name
    keys_in_jsonl = [json.loads(line)["article_key"] for line in (folder / "articles.jsonl").open()]
    assert keys_in_jsonl == sorted(record.article_key for record in golden)


def test_two_runs_meeting_the_same_articles_in_different_orders_write_the_same_files(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    shuffled = golden[:]
    random.Random(7).shuffle(shuffled)
    first, second = finished_run(tmp_path / "first", golden), finished_run(tmp_path / "second", shuffled)
    for path in sorted(first.iterdir()):
        if path.suffix == ".parquet":
            assert pq.read_table(path).equals(pq.read_table(second / path.name)), path.name
        else:
            assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_rows_are_sorted_across_many_chunks_and_rows_equal_in_their_keys_keep_their_order(
        tmp_path: Path) -> None:
    count = 3 * CHUNK_ROWS + 11
    keys = [f"k{random.Random(n).randrange(500):03d}" for n in range(count)]
    schema = pa.schema([("article_key", pa.string()), ("arrival", pa.int64())])
    batches = [pa.record_batch([keys[start:start + 1000], list(range(start, min(start + 1000, count)))],
                               schema=schema) for start in range(0, count, 1000)]
    rows = pa.concat_tables(list(in_order(batches, schema, ("article_key",), tmp_path))).to_pylist()
    assert rows == sorted(({"article_key": k, "arrival": n} for n, k in enumerate(keys)),
                          key=lambda row: row["article_key"])
    assert list(tmp_path.iterdir()) == []  # the spill file is gone


def test_json_lines_are_sorted_by_article_key_keeping_the_order_of_equal_keys(tmp_path: Path) -> None:
    lines = [json.dumps({"article_key": key, "n": n}).encode() + b"\n" for n, key in enumerate("cabca")]
    target = tmp_path / "out.jsonl"
    with target.open("wb") as out:
        lines_in_order(iter(lines), out, tmp_path)
    assert [json.loads(line)["n"] for line in target.open()] == [1, 4, 2, 0, 3]
    assert [path.name for path in tmp_path.iterdir()] == ["out.jsonl"]


def test_a_json_lines_key_is_read_as_json_reads_it_wherever_the_record_puts_it() -> None:
    read = json_key("article_key")
    for record in ({"article_key": 'a"b\\c\u00e9'}, {"n": 1, "article_key": "x:1"}, {"article_key": "中:2"}):
        assert read(json.dumps(record).encode()) == record["article_key"]
        assert read(json.dumps(record, ensure_ascii=False).encode()) == record["article_key"]


def test_the_shipped_dictionary_gives_each_tables_row_order() -> None:
    assert {table: entry["row_order"] for table, entry in data_dictionary()["tables"].items()} == {
        table: list(keys) for table, keys in ROW_ORDER.items()}


def test_ordered_parquet_files_keep_the_runs_row_group_size(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    tables = TableSet(tmp_path, ["parquet"], row_group_size=4)
    tables.open()
    for record in golden[::-1]:
        tables.write_record(record)
    tables.close()
    tables.retract({})
    metadata = pq.ParquetFile(tmp_path / "sections.parquet").metadata
    sizes = [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]
    assert sizes[:-1] == [4] * (len(sizes) - 1) and 0 < sizes[-1] <= 4 and len(sizes) > 2


def test_tables_written_whole_to_the_files_destination_are_published_in_row_order(
        tmp_path: Path, golden: list[ArticleRecord]) -> None:
    files = FileTables(tmp_path, ("csv", "parquet"), 100)
    files.open(RunInfo("whole", SCHEMA_VERSION))
    rows = [row for record in golden[::-1] for row in record_to_rows(record, "new")["sections"]]
    files.write("sections", pa.Table.from_pylist(rows, schema=SCHEMAS["sections"]))
    published = Path(files.commit({"run_id": "whole"}))
    keys = pd.read_parquet(published / "sections.parquet")[["article_key", "position"]]
    assert keys.equals(keys.sort_values(["article_key", "position"]).reset_index(drop=True))
