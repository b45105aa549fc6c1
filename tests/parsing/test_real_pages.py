"""The generic profile on real health pages (``tests/fixtures/real-pages``): headline, section
headings in order, prevention/tips items, as the pages' README decides them.

Headings are compared with their enumerators stripped on both sides: the README keeps
"1. Eat more protein" as the source has it, while the record's ``heading`` holds the text
without its enumerator (docs/record-contract.md, "The record"; the number goes to
``Section.number``). Nothing else is normalised away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from core.profiles.generic import GENERIC
from core.records import ArticleRecord
from crawler.parsing import parse_article
from crawler.parsing.enumerators import strip_enumerator
from tests.conftest import REAL_PAGES

PREFIX_PAGES = frozenset({"r04-wikihow-flat-stomach-in-a-week"})
"""Pages whose expected items carry widget text a reader does not see (README "Known
doubts"): a parsed item must be a prefix of the expected one."""


@dataclass(frozen=True)
class RealPage:
    name: str
    html: bytes
    spec: dict[str, Any]


def page_names() -> list[str]:
    return sorted(p.stem for p in REAL_PAGES.glob("*.json"))


@cache
def real_page(name: str) -> RealPage:
    spec = json.loads((REAL_PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return RealPage(name, (REAL_PAGES / f"{name}.html").read_bytes(), spec)


@cache
def parsed(name: str) -> ArticleRecord:
    page = real_page(name)
    return parse_article(page.html, page.spec["url"])


@pytest.fixture(scope="module", autouse=True)
def _real_pages_present() -> None:
    if not REAL_PAGES.is_dir():
        pytest.fail(f"the real pages are missing: {REAL_PAGES} "
                    "(they ship in the repository, under tests/fixtures/real-pages)")


@pytest.mark.parametrize("name", page_names())
def test_real_page_is_parsed_with_the_generic_profile(name: str) -> None:
    assert parsed(name).site == real_page(name).spec["url"].split("/")[2].removeprefix("www.")
    assert not GENERIC.hosts


@pytest.mark.parametrize("name", page_names())
def test_title_is_the_displayed_headline(name: str) -> None:
    assert parsed(name).title == real_page(name).spec["title"]


@pytest.mark.parametrize("name", page_names())
def test_section_headings_in_document_order(name: str) -> None:
    spec = real_page(name).spec
    optional = {strip_enumerator(h) for h in spec["optional_headings"]}
    strict = [strip_enumerator(h) for h in spec["section_headings"]]
    returned = [s.heading for s in parsed(name).sections]
    assert [h for h in returned if h not in optional or h in strict] == strict, (
        f"{name}\n  returned: {returned}\n  strict:   {strict}\n  optional: {sorted(optional)}"
    )


@pytest.mark.parametrize("name", page_names())
def test_prevention_items(name: str) -> None:
    """Ambiguous pages are checked too: our reading of the rule is the expectation's."""
    spec = real_page(name).spec
    expected, actual = spec["prevention_items"], parsed(name).prevention
    if name in PREFIX_PAGES:
        assert len(actual) == len(expected)
        assert all(item and want.startswith(item) for item, want in zip(actual, expected, strict=True))
    else:
        assert actual == expected


@pytest.mark.parametrize("name", page_names())
def test_no_section_heading_is_empty(name: str) -> None:
    assert all(s.heading for s in parsed(name).sections)
