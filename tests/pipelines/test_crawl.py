"""The three stages inside a real Scrapy crawl (a subprocess: the reactor runs once)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def crawl(out: Path, **settings: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tests.pipelines.crawl_records", str(out), json.dumps(settings)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60, check=True)


def test_crawl_publishes_kept_articles_and_duplicates(tmp_path: Path) -> None:
    log = crawl(tmp_path, HEALTHCRAWL_RUN_ID="crawl").stderr
    latest = tmp_path / "latest"
    assert pd.read_parquet(latest / "articles.parquet")["article_key"].tolist() == ["demo:1", "demo:2"]
    duplicates = pd.read_csv(latest / "duplicates.csv")
    assert duplicates[["article_key", "reason", "duplicate_of"]].values.tolist() == [
        ["demo:1", "url", "demo:1"],
        ["demo:3", "exact", "demo:1"],
    ]  # in row order (tables.ROW_ORDER), not in the order the copies were met
    stats = json.loads((latest / "manifest.json").read_text())["crawl_stats"]
    assert stats["healthcrawl/validate/dropped/no_title"] == 1
    assert stats["healthcrawl/dedup/dropped/exact"] == stats["healthcrawl/dedup/dropped/url"] == 1
    assert "healthcrawl dedup: dropped/exact=1, dropped/url=1, kept=2, processed=4" in log


def test_crawl_closed_early_leaves_the_previous_publication(tmp_path: Path) -> None:
    crawl(tmp_path, HEALTHCRAWL_RUN_ID="first")
    log = crawl(tmp_path, HEALTHCRAWL_RUN_ID="second", STOP_EARLY=True).stderr
    assert "run second not published (the crawl did not finish (stopped_early))" in log
    assert (tmp_path / "latest").readlink() == Path("runs/first")
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["first"]


def test_short_drop_log_formatter_logs_one_line_per_drop(tmp_path: Path) -> None:
    formatter = "pipelines.log_formatter.ShortDropLogFormatter"
    log = crawl(tmp_path, HEALTHCRAWL_RUN_ID="short", LOG_FORMATTER=formatter).stderr
    drops = [line.split("Dropped: ", 1)[1] for line in log.splitlines() if "Dropped: " in line]
    assert sorted(drops) == [  # stages finish concurrently: the order of lines is not fixed
        "exact duplicate of demo:1 (similarity 1.000): https://demo.test/p/3.html",
        "no_title: https://demo.test/p/4.html",
        "url duplicate of demo:1 (similarity 1.000): https://demo.test/p/1.html",
    ]
    assert "ArticleRecord(" not in log
