"""Shared fixtures: where the shared ground truth lives."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLDEN = SHARED / "golden"
REAL_PAGES = SHARED / "real-pages"


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    if not GOLDEN.is_dir():
        pytest.fail(f"the golden corpus is missing: {GOLDEN} (clone with ../shared beside it)")
    return GOLDEN
