"""Every generated article page parses to its truth record, field by field (the fields
the golden JSONs list), so the demo crawl's expected output is known exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.profiles import SiteProfile, get_profile
from crawler.demo_site import SiteTruth, generate_site

parsing = pytest.importorskip("crawler.parsing")


LINK_FIELDS = ("prev_article", "next_article", "recommendations")
"""Resolved against the fetched URL, so they differ when a page is fetched under an alias."""
OWN_CANONICAL = ("canonical_url",)
"""A magazine page names its URL in ``<link rel=canonical>``, which a record keeps as
written, where the truth has the demo profile's canonical form."""


def _mismatches(record: dict, html: bytes, url: str, profile: SiteProfile | None = None,
                skip: tuple[str, ...] = ()) -> list[str]:
    got = parsing.parse_article(html, url, profile=profile).to_dict()
    fields = [f for f in record["expected"] if (url == record["url"] or f not in LINK_FIELDS)
              and f not in skip]
    return [f"{record['url']} fetched as {url}: {field}: expected "
            f"{record['expected'][field]!r}, got {got[field]!r}"
            for field in fields if got[field] != record["expected"][field]]


def test_every_article_parses_to_its_truth(records: list[dict],
                                           read_page: Callable[[str], bytes]) -> None:
    problems = [p for r in records for p in _mismatches(r, read_page(r["url"]), r["url"])]
    assert not problems, f"{len(problems)} mismatches, first: " + "\n".join(problems[:5])


def test_alias_urls_parse_to_the_same_canonical_record(site: SiteTruth, records: list[dict],
                                                       read_page: Callable[[str], bytes]) -> None:
    """The same page fetched under a tracking URL or the m. host gives the same record
    (links resolved against the alias may differ, so those fields are left out)."""
    by_url = {r["url"]: r for r in records}
    aliases = [d for d in site.iter_duplicates() if d["reason"] == "url"][:40]
    assert aliases
    problems = [p for d in aliases for p in _mismatches(
        by_url[d["duplicate_of"]], read_page(d["duplicate_of"]), d["url"])]
    assert not problems, "\n".join(problems[:5])


@pytest.mark.parametrize(("layout", "profile", "skip"), [("keepto", None, ()),
                                                         ("magazine", "generic", OWN_CANONICAL)])
def test_every_long_article_parses_to_its_truth(tmp_path: Path, layout: str, profile: str | None,
                                                skip: tuple[str, ...]) -> None:
    """Bodies of 40 to 80 blocks (five to ten sections, item runs up to ten), in either
    layout: the magazine one read with the generic profile, as a crawl of it is."""
    site = generate_site(tmp_path, pages=40, seed=0, layout=layout, article_blocks=(40, 80))
    chosen = None if profile is None else get_profile(profile)
    problems = [p for r in site.iter_records() for p in _mismatches(
        r, (site.docroot / r["url"].removeprefix(site.base_url).lstrip("/")).read_bytes(), r["url"],
        chosen, skip)]
    assert not problems, f"{len(problems)} mismatches, first: " + "\n".join(problems[:5])
