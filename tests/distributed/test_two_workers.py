"""Two workers crawl one 500-article demo site through one Redis server, then ``publish``:
the run's tables are the one-process crawl's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

from core.urls import canonicalize_url
from crawler.demo_site import SiteTruth
from tests.crawl.run_cli import CliRun
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import publish, seeded_site, start_worker

PAGES = 500
UNIQUE_KINDS = ("original", "orphan")


@dataclass
class TwoWorkerRun:
    truth: SiteTruth
    workers: list[CliRun]
    published: CliRun
    requests: list[tuple[str, str, str]]

    @property
    def latest(self) -> Path:
        return self.published.out / "latest"

    def canonical(self, url: str) -> str:
        return canonicalize_url(url, self.truth.host_aliases)

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.latest / f"{name}.parquet")

    @property
    def manifest(self) -> dict[str, Any]:
        return self.published.manifest


@pytest.fixture(scope="module")
def two_workers(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> TwoWorkerRun:
    workdir = tmp_path_factory.mktemp("two-workers")
    redis_url = redis_server.url(0)
    out = workdir / "exports"
    with seeded_site(workdir, redis_url, out, PAGES) as (server, truth):
        workers = [start_worker(redis_url, truth, out) for _ in range(2)]
        finished = [worker.wait() for worker in workers]
        requests = list(server.requests)
    return TwoWorkerRun(truth, finished, publish(redis_url, out), requests)


def test_both_workers_finish_and_the_run_publishes(two_workers: TwoWorkerRun) -> None:
    for worker in two_workers.workers:
        assert worker.code == 0, worker.stderr[-3000:]
    assert two_workers.published.code == 0, two_workers.published.stderr[-3000:]
    assert two_workers.manifest["finish_reason"] == "finished"


def test_every_unique_article_is_published_exactly_once(two_workers: TwoWorkerRun) -> None:
    expected = {two_workers.canonical(r["url"]) for r in two_workers.truth.iter_records()
                if r["kind"] in UNIQUE_KINDS}
    published = Counter(two_workers.table("articles")["canonical_url"])
    assert set(published) == expected
    assert max(published.values()) == 1


def test_published_titles_equal_the_truth(two_workers: TwoWorkerRun) -> None:
    truth = {two_workers.canonical(r["url"]): r["expected"]["title"]
             for r in two_workers.truth.iter_records()}
    articles = two_workers.table("articles")
    assert dict(zip(articles["canonical_url"], articles["title"], strict=True)) == {
        url: truth[url] for url in articles["canonical_url"]}


def test_child_tables_hold_rows_of_published_articles_only_once(two_workers: TwoWorkerRun) -> None:
    keys = set(two_workers.table("articles")["article_key"])
    sections = two_workers.table("sections")
    assert set(sections["article_key"]) == keys
    assert not sections.duplicated(["article_key", "position"]).any()


def test_each_worker_crawled_a_share(two_workers: TwoWorkerRun) -> None:
    pages = [worker["pages"] for worker in two_workers.manifest["workers"].values()]
    assert len(pages) == 2
    assert min(pages) >= 0.2 * sum(pages)


def test_no_canonical_url_is_fetched_twice_by_the_two_workers(two_workers: TwoWorkerRun) -> None:
    scheme = urlsplit(two_workers.truth.start_url).scheme
    fetched = Counter(two_workers.canonical(f"{scheme}://{host}{path}")
                      for method, host, path in two_workers.requests
                      if method == "GET" and not path.endswith("/robots.txt"))
    assert [url for url, count in fetched.items() if count > 1] == []


def test_the_run_keys_are_gone_from_redis_after_publish(two_workers: TwoWorkerRun,
                                                        redis_server: RedisServer) -> None:
    assert list(redis_server.client(0).scan_iter(match="healthcrawl:*")) == []
