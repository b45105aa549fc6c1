"""Loading the golden pairs of ``tests/fixtures/golden`` (one HTML page, one expected record)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from core.records import ArticleRecord
from crawler.parsing import parse_article
from tests.conftest import GOLDEN

RUN_DEPENDENT = ("article_key", "site", "url", "fetched_at", "http_status", "content_hash",
                 "word_count")
"""Record fields the golden JSON leaves out: they depend on fetching or on the run."""


@dataclass(frozen=True)
class GoldenPage:
    name: str
    html: bytes
    url: str
    notes: str
    expected: dict[str, Any]


def golden_names() -> list[str]:
    return sorted(p.stem for p in GOLDEN.glob("*.json"))


@cache
def golden_page(name: str) -> GoldenPage:
    spec = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    html = (GOLDEN / f"{name}.html").read_bytes()
    return GoldenPage(name, html, spec["url"], spec.get("_notes", ""), spec["expected"])


@cache
def parsed(name: str) -> ArticleRecord:
    page = golden_page(name)
    return parse_article(page.html, page.url)


def golden_cases() -> list[tuple[str, str]]:
    """(page, field) pairs, one test each."""
    return [(name, field) for name in golden_names() for field in golden_page(name).expected]


def load_html(path: Path) -> bytes:
    return path.read_bytes()
