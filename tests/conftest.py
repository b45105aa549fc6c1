"""Shared fixtures: where the ground truth lives (``tests/fixtures``, kept in the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = FIXTURES / "golden"
REAL_PAGES = FIXTURES / "real-pages"
MORE_REAL_PAGES = FIXTURES / "more-real-pages"
"""Real pages gathered for the generic profile's second round: ``tuning`` (looked at while
its rules were extended) and ``held-out`` (never looked at: scored, not tuned to)."""
SEED_ARTICLE = FIXTURES / "seed-article.txt"


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    if not GOLDEN.is_dir():
        pytest.fail(f"the golden corpus is missing: {GOLDEN} "
                    "(it ships in the repository, under tests/fixtures/golden)")
    return GOLDEN
