"""The CSV files load with the declared types, the same values as the Parquet files, with the
read arguments each publication ships in ``dictionary.json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from scrapy.crawler import Crawler

from core.records import Section
from pipelines.tables import SCHEMAS
from tests.pipelines.conftest import build_record
from tests.pipelines.test_export import run


@pytest.fixture
def published(crawler_factory: Callable[..., Crawler], tmp_path: Path) -> Path:
    """A publication whose values pandas and DuckDB guess wrong from CSV alone: a
    digits-only article id, an unnumbered section, empty section text, a datetime date."""
    odd = replace(build_record(n=2), article_id="007", published_at="2021-03-08T10:15",
                  sections=[Section(position=0, number=None, heading="Intro", kind="other", text="",
                                    items=[])])
    run(crawler_factory, tmp_path, [build_record(n=1), odd])
    return tmp_path / "latest"


def dictionary(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "dictionary.json").read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_pandas_reads_each_csv_as_the_parquet_file_with_the_shipped_arguments(published: Path,
                                                                             table: str) -> None:
    arguments = dictionary(published)["tables"][table]["csv"]["pandas"]
    from_csv = pd.read_csv(published / f"{table}.csv", **arguments)
    from_parquet = pd.read_parquet(published / f"{table}.parquet")
    for column in from_parquet.columns:
        csv_values = from_csv[column].tolist()
        if column in ("breadcrumbs", "parse_warnings"):
            csv_values = [json.loads(value) for value in csv_values]
            parquet_values = [list(value) for value in from_parquet[column]]
        elif column == "published_at":
            csv_values = [None if pd.isna(value) else value.date() for value in csv_values]
            parquet_values = from_parquet[column].tolist()
        else:
            csv_values = [None if pd.isna(value) else value for value in csv_values]
            parquet_values = [None if pd.isna(value) else value for value in from_parquet[column].tolist()]
        assert csv_values == parquet_values, column


def test_the_values_analysts_were_bitten_by_keep_their_types(published: Path) -> None:
    tables = dictionary(published)["tables"]
    articles = pd.read_csv(published / "articles.csv", **tables["articles"]["csv"]["pandas"])
    sections = pd.read_csv(published / "sections.csv", **tables["sections"]["csv"]["pandas"])
    assert articles["article_id"].tolist() == ["1", "007"]
    assert sections["number"].dtype == "string" and sections["text"].tolist()[-1] == ""


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_duckdb_reads_each_csv_with_the_parquet_files_types(published: Path, table: str) -> None:
    arguments = dictionary(published)["tables"][table]["csv"]["duckdb"]
    options = ", ".join(f"{name} = {value!r}" if not isinstance(value, dict) else
                        f"{name} = {{{', '.join(f'{k!r}: {v!r}' for k, v in value.items())}}}"
                        for name, value in arguments.items())
    from_csv = duckdb.sql(f"SELECT * FROM read_csv('{published / f'{table}.csv'}', {options})")
    from_parquet = duckdb.sql(f"SELECT * FROM '{published / f'{table}.parquet'}'")
    lists = {"breadcrumbs", "parse_warnings"}
    assert [t for n, t in zip(from_csv.columns, from_csv.types, strict=True) if n not in lists] == [
        t for n, t in zip(from_parquet.columns, from_parquet.types, strict=True) if n not in lists]
    kept = [n for n in from_csv.columns if n not in lists]
    assert from_csv.select(*kept).fetchall() == from_parquet.select(*kept).fetchall()


def test_each_publication_ships_its_data_dictionary(published: Path) -> None:
    tables = dictionary(published)["tables"]
    assert list(tables) == list(SCHEMAS)
    published_at = next(c for c in tables["articles"]["columns"] if c["name"] == "published_at")
    assert published_at["type"] == "date32[day]" and published_at["postgres_type"] == "date"
    assert published_at["meaning"].startswith("the publication date")
