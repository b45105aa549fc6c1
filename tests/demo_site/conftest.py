"""Fixtures: one generated 300-page demo site per test session, and a server over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from crawler.demo_site import DemoServer, SiteTruth, generate_site

BASE_URL = "http://www.healthdemo.test:8000"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteTruth:
    """The site the brief sizes the variant checks on: 300 pages, seed 0."""
    return generate_site(tmp_path_factory.mktemp("demo"), pages=300, seed=0, base_url=BASE_URL)


@pytest.fixture(scope="session")
def records(site: SiteTruth) -> list[dict]:
    return list(site.iter_records())


@pytest.fixture(scope="session")
def server(site: SiteTruth) -> Iterator[DemoServer]:
    with DemoServer(site.out_dir) as running:
        yield running


@pytest.fixture(scope="session")
def read_page(site: SiteTruth) -> Callable[[str], bytes]:
    """Reads the file behind a desktop URL of the site (no server needed)."""

    def read(url: str) -> bytes:
        return (site.docroot / url.removeprefix(site.base_url).lstrip("/")).read_bytes()

    return read
