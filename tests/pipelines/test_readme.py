"""exports/README.md documents every column of every table schema, with its type, in order."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest

from pipelines.dictionary import column_meanings
from pipelines.tables import SCHEMAS, TABLES, Column, table_schema

README = Path(__file__).resolve().parents[2] / "exports" / "README.md"
_TABLE_HEADING = re.compile(r"^### `(\w+)`$", re.MULTILINE)
_COLUMN_ROW = re.compile(r"^\| `(\w+)` \| `([^`]+)` \|", re.MULTILINE)


def documented_columns(text: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """(column name, documented type) in README order, per table section of the README
    (or of ``text``)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    headings = list(_TABLE_HEADING.finditer(text))
    tables = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else len(text)]
        tables[heading.group(1)] = _COLUMN_ROW.findall(body)
    return tables


def schema_columns(schema: pa.Schema) -> list[tuple[str, str]]:
    return [(field.name, str(field.type)) for field in schema]


def test_readme_documents_every_table() -> None:
    assert list(documented_columns()) == list(SCHEMAS)


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_readme_documents_every_column_with_its_type(table: str) -> None:
    assert documented_columns()[table] == schema_columns(SCHEMAS[table])


def test_a_missing_or_extra_readme_line_is_caught() -> None:
    text = README.read_text(encoding="utf-8")
    line = re.search(r"^\| `site` \| .*\n", text, re.MULTILINE)
    assert line is not None
    expected = schema_columns(SCHEMAS["articles"])
    assert documented_columns(text.replace(line.group(), ""))["articles"] != expected
    extra = line.group() + "| `extra` | `string` | not a column | `x` |\n"
    assert documented_columns(text.replace(line.group(), extra))["articles"] != expected


def test_a_declared_column_without_its_readme_line_is_caught() -> None:
    # Adding a column to pipelines/tables.py alone is not enough: the data dictionary must follow.
    articles = TABLES[0]
    wider = replace(articles, columns=(*articles.columns, Column("extra", pa.string(), lambda r: r.site)))
    assert documented_columns()[articles.name] != schema_columns(table_schema(wider))


def test_the_shipped_dictionary_says_what_the_readme_says() -> None:
    text = README.read_text(encoding="utf-8")
    headings = list(_TABLE_HEADING.finditer(text))
    readme = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else len(text)]
        meaning = r"^\| `(\w+)` \| `[^`]+` \| (.*?) \| .*? \|$"
        readme[heading.group(1)] = dict(re.findall(meaning, body, re.MULTILINE))
    assert column_meanings() == readme
