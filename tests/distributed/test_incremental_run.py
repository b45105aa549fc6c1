"""Two scheduled distributed runs of one live site: two workers do a full run and publish;
the site changes; two workers do an incremental run (``seed --incremental``) and publish.
The second publication is the site's whole new state, republishing only what changed, and
the workers asked the site only for what may have changed (README, Scaling out)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

from crawler.demo_site import SiteTruth
from crawler.demo_site.mutate import Mutation, mutate_site
from crawler.demo_site.server import Served
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import publish, seed, seeded_site, start_worker

PAGES = 60


@dataclass
class TwoRuns:
    out: Path
    mutation: Mutation
    full: dict[str, Any]
    """The full run's manifest."""
    incremental: dict[str, Any]
    served: list[Served]
    """What the site served during the incremental run."""
    redirected: list[str]
    """Article URLs an old URL of the site redirects to."""

    def first_articles(self) -> pd.DataFrame:
        return pd.read_parquet(self.out / "runs" / self.full["run_id"] / "articles.parquet")

    def keys_of(self, urls: list[str]) -> set[str]:
        first = self.first_articles()
        return set(first.loc[first["url"].isin(urls), "article_key"])


def crawl_with_two_workers(redis_url: str, truth: SiteTruth, out: Path) -> dict[str, Any]:
    """Two workers crawl the run; returns the manifest ``publish`` wrote."""
    workers = [start_worker(redis_url, truth, out) for _ in range(2)]
    for worker in workers:
        done = worker.wait()
        assert done.code == 0, done.stderr[-3000:]
    published = publish(redis_url, out)
    assert published.code == 0, published.stderr[-3000:]
    return published.manifest


@pytest.fixture(scope="module")
def two_runs(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRuns]:
    """Sitemap dates trusted (the default): a known page the sitemap dates before its last
    fetch is not asked for; one met by a link first is asked for conditionally."""
    redis_url = redis_server.url(50)
    tmp = tmp_path_factory.mktemp("incremental-distributed")
    out = tmp / "exports"
    with seeded_site(tmp, redis_url, out, PAGES) as (server, truth):
        full = crawl_with_two_workers(redis_url, truth, out)
        mutation = mutate_site(tmp / "site", edit=0.10, remove=0.05)
        before = len(server.served)
        seeded = seed(redis_url, truth, out, "--incremental", "--out", str(out))
        assert seeded.code == 0, seeded.stderr
        incremental = crawl_with_two_workers(redis_url, truth, out)
        yield TwoRuns(out, mutation, full, incremental, server.served[before:],
                      list(truth.redirects.values()))


def test_the_incremental_run_is_published_as_one(two_runs: TwoRuns) -> None:
    assert two_runs.full["incremental"] is False
    assert two_runs.incremental["incremental"] is True
    assert two_runs.incremental["distributed"] is True
    assert len(two_runs.incremental["workers"]) == 2


def test_latest_holds_the_sites_new_state_each_article_once(two_runs: TwoRuns) -> None:
    first = two_runs.first_articles()
    latest = pd.read_parquet(two_runs.out / "latest" / "articles.parquet")
    assert latest["article_key"].is_unique
    removed = two_runs.keys_of(two_runs.mutation.removed)
    assert set(latest["article_key"]) == set(first["article_key"]) - removed
    unchanged = latest[latest["change"] == "unchanged"].merge(first, on="article_key", suffixes=("", "_1"))
    assert len(unchanged) == len(first) - len(two_runs.mutation.edited) - len(two_runs.mutation.removed)
    assert (unchanged["content_hash"] == unchanged["content_hash_1"]).all()
    sections = pd.read_parquet(two_runs.out / "latest" / "sections.parquet")
    assert set(sections["article_key"]) == set(latest["article_key"])
    assert not sections.duplicated(["article_key", "position"]).any()


def test_only_the_edited_articles_are_republished_as_updated(two_runs: TwoRuns) -> None:
    changes = pd.read_parquet(two_runs.out / "latest" / "changes" / "articles.parquet")
    assert len(two_runs.mutation.edited) == 6
    assert set(changes["article_key"]) == two_runs.keys_of(two_runs.mutation.edited)
    assert set(changes["change"]) == {"updated"}


def test_the_removed_articles_are_reported_removed(two_runs: TwoRuns) -> None:
    removed = pd.read_parquet(two_runs.out / "latest" / "removed.parquet")
    assert len(two_runs.mutation.removed) == 3
    assert set(removed["article_key"]) == two_runs.keys_of(two_runs.mutation.removed)
    assert two_runs.incremental["changes"]["removed"] == 3


def test_unchanged_articles_are_answered_304_or_not_asked_for_never_downloaded_again(
        two_runs: TwoRuns) -> None:
    first = two_runs.first_articles()
    # An old URL's 301 leads to its article without validators (as in a one-process run).
    changed = set(two_runs.mutation.edited) | set(two_runs.mutation.removed) | set(two_runs.redirected)
    unchanged_paths = {urlsplit(url).path for url in first["url"] if url not in changed}
    answers = [served.status for served in two_runs.served if served.path in unchanged_paths]
    assert 200 not in answers
    assert 304 in answers
    assert all(served.conditional for served in two_runs.served if served.path in unchanged_paths)
    edited_paths = {urlsplit(url).path for url in two_runs.mutation.edited}
    assert {served.path for served in two_runs.served if served.status == 200} >= edited_paths


def test_known_pages_the_sitemap_dates_before_their_last_fetch_are_not_asked_for(two_runs: TwoRuns) -> None:
    assert two_runs.incremental["crawl_stats"]["healthcrawl/spider/unchanged/sitemap_lastmod"] > 0


def test_publish_leaves_the_state_the_next_incremental_run_starts_from(two_runs: TwoRuns) -> None:
    latest = pd.read_parquet(two_runs.out / "latest" / "articles.parquet")
    with sqlite3.connect(two_runs.out / ".state" / "state.sqlite") as db:
        published = {key for (key,) in db.execute("SELECT article_key FROM published")}
        runs = [run for (run,) in db.execute("SELECT outcome FROM runs ORDER BY run_id")]
    assert published == set(latest["article_key"])
    assert runs == ["published", "published"]


def test_each_publish_leaves_a_run_record_with_its_changes(two_runs: TwoRuns) -> None:
    records = [json.loads(path.read_text()) for path in sorted((two_runs.out / "records").glob("*.json"))]
    assert [(r["outcome"], r["incremental"]) for r in records] == [("published", False), ("published", True)]
    assert records[1]["changes"]["updated"] == 6 and records[1]["changes"]["removed"] == 3
