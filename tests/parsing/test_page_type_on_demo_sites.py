"""The generic profile's page type on every page of the demo site, in each layout: what a
``--site generic`` crawl exports depends on it, and a page typed wrongly is an article lost
or a listing exported. The keepto layout is the hard one: its sidebar lists of links hold
more text than a short article."""

from __future__ import annotations

import pytest

from core.profiles import get_profile
from crawler.demo_site.generator import LAYOUTS, generate_site
from crawler.parsing import parse_page

GENERIC = get_profile("generic")


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def demo_pages(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Page type of every HTML page of a 400-article site (enough for listings that run to
    a last page of a few teasers), by path."""
    site = tmp_path_factory.mktemp(request.param)
    truth = generate_site(site, pages=400, layout=request.param)
    docroot = site / "www"
    return {"/" + str(path.relative_to(docroot)):
            parse_page(path.read_bytes(), truth.base_url + "/" + str(path.relative_to(docroot)),
                       profile=GENERIC).page_type
            for path in docroot.rglob("*.html")}


def test_every_article_of_a_demo_site_is_typed_an_article(demo_pages: dict[str, str]) -> None:
    articles = {path: kind for path, kind in demo_pages.items() if path.startswith("/p/")}
    assert len(articles) >= 400
    assert {path: kind for path, kind in articles.items() if kind != "article"} == {}


def test_every_home_and_category_page_of_a_demo_site_is_typed_a_listing(demo_pages: dict[str, str]) -> None:
    listings = {path: kind for path, kind in demo_pages.items()
                if path.startswith("/c/") or path == "/index.html"}
    assert any("/page/" in path for path in listings)
    assert {path: kind for path, kind in listings.items() if kind == "article"} == {}
