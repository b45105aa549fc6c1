"""The generic profile on real health pages (``tests/fixtures/real-pages``, and the pages of
``tests/fixtures/more-real-pages/tuning``): headline, section headings in order,
prevention/tips items, published date, as the pages' READMEs decide them. The held-out
pages are held to their headlines only; ``benchmarks/score_real_pages.py`` scores the rest.

Headings are compared with their enumerators stripped on both sides: the README keeps
"1. Eat more protein" as the source has it, while the record's ``heading`` holds the text
without its enumerator (docs/record-contract.md, "The record"; the number goes to
``Section.number``). Nothing else is normalised away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from core.profiles.generic import GENERIC
from core.records import ArticleRecord
from crawler.parsing import parse_article, parse_page
from crawler.parsing.enumerators import strip_enumerator
from tests.conftest import MORE_REAL_PAGES, REAL_PAGES

TUNED = (REAL_PAGES, MORE_REAL_PAGES / "tuning")
HELD_OUT = MORE_REAL_PAGES / "held-out"

PREFIX_PAGES = frozenset({"r04-wikihow-flat-stomach-in-a-week"})
"""Pages whose expected items carry widget text a reader does not see (README "Known
doubts"): a parsed item must be a prefix of the expected one."""


@dataclass(frozen=True)
class RealPage:
    name: str
    html: bytes
    spec: dict[str, Any]


def page_names(*folders: Path) -> list[str]:
    return sorted(p.stem for folder in folders or TUNED for p in folder.glob("*.json"))


@cache
def real_page(name: str) -> RealPage:
    folder = next(f for f in (*TUNED, HELD_OUT) if (f / f"{name}.json").is_file())
    spec = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return RealPage(name, (folder / f"{name}.html").read_bytes(), spec)


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


@pytest.mark.parametrize("name", page_names(*TUNED, HELD_OUT))
def test_every_real_article_page_is_read_as_an_article(name: str) -> None:
    page = real_page(name)
    assert parse_page(page.html, page.spec["url"], profile=GENERIC).page_type == "article"


@pytest.mark.parametrize("name", page_names(*TUNED, HELD_OUT))
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


@pytest.mark.parametrize("name", [n for n in page_names() if "published_at" in real_page(n).spec])
def test_published_date_is_the_pages_own(name: str) -> None:
    """Compared by day: a page states a time or does not, and its zone is not kept."""
    expected = real_page(name).spec["published_at"]
    actual = parsed(name).published_at
    assert (actual or "")[:10] == (expected or "")[:10]


@pytest.mark.parametrize("name", page_names())
def test_no_section_heading_is_empty(name: str) -> None:
    assert all(s.heading for s in parsed(name).sections)
