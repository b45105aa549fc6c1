"""Two scheduled runs of one live site: the second, incremental, asks only for what may
have changed and publishes exactly what did (README, Scheduling)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from crawler.demo_site import DemoServer, generate_site
from crawler.demo_site.mutate import Mutation, mutate_site
from tests.crawl.run_cli import REPO
from tests.scheduling.commands import crawl_command

PAGES = 100


@pytest.fixture(scope="module", params=["sitemap lastmod trusted", "conditional requests only"])
def two_runs(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Mutation, list[str]]]:
    """A full run, 10% of the articles edited and 5% removed, then an incremental run;
    yields the output folder, what changed, and the second run's stderr lines. Run twice:
    trusting the sitemap's dates, and asking for every known page conditionally."""
    tmp = tmp_path_factory.mktemp("incremental")
    server = DemoServer(tmp / "site")
    trust = request.param == "sitemap lastmod trusted"
    try:
        generate_site(tmp / "site", pages=PAGES, base_url=server.base_url)
        server.start()
        command = crawl_command(server, tmp / "out", "--incremental",
                                "-s", f"HEALTHCRAWL_TRUST_SITEMAP_LASTMOD={str(trust).lower()}")
        first = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)
        assert first.returncode == 0, first.stderr[-3000:]
        mutation = mutate_site(tmp / "site", edit=0.10, remove=0.05)
        second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)
        assert second.returncode == 0, second.stderr[-3000:]
        yield tmp / "out", mutation, second.stderr.splitlines()
    finally:
        server.shutdown()


def runs(out: Path) -> list[Path]:
    return sorted(p for p in (out / "runs").iterdir() if p.is_dir())


def keys_of(articles: pd.DataFrame, urls: list[str]) -> set[str]:
    return set(articles.loc[articles["url"].isin(urls), "article_key"])


def test_the_first_run_publishes_every_article_as_new(two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, _, _ = two_runs
    first = pd.read_parquet(runs(out)[0] / "articles.parquet")
    assert len(first) > 0 and set(first["change"]) == {"new"}


def test_the_second_run_reports_exactly_the_edited_articles_as_updated(
        two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, mutation, _ = two_runs
    first = pd.read_parquet(runs(out)[0] / "articles.parquet")
    changes = pd.read_parquet(out / "latest" / "changes" / "articles.parquet")
    assert len(mutation.edited) == 10
    assert set(changes["article_key"]) == keys_of(first, mutation.edited)
    assert set(changes["change"]) == {"updated"}


def test_the_second_run_reports_exactly_the_removed_articles_in_removed(
        two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, mutation, _ = two_runs
    first = pd.read_parquet(runs(out)[0] / "articles.parquet")
    removed = pd.read_parquet(out / "latest" / "removed.parquet")
    assert len(mutation.removed) == 5
    assert set(removed["article_key"]) == keys_of(first, mutation.removed)
    assert set(removed["reason"]) <= {"gone", "missing"}


def test_latest_holds_the_sites_whole_current_state_with_unchanged_articles_carried_over(
        two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, mutation, _ = two_runs
    first = pd.read_parquet(runs(out)[0] / "articles.parquet")
    latest = pd.read_parquet(out / "latest" / "articles.parquet")
    assert set(latest["article_key"]) == set(first["article_key"]) - keys_of(first, mutation.removed)
    assert latest["article_key"].is_unique
    unchanged = latest[latest["change"] == "unchanged"].merge(first, on="article_key", suffixes=("", "_1"))
    assert len(unchanged) == len(first) - 15
    assert (unchanged["content_hash"] == unchanged["content_hash_1"]).all()
    sections = pd.read_parquet(out / "latest" / "sections.parquet")
    assert set(sections["article_key"]) <= set(latest["article_key"])
    assert not sections.duplicated(["article_key", "position"]).any()


def test_the_second_run_parses_only_the_edited_pages_and_gets_304s_or_skips_the_rest(
        two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, mutation, _ = two_runs
    stats = json.loads((out / "latest" / "manifest.json").read_text())["crawl_stats"]
    first = pd.read_parquet(runs(out)[0] / "articles.parquet")
    duplicates = pd.read_parquet(runs(out)[0] / "duplicates.parquet")
    known_pages = len(first) + len(duplicates) - len(mutation.removed)
    unchanged = known_pages - len(mutation.edited)
    redirected = stats.get("downloader/response_status_count/301", 0)  # an old URL: no validators
    assert len(mutation.edited) <= stats["healthcrawl/spider/articles"] <= len(mutation.edited) + redirected
    assert (stats.get("healthcrawl/spider/unchanged/not_modified", 0)
            + stats.get("healthcrawl/spider/unchanged/sitemap_lastmod", 0)) >= unchanged - len(duplicates)
    if stats.get("healthcrawl/spider/unchanged/sitemap_lastmod", 0) == 0:
        assert stats["healthcrawl/spider/unchanged/not_modified"] >= unchanged - len(duplicates)


def test_the_summary_line_counts_the_changes(two_runs: tuple[Path, Mutation, list[str]]) -> None:
    _, _, stderr = two_runs
    assert any("10 updated" in line and "5 removed" in line for line in stderr), stderr[-5:]


def test_duckdb_reads_every_runs_change_set_as_history(two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, _, _ = two_runs
    history = duckdb.sql(
        f"SELECT change, count(*) AS n FROM read_parquet('{out}/runs/*/changes/articles.parquet') "
        "GROUP BY change ORDER BY change").fetchall()
    assert dict(history)["updated"] == 10 and dict(history)["new"] > 0


def test_each_run_leaves_a_run_record_with_its_exit_code_and_changes(
        two_runs: tuple[Path, Mutation, list[str]]) -> None:
    out, _, _ = two_runs
    records = [json.loads(path.read_text()) for path in sorted((out / "records").glob("*.json"))]
    assert [(r["outcome"], r["exit_code"]) for r in records] == [("published", 0), ("published", 0)]
    assert records[1]["changes"]["updated"] == 10 and records[1]["changes"]["removed"] == 5
    assert records[1]["summary"].startswith(f"{records[1]['articles']} articles")
