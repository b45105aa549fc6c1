"""Copies of earlier runs' articles in a distributed incremental run, told as a one-process
run tells them (``tests/pipelines/test_changes.py``): between two runs the site publishes
one unchanged article again at a new URL, and moves another to a new URL. The workers do
not fetch the unchanged article again, yet its copy is no new article; the moved article is
one, and its old page is removed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from crawler.demo_site import SiteTruth
from crawler.demo_site.mutate import copy_article
from tests.crawl.run_cli import CliRun
from tests.distributed.redis_server import RedisServer
from tests.distributed.workers import publish, seed, seeded_site, start_worker

PAGES = 20


@dataclass
class CopiedAndMoved:
    out: Path
    seeded: CliRun
    copied: tuple[str, str]
    """The unchanged article's URL and its copy's."""
    moved: tuple[str, str]
    """The moved article's old URL and its new one."""

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.out / "latest" / f"{name}.parquet")

    def key(self, url: str) -> str:
        """The article_key of ``url`` in the run that published it."""
        for folder in sorted((self.out / "runs").iterdir()):
            articles = pd.read_parquet(folder / "articles.parquet")
            if url in set(articles["url"]):
                return str(articles.loc[articles["url"] == url, "article_key"].iloc[0])
        raise AssertionError(f"no run published {url}")


def crawl_and_publish(redis_url: str, truth: SiteTruth, out: Path) -> None:
    done = start_worker(redis_url, truth, out).wait()
    assert done.code == 0, done.stderr[-3000:]
    published = publish(redis_url, out)
    assert published.code == 0, published.stderr[-3000:]


def unchanged_originals(truth: SiteTruth) -> list[str]:
    """Articles no copy, alias or redirect points at: their pages can change alone."""
    pointed_at = {d["duplicate_of"] for d in truth.iter_duplicates()} | set(truth.redirects.values())
    return [r["url"] for r in truth.iter_records() if r["kind"] == "original" and r["url"] not in pointed_at]


@pytest.fixture(scope="module")
def copied_and_moved(redis_server: RedisServer,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[CopiedAndMoved]:
    """A full run, then the site changes (the new URLs sort after the old ones, so the
    articles published first stay the originals), then an incremental run."""
    redis_url = redis_server.url(51)
    tmp = tmp_path_factory.mktemp("incremental-copies")
    out = tmp / "exports"
    with seeded_site(tmp, redis_url, out, PAGES) as (_, truth):
        crawl_and_publish(redis_url, truth, out)
        original, moving = unchanged_originals(truth)[:2]
        copied = (original, f"{truth.base_url}/p/900001.html")
        moved = (moving, f"{truth.base_url}/p/900002.html")
        copy_article(tmp / "site", *copied)
        copy_article(tmp / "site", *moved, move=True)
        seeded = seed(redis_url, truth, out, "--incremental", "--out", str(out))
        assert seeded.code == 0, seeded.stderr
        crawl_and_publish(redis_url, truth, out)
        yield CopiedAndMoved(out, seeded, copied, moved)


def test_seed_loads_the_articles_the_last_publication_holds(copied_and_moved: CopiedAndMoved) -> None:
    assert f"and {PAGES} published articles" in copied_and_moved.seeded.stderr


def test_a_new_copy_of_an_unchanged_article_is_published_as_its_duplicate_not_as_an_article(
        copied_and_moved: CopiedAndMoved) -> None:
    original, copy = copied_and_moved.copied
    articles = copied_and_moved.table("articles")
    assert copy not in set(articles["url"])
    assert articles.loc[articles["url"] == original, "change"].tolist() == ["unchanged"]
    duplicates = copied_and_moved.table("duplicates")
    row = duplicates.loc[duplicates["url"] == copy]
    assert row[["duplicate_of", "reason"]].values.tolist() == [[copied_and_moved.key(original), "exact"]]


def test_an_article_moved_to_a_new_url_is_published_there_and_removed_at_its_old_one(
        copied_and_moved: CopiedAndMoved) -> None:
    old, new = copied_and_moved.moved
    articles = copied_and_moved.table("articles")
    assert articles.loc[articles["url"] == new, "change"].tolist() == ["new"]
    assert old not in set(articles["url"])
    removed = copied_and_moved.table("removed")
    assert removed.loc[removed["article_key"] == copied_and_moved.key(old), "reason"].tolist() == ["gone"]
    assert new not in set(copied_and_moved.table("duplicates")["url"])
