from __future__ import annotations

import pytest

from tests.crawl.demo_run import DemoCrawl, crawl_demo_site


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> DemoCrawl:
    """One crawl of a 200-article demo site, shared by every end-to-end test."""
    return crawl_demo_site(tmp_path_factory.mktemp("demo"))
