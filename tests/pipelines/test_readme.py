"""exports/README.md documents every column of every table schema, with its type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.tables import SCHEMAS

README = Path(__file__).resolve().parents[2] / "exports" / "README.md"
_TABLE_HEADING = re.compile(r"^### `(\w+)`$", re.MULTILINE)
_COLUMN_ROW = re.compile(r"^\| `(\w+)` \| `([^`]+)` \|", re.MULTILINE)


def documented_columns() -> dict[str, dict[str, str]]:
    """Column name to documented type, per table section of the README."""
    text = README.read_text(encoding="utf-8")
    headings = list(_TABLE_HEADING.finditer(text))
    tables = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else len(text)]
        tables[heading.group(1)] = dict(_COLUMN_ROW.findall(body))
    return tables


def test_readme_documents_every_table() -> None:
    assert set(documented_columns()) == set(SCHEMAS)


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_readme_documents_every_column_with_its_type(table: str) -> None:
    schema = SCHEMAS[table]
    expected = {field.name: str(field.type) for field in schema}
    assert documented_columns()[table] == expected
