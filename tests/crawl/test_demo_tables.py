"""The published tables of the demo crawl, read back the way analysts read them:
pandas and DuckDB, Parquet and CSV."""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.crawl.demo_run import DemoCrawl

TABLES = ("articles", "sections", "prevention", "recommendations", "duplicates")
CHILD_TABLES = ("sections", "prevention", "recommendations")


def parquet(demo_crawl: DemoCrawl, table: str) -> pd.DataFrame:
    return pd.read_parquet(demo_crawl.published / f"{table}.parquet")


def sql(demo_crawl: DemoCrawl, query: str) -> list[tuple[object, ...]]:
    folder = demo_crawl.published
    with duckdb.connect() as con:
        for table in TABLES:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder / table}.parquet')")
        return con.execute(query).fetchall()


@pytest.mark.parametrize("table", TABLES)
def test_csv_and_parquet_have_the_same_columns_and_rows(demo_crawl: DemoCrawl, table: str) -> None:
    frame = parquet(demo_crawl, table)
    with open(demo_crawl.published / f"{table}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(frame.columns)
    assert len(rows) - 1 == len(frame)


def test_parquet_columns_have_real_types(demo_crawl: DemoCrawl) -> None:
    articles = pq.read_schema(demo_crawl.published / "articles.parquet")
    assert str(articles.field("word_count").type) == "int32"
    assert str(articles.field("http_status").type) == "int32"
    assert str(articles.field("fetched_at").type) == "timestamp[us, tz=UTC]"
    recommendations = pq.read_schema(demo_crawl.published / "recommendations.parquet")
    assert str(recommendations.field("truncated").type) == "bool"
    assert pq.read_schema(demo_crawl.published / "duplicates.parquet").field("similarity").type == "double"


def test_parquet_metadata_carries_the_schema_version(demo_crawl: DemoCrawl) -> None:
    metadata = pq.read_schema(demo_crawl.published / "articles.parquet").metadata
    assert metadata[b"schema_version"] == b"1"


def test_article_rows_match_the_truth_count(demo_crawl: DemoCrawl) -> None:
    unique = sum(1 for r in demo_crawl.truth_records() if r["kind"] in ("original", "orphan"))
    assert len(parquet(demo_crawl, "articles")) == unique
    assert demo_crawl.run.manifest["row_counts"]["articles"] == unique


def test_child_row_counts_match_the_truth(demo_crawl: DemoCrawl) -> None:
    kept = [r["expected"] for r in demo_crawl.truth_records() if r["kind"] in ("original", "orphan")]
    assert len(parquet(demo_crawl, "sections")) == sum(len(r["sections"]) for r in kept)
    assert len(parquet(demo_crawl, "prevention")) == sum(len(r["prevention"]) for r in kept)
    assert len(parquet(demo_crawl, "recommendations")) == sum(len(r["recommendations"]) for r in kept)


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_child_tables_join_to_articles_on_article_key(demo_crawl: DemoCrawl, table: str) -> None:
    orphans = sql(demo_crawl, f"SELECT count(*) FROM {table} c ANTI JOIN articles a USING (article_key)")
    assert orphans == [(0,)]


def test_article_keys_are_unique(demo_crawl: DemoCrawl) -> None:
    assert sql(demo_crawl, "SELECT count(*) = count(DISTINCT article_key) FROM articles") == [(True,)]


def test_every_truth_duplicate_is_in_duplicates_and_nowhere_else(demo_crawl: DemoCrawl) -> None:
    copies = {d["url"]: d for d in demo_crawl.truth.iter_duplicates() if d["reason"] != "url"}
    rows = parquet(demo_crawl, "duplicates").set_index("url")
    assert set(rows.index) == set(copies)
    keys = {demo_crawl.canonical(r["url"]): f"demo:{r['article_id']}" for r in demo_crawl.truth_records()}
    for url, truth in copies.items():
        assert rows.loc[url, "reason"] == truth["reason"]
        assert rows.loc[url, "duplicate_of"] == keys[demo_crawl.canonical(truth["duplicate_of"])]
    published = set(parquet(demo_crawl, "articles")["url"])
    assert not published & set(copies)


def test_duckdb_reads_the_csv_export_too(demo_crawl: DemoCrawl) -> None:
    path = demo_crawl.published / "articles.csv"
    with duckdb.connect() as con:
        count = con.execute(f"SELECT count(*) FROM read_csv_auto('{path}')").fetchone()
    assert count == (len(parquet(demo_crawl, "articles")),)
