"""Every generated article page parses to its truth record, field by field (the fields
the golden JSONs list), so the demo crawl's expected output is known exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crawler.demo_site import SiteTruth

parsing = pytest.importorskip("crawler.parsing")


LINK_FIELDS = ("prev_article", "next_article", "recommendations")
"""Resolved against the fetched URL, so they differ when a page is fetched under an alias."""


def _mismatches(record: dict, html: bytes, url: str) -> list[str]:
    got = parsing.parse_article(html, url).to_dict()
    fields = [f for f in record["expected"] if url == record["url"] or f not in LINK_FIELDS]
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
