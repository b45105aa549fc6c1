"""One crawl of a faulty demo site, and the figures the reliability matrix reports.

The demo server knows beforehand which articles no crawl can fetch (a permanent fault:
``FaultLog.unfetchable``); every other article of the site's truth is *expected*. An
article is one original with its copies (exact, near, alias URLs): it is *published* when
a row of any of its URLs is, *lost* when expected and not published, and *duplicated* by
every row beyond its first. Off-site links, redirects and external entities point at a
canary server that counts every connection it gets.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer, generate_site
from crawler.demo_site.canary import CanaryServer
from crawler.demo_site.faults import Faults
from tests.crawl.run_cli import CliRun, healthcrawl
from tests.reliability.scenarios import CrawlScenario

PAGES = 120
SEED = 1


@dataclass(frozen=True, slots=True)
class Figures:
    scenario: str
    faults_injected: int
    injected_by_kind: dict[str, int]
    articles_expected: int
    published: int
    lost: int
    duplicated: int
    offsite_requests: int
    exit_code: int
    seconds: float
    peak_memory_mb: float
    """The crawl's process at its largest (Scrapy's ``memusage/max``, sampled every 0.25 s)."""
    tracebacks: int

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.scenario}.json").write_text(json.dumps(asdict(self), indent=1))


@dataclass(frozen=True, slots=True)
class FaultyCrawl:
    figures: Figures
    run: CliRun


def crawl_faulty_site(scenario: CrawlScenario, workdir: Path, pages: int = PAGES) -> FaultyCrawl:
    site = workdir / "site"
    with CanaryServer() as canary:
        faults = Faults.parse(f"{scenario.spec},offsite_origin={canary.url}", seed=SEED)
        server = DemoServer(site, faults=faults)
        try:
            truth = generate_site(site, pages=pages, seed=SEED, base_url=server.base_url)
            log = server.fault_log
            assert log is not None
            server.start()
            settings = [arg for setting in ("AUTOTHROTTLE_ENABLED=false", "DOWNLOAD_DELAY=0",
                                            "HEALTHCRAWL_RETRY_BACKOFF_BASE=0.2",
                                            "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.25", *scenario.settings)
                        for arg in ("-s", setting)]
            started = time.monotonic()
            run = healthcrawl(
                "crawl", "--site", scenario.site, "--start-url", truth.start_url,
                "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
                "--format", "parquet", *settings, out=workdir / "exports", timeout=600)
            seconds = time.monotonic() - started
        finally:
            server.shutdown()
        groups = _articles(truth.iter_records())
        unfetchable = {urlsplit(url).path for url in log.unfetchable}
        expected = {key for key, paths in groups.items() if not paths <= unfetchable}
        rows = _published_paths(run.out / "latest" / "articles.parquet")
        published = {key for key, paths in groups.items() if paths & set(rows)}
        by_article = {path: key for key, paths in groups.items() for path in paths}
        counts: dict[str, int] = {}
        for path in rows:
            key = by_article.get(path, path)
            counts[key] = counts.get(key, 0) + 1
        figures = Figures(
            scenario=scenario.name, faults_injected=sum(log.counts.values()),
            injected_by_kind=log.counts, articles_expected=len(expected), published=len(published),
            lost=len(expected - published), duplicated=sum(n - 1 for n in counts.values()),
            offsite_requests=canary.hits, exit_code=run.code, seconds=round(seconds, 1),
            peak_memory_mb=round(_peak_memory(run) / 2**20, 1), tracebacks=run.stderr.count("Traceback"))
    return FaultyCrawl(figures, run)


def _articles(records: object) -> dict[str, set[str]]:
    """Article (its original's path) -> the paths of every URL that stands for it."""
    groups: dict[str, set[str]] = {}
    for record in records:  # type: ignore[attr-defined]
        original = record["duplicate_of"] or record["url"]
        groups.setdefault(urlsplit(original).path, set()).add(urlsplit(record["url"]).path)
    for key, paths in groups.items():
        paths.add(key)
    return groups


def _peak_memory(run: CliRun) -> int:
    """Bytes, from the published manifest's crawl stats (0 when nothing was published)."""
    try:
        return int(run.stats.get("memusage/max", 0))
    except FileNotFoundError:
        return 0


def _published_paths(articles: Path) -> list[str]:
    """The path of each published row's URL (the demo site's canonical links name the URL
    itself, so it stands for the row's article)."""
    if not articles.exists():
        return []
    table = pq.read_table(articles, columns=["url"])
    return [urlsplit(url).path for url in table.column("url").to_pylist()]
