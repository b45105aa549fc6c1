"""End to end, a site no profile knows: the demo site in its magazine layout (other class
names, dates as JSON-LD, metas, ``<time>`` and bare date lines, related blocks under
"You may also like" and kin, listing pages as card grids) crawled with ``--site generic``.
What it publishes must be exactly the site's articles, each once, with their dates and
related links as the generator's truth has them."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.crawl.demo_run import DemoCrawl, crawl_demo_site

UNIQUE_KINDS = ("original", "orphan")
COMPARED = ("title", "summary", "published_at", "prevention", "prev_article", "next_article",
            "breadcrumbs", "language")
"""Fields a generic parse must get exactly as the truth has them (keys and site names
are the generic profile's own)."""


@pytest.fixture(scope="module")
def generic_crawl(tmp_path_factory: pytest.TempPathFactory) -> DemoCrawl:
    return crawl_demo_site(tmp_path_factory.mktemp("magazine"), layout="magazine", site_profile="generic")


def test_generic_crawl_of_an_unprofiled_layout_publishes(generic_crawl: DemoCrawl) -> None:
    assert generic_crawl.run.code == 0, generic_crawl.run.stderr[-3000:]


def test_exactly_the_sites_articles_are_exported_each_once(generic_crawl: DemoCrawl) -> None:
    expected = {generic_crawl.canonical(r["url"]) for r in generic_crawl.truth_records()
                if r["kind"] in UNIQUE_KINDS}
    exported = Counter(generic_crawl.canonical(r["canonical_url"]) for r in generic_crawl.exported_records())
    assert set(exported) == expected
    assert max(exported.values()) == 1


def test_home_and_listing_pages_are_followed_and_counted_not_exported(generic_crawl: DemoCrawl) -> None:
    types = generic_crawl.run.manifest["page_types"]
    assert types["home"] == 1
    assert types["listing"] >= 16  # a category page at least per category
    assert types["article"] >= len([r for r in generic_crawl.truth_records() if r["kind"] in UNIQUE_KINDS])


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    return {**{field: record[field] for field in COMPARED},
            "sections": [(s["heading"], s["items"]) for s in record["sections"]],
            "recommendations": [(r["title"], r["url"], r["snippet"], r["truncated"])
                                for r in record["recommendations"]]}


def test_every_exported_article_has_the_truths_text_dates_and_related_links(generic_crawl: DemoCrawl) -> None:
    truth = {generic_crawl.canonical(r["url"]): r["expected"] for r in generic_crawl.truth_records()}
    mismatches = []
    for record in generic_crawl.exported_records():
        got, want = _fields(record), _fields(truth[generic_crawl.canonical(record["canonical_url"])])
        mismatches += [(record["url"], field) for field in got if got[field] != want[field]]
    assert mismatches == []


def test_dates_and_related_links_are_found_on_the_pages_that_show_them(generic_crawl: DemoCrawl) -> None:
    records = generic_crawl.exported_records()  # the comparison above is no comparison of Nones
    assert sum(r["published_at"] is not None for r in records) > len(records) * 0.6
    assert sum(bool(r["recommendations"]) for r in records) > len(records) * 0.9
