"""Every fault the demo server can inject, crawled end to end: the crawl finishes, every
article that can be fetched at all is published exactly once, and nothing is requested
off-site. ``HEALTHCRAWL_RELIABILITY_FIGURES=DIR`` saves each crawl's figures there (what
``make reliability`` puts in ``docs/RELIABILITY.md``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.harness import crawl_faulty_site
from tests.reliability.scenarios import CRAWLS, CrawlScenario


@pytest.mark.parametrize("scenario", CRAWLS, ids=[s.name for s in CRAWLS])
def test_a_faulty_site_is_crawled_with_nothing_lost_doubled_or_off_site(
        scenario: CrawlScenario, tmp_path: Path) -> None:
    crawl = crawl_faulty_site(scenario, tmp_path)
    figures = crawl.figures
    if os.environ.get("HEALTHCRAWL_RELIABILITY_FIGURES"):
        figures.save(Path(os.environ["HEALTHCRAWL_RELIABILITY_FIGURES"]))
    assert figures.exit_code == 0, crawl.run.stderr[-3000:]
    assert figures.faults_injected > 0
    assert (figures.lost, figures.duplicated, figures.offsite_requests) == (0, 0, 0), figures
    assert figures.tracebacks == 0, crawl.run.stderr[-3000:]
    assert 0 < figures.peak_memory_mb < 1024  # bounded: a gzip bomb or an oversize body is never held
