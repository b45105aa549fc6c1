"""Scheduled runs: an unchanged incremental re-run against the full run it follows, and
what a full run's memory grows with.

Run: ``make bench-incremental`` (nginx on a free loopback port, as ``make bench-crawl``).
Each round: a full run into an empty output folder, then two incremental re-runs of the
unchanged site, one trusting the sitemaps' ``<lastmod>`` (the default: no request for a
known page), one with ``HEALTHCRAWL_TRUST_SITEMAP_LASTMOD=false`` (a conditional request,
answered 304, for every known page). Time, requests, CPU (the crawl and its children) and
peak RSS come from ``wait4``; the median round is quoted, with every round's ratio.
``--rss-pages N`` adds full runs of an N-article site for peak RSS alone: dedup's index in
memory (the default), on disk (``HEALTHCRAWL_DEDUP_STORE=disk``), and with Scrapy's request
queue on disk as well (``JOBDIR``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_crawl import (  # noqa: E402
    PYTHON,
    STATS_EXTENSION,
    WORK,
    free_port,
    nginx,
    timed,
)
from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST  # noqa: E402
from crawler import settings as project_settings  # noqa: E402


@dataclass
class Measured:
    name: str
    seconds: float
    cpu: float
    peak_rss_mb: float
    requests: int
    not_modified: int
    skipped_by_lastmod: int
    articles: int
    """Articles the run published (fetched and carried over)."""
    crawl_rss_mb: float
    """Peak RSS of the crawl's own process (its ``VmHWM``); ``peak_rss_mb`` (``wait4``) is
    the largest of the crawl and its children, but counts from the memory of this
    benchmark at the fork, so the site is generated in a process of its own."""


def crawl(name: str, base: str, out: Path, *extra: str) -> Measured:
    stats_file = WORK / "stats-incremental.json"
    extensions = json.dumps({**project_settings.EXTENSIONS, STATS_EXTENSION: 0})
    run = timed(name, [
        PYTHON, "-m", "crawler", "crawl", "--site", "demo", "--start-url", base + "/",
        "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
        "--out", str(out), "--format", "csv,parquet", "--log-level", "WARNING",
        "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0",
        "-s", "CONCURRENT_REQUESTS=64", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64",
        "-s", f"EXTENSIONS={extensions}", "-s", f"STATS_FILE={stats_file}", *extra], stats_file)
    stats = json.loads(stats_file.read_text())
    changes = json.loads((out / "latest" / "manifest.json").read_text())["changes"]
    return Measured(name, run.seconds, run.cpu, run.peak_rss_mb,
                    int(stats.get("downloader/request_count", 0)),
                    int(stats.get("healthcrawl/spider/unchanged/not_modified", 0)),
                    int(stats.get("healthcrawl/spider/unchanged/sitemap_lastmod", 0)),
                    sum(v for k, v in changes.items() if k != "removed"),
                    float(stats.get("bench/peak_rss_mb", 0.0)))


def site_on_nginx(pages: int, name: str) -> tuple[Path, int, str]:
    """Generate a site in a child process (this one stays small: see ``crawl_rss_mb``)."""
    port = free_port()
    site = WORK / name
    base = f"http://{DEMO_HOST}:{port}"
    print(f"generating {pages} articles ...", flush=True)
    subprocess.run([PYTHON, "-c", "import sys; from pathlib import Path; "
                    "from crawler.demo_site.generator import generate_site; "
                    "from benchmarks.bench_crawl import precompress; "
                    "generate_site(Path(sys.argv[1]), pages=int(sys.argv[2]), base_url=sys.argv[3]); "
                    "precompress(Path(sys.argv[1]) / 'www')", str(site), str(pages), base],
                   cwd=ROOT, check=True)
    return site, port, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rss-pages", type=int, nargs="*", default=[], metavar="N",
                        help="also one full run of an N-article site each, for peak RSS")
    args = parser.parse_args()
    site, port, base = site_on_nginx(args.pages, "site-incremental")
    out = WORK / "exports-incremental"
    rounds: list[list[Measured]] = []
    with nginx(site, port):
        for number in range(args.rounds):
            print(f"round {number + 1} of {args.rounds} ...", flush=True)
            shutil.rmtree(out, ignore_errors=True)
            rounds.append([
                crawl("full run", base, out),
                crawl("incremental re-run, sitemap lastmod trusted", base, out, "--incremental"),
                crawl("incremental re-run, conditional requests only", base, out, "--incremental",
                      "-s", "HEALTHCRAWL_TRUST_SITEMAP_LASTMOD=false"),
            ])
    report(rounds, args.pages)
    for pages in args.rss_pages:
        big, big_port, big_base = site_on_nginx(pages, f"site-{pages}")
        with nginx(big, big_port):
            for name, extra in (("dedup in memory", []),
                                ("dedup on disk", ["-s", "HEALTHCRAWL_DEDUP_STORE=disk"]),
                                ("dedup and Scrapy's queue on disk", ["-s", "HEALTHCRAWL_DEDUP_STORE=disk",
                                                                      "-s", f"JOBDIR={WORK / 'job'}"])):
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(WORK / "job", ignore_errors=True)
                run = crawl(name, big_base, out, *extra)
                print(f"| full run, {pages:,} articles, {name} | {run.seconds:.1f} s | "
                      f"{run.requests:,} requests | {run.articles:,} articles | CPU {run.cpu:.1f} s | "
                      f"peak RSS: crawl process {run.crawl_rss_mb:.0f} MB, largest process "
                      f"{run.peak_rss_mb:.0f} MB |", flush=True)
        shutil.rmtree(big, ignore_errors=True)


def report(rounds: list[list[Measured]], pages: int) -> None:
    print(f"\ndemo site, {pages} articles, unchanged between runs, nginx on loopback, "
          f"{len(rounds)} rounds; each row: the median round's run\n")
    print("| run | seconds | requests | 304 | skipped by lastmod | articles published | CPU s | "
          "peak RSS MB (crawl process / largest) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for column in zip(*rounds, strict=True):
        run = sorted(column, key=lambda r: r.seconds)[len(column) // 2]
        print(f"| {run.name} | {run.seconds:.1f} | {run.requests:,} | {run.not_modified:,} | "
              f"{run.skipped_by_lastmod:,} | {run.articles:,} | {run.cpu:.1f} | "
              f"{run.crawl_rss_mb:.0f} / {run.peak_rss_mb:.0f} |")
    print()
    for index in (1, 2):
        time_ratios = [r[index].seconds / r[0].seconds for r in rounds]
        cpu_ratios = [r[index].cpu / r[0].cpu for r in rounds]
        print(f"{rounds[0][index].name} / full run: time median {statistics.median(time_ratios):.2f}x "
              f"(target <= 0.25; rounds {', '.join(f'{x:.2f}x' for x in time_ratios)}), "
              f"CPU median {statistics.median(cpu_ratios):.2f}x")


if __name__ == "__main__":
    main()
