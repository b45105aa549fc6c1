"""Crawl speed: ``healthcrawl crawl`` (fetch, parse, dedup, export), with its worker
processes and all in one process, beside bare Scrapy spiders that only fetch the same
article URLs, against the demo site served by nginx.

Run: ``make bench-crawl`` (installs nginx with apt-get if missing, starts it on a free
loopback port, stops it after). Each crawl is its own process; CPU seconds and peak RSS
come from ``wait4`` on that process. The crawls take turns, round after round
(``--rounds``), because this machine's speed drifts by a third within minutes: each
round's ratio compares crawls run a minute apart, and the median round is quoted; every
other round runs them in reverse order, since a crawl's place in a round moves it by up to
a fifth.
``--baseline DIR`` adds the same healthcrawl crawls (site profile and generic) run from
another checkout (e.g. a ``git worktree`` of the last release), to quote what a change
costs in the same rounds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST  # noqa: E402
from crawler import settings as project_settings  # noqa: E402
from crawler.demo_site.generator import generate_site  # noqa: E402

WORK = ROOT / "benchmarks" / ".work"
OUTSIDE = Path(tempfile.gettempdir())
"""Where the bare spiders run: no ``scrapy.cfg`` above it, so Scrapy loads none of the
project's settings (run inside the checkout, they got its middlewares, and its crawler-trap
caps stopped a spider that yields no article after a hundred pages)."""
STATS_EXTENSION = "benchmarks.stats_file.StatsFile"
PYTHON = sys.executable
NGINX_CONF = """
worker_processes 1;
daemon off;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; application/xml xml; text/plain txt; application/pdf pdf;
             application/gzip gz; text/css css; application/javascript js; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    gzip on;
    gzip_types application/xml text/plain;  # text/html is always compressed
    gzip_static on;  # pages gzipped ahead (precompress): no compressing per request
    charset utf-8;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {docroot};
        index index.html;
{locations}
    }}
}}
"""


BARE = "bare Scrapy, defaults"
BARE_SHIPPED = "bare Scrapy, healthcrawl settings"
OURS = "healthcrawl crawl (parse, dedup, export)"
ONE_PROCESS = "healthcrawl crawl, all in one process"
GENERIC = "healthcrawl crawl --site generic"
BASELINE = "baseline checkout (parse, dedup, export)"
BASELINE_GENERIC = "baseline checkout --site generic"
CRAWLS = {"bare": BARE, "bare-shipped": BARE_SHIPPED, "profile": OURS, "one-process": ONE_PROCESS,
          "generic": GENERIC, "baseline": BASELINE, "baseline-generic": BASELINE_GENERIC}
"""``--only`` names: what a side-by-side of two crawls (a change and its baseline) runs."""


@dataclass
class Run:
    name: str
    seconds: float
    cpu: float
    peak_rss_mb: float
    responses: int
    articles: int
    process_cpu: float
    """CPU seconds of the crawl's own process (without parse workers), to spider_closed."""
    start: float
    """Seconds from the process's start to its first response."""
    steady_pages_per_s: float
    """Pages a second from the tenth to the ninetieth hundredth of the responses: the
    crawl's rate without its start and close."""
    close: float
    """Seconds from the last response to the process's exit."""

    @property
    def pages_per_s(self) -> float:
        return self.responses / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "nginx"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("nginx") or "/usr/sbin/nginx"


def precompress(docroot: Path) -> int:
    """Write ``page.html.gz`` beside every page, which nginx's ``gzip_static`` serves as is.

    A crawl of a real site does not pay the site's compression on the crawl's machine;
    here nginx shares the machine's two cores with the crawl (and healthcrawl's worker
    processes), so compressing 43 KB pages per request would bill the server's work to
    whichever run uses the second core most."""
    count = 0
    for page in docroot.rglob("*.html"):
        page.with_name(page.name + ".gz").write_bytes(gzip.compress(page.read_bytes(), 6, mtime=0))
        count += 1
    return count


def nginx_locations(site: Path) -> str:
    """Per-page charsets (GBK pages must say so in the header) and the site's redirects."""
    lines = []
    server = json.loads((site / "server.json").read_text()) if (site / "server.json").exists() else {}
    for old, new in server.get("redirects", {}).items():
        lines.append(f"        location = {old} {{ return 301 {new}; }}")
    for line in (site / "truth" / "records.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("encoding", "utf-8").lower() not in ("utf-8", "utf8"):
            path = "/" + record["url"].split("/", 3)[3]
            lines.append(f"        location = {path} {{ charset {record['encoding']}; }}")
    return "\n".join(lines)


@contextmanager
def nginx(site: Path, port: int) -> Iterator[None]:
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, docroot=site / "www",
                                      locations=nginx_locations(site)))
    process = subprocess.Popen([ensure_nginx(), "-c", str(conf), "-p", str(prefix)])
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def timed(name: str, command: list[str], stats_file: Path, cwd: Path = ROOT) -> Run:
    """Run ``command`` in ``cwd`` (the bare spiders run outside the project, so Scrapy
    loads none of its settings; a baseline runs in its own checkout) and read its rusage
    and final stats."""
    started = time.monotonic()
    started_at = time.time()
    env = {**os.environ, "PYTHONPATH": str(cwd if cwd != OUTSIDE else ROOT)}
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"{name} failed:\n{stderr.decode()[-3000:]}")
    stats = json.loads(stats_file.read_text())
    progress = [(at - started_at, count) for at, count in stats.get("bench/progress", [])]
    responses = int(stats.get("downloader/response_count", 0))
    first, tenth, ninetieth, last = (when(progress, share * responses) for share in (1e-9, 0.1, 0.9, 1.0))
    return Run(name, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, responses,
               int(stats.get("healthcrawl/export/kept", stats.get("item_scraped_count", 0)))
               - int(stats.get("healthcrawl/export/retracted", 0)),
               float(stats.get("bench/process_cpu", 0.0)),
               first, 0.8 * responses / max(ninetieth - tenth, 1e-9), seconds - last)


def when(progress: list[tuple[float, int]], count: float) -> float:
    """The second (from the process's start) the crawl reached ``count`` responses,
    interpolated between the samples around it."""
    earlier = (0.0, 0)
    for at, seen in progress:
        if seen >= count:
            if seen == earlier[1]:
                return at
            return earlier[0] + (at - earlier[0]) * (count - earlier[1]) / (seen - earlier[1])
        earlier = (at, seen)
    return earlier[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="each crawl this many times, taking turns")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also crawl with the healthcrawl checked out in DIR (same settings)")
    parser.add_argument("--only", metavar="NAMES", type=lambda value: value.split(","),
                        help=f"comma-separated crawls to run, of: {', '.join(CRAWLS)}")
    parser.add_argument("--format", default="csv,parquet",
                        help="the healthcrawl crawls' --format (csv,parquet unless told, as in earlier "
                             "figures; csv,parquet,jsonl is what a crawl writes by default)")
    args = parser.parse_args()
    port = free_port()
    site = WORK / "site"
    base = f"http://{DEMO_HOST}:{port}"
    print(f"generating {args.pages} articles ...", flush=True)
    generate_site(site, pages=args.pages, base_url=base)
    precompress(site / "www")
    urls = [json.loads(line)["url"].replace(f"{DEMO_HOST}:", "127.0.0.1:")
            for line in (site / "truth" / "records.jsonl").read_text().splitlines()
            if json.loads(line).get("linked", True)]
    url_file = WORK / "urls.txt"
    url_file.write_text("\n".join(urls))
    # Scrapy 2.13+ defaults to one request a second per domain; as in docs/design.md, the
    # "defaults" spider lifts only that (64 concurrent, no delay) and keeps the rest.
    concurrency = ["-s", "CONCURRENT_REQUESTS=64", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64",
                   "-s", "DOWNLOAD_DELAY=0"]
    stats_only = json.dumps({STATS_EXTENSION: 0})
    with_shipped = json.dumps({**project_settings.EXTENSIONS, STATS_EXTENSION: 0})
    thresholds = ",".join(map(str, project_settings.HEALTHCRAWL_GC_THRESHOLDS))
    shipped = [*concurrency, "-s", f"CONCURRENT_ITEMS={project_settings.CONCURRENT_ITEMS}",
               "-s", f"HEALTHCRAWL_GC_THRESHOLDS={thresholds}",
               "-s", f"REMOTE_CONTROL_ENABLED={project_settings.REMOTE_CONTROL_ENABLED}",
               "-s", f"STATS_CLASS={project_settings.STATS_CLASS}"]
    configs: list[tuple[str, list[str], Path, Path]] = []
    for name, extensions, extra in ((BARE, stats_only, concurrency), (BARE_SHIPPED, with_shipped, shipped)):
        stats_file = WORK / f"stats-{len(configs)}.json"
        configs.append((name, [
            PYTHON, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "fetch_only_spider.py"),
            "-a", f"urls={url_file}", "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=0",
            "-s", f"EXTENSIONS={extensions}", "-s", f"STATS_FILE={stats_file}", *extra], stats_file, OUTSIDE))
    out = WORK / "exports"
    one_process = ["-s", "HEALTHCRAWL_WORKER_PROCESSES=0"]
    checkouts = [(OURS, "demo", [], ROOT), (ONE_PROCESS, "demo", one_process, ROOT),
                 (GENERIC, "generic", [], ROOT)]
    if args.baseline is not None:
        baseline = args.baseline.resolve()
        checkouts += [(BASELINE, "demo", [], baseline), (BASELINE_GENERIC, "generic", [], baseline)]
    for name, profile, extra, checkout in checkouts:
        stats_file = WORK / f"stats-{len(configs)}.json"
        configs.append((name, [
            PYTHON, "-m", "crawler", "crawl", "--site", profile, "--start-url", base + "/",
            "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
            "--out", str(out), "--format", args.format, "--log-level", "WARNING",
            "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0",
            "-s", "CONCURRENT_REQUESTS=64", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64",
            "-s", f"EXTENSIONS={with_shipped}", "-s", f"STATS_FILE={stats_file}", *extra],
            stats_file, checkout))
    if args.only:
        wanted = {CRAWLS[key] for key in args.only if key in CRAWLS}
        if len(wanted) != len(args.only):
            parser.error(f"--only takes names of: {', '.join(CRAWLS)}")
        configs = [config for config in configs if config[0] in wanted]
    rounds: list[list[Run]] = []
    with nginx(site, port):
        for number in range(args.rounds):
            print(f"round {number + 1} of {args.rounds} ...", flush=True)
            runs: dict[str, Run] = {}
            for name, command, stats_file, cwd in configs if number % 2 == 0 else configs[::-1]:
                shutil.rmtree(out, ignore_errors=True)
                runs[name] = timed(name, command, stats_file, cwd=cwd)
            rounds.append([runs[name] for name, *_ in configs])
    report(rounds, args.pages, args.format)


def report(rounds: list[list[Run]], pages: int, formats: str) -> None:
    print(f"\ndemo site, {pages} articles, nginx on loopback, one process per crawl, healthcrawl writing "
          f"{formats}, {len(rounds)} rounds taking turns; each row: the crawl with the median pages/s\n")
    print("| run | responses | articles | seconds | pages/s (all rounds) | start s | steady pages/s "
          "| close s | CPU s | CPU ms/page | crawl process CPU ms/page | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for column in zip(*rounds, strict=True):
        run = sorted(column, key=lambda r: r.pages_per_s)[len(column) // 2]
        every = ", ".join(f"{r.pages_per_s:,.0f}" for r in column)
        print(f"| {run.name} | {run.responses:,} | {run.articles:,} | {run.seconds:.1f} | "
              f"{run.pages_per_s:,.0f} ({every}) | {run.start:.2f} | {run.steady_pages_per_s:,.0f} | "
              f"{run.close:.2f} | {run.cpu:.1f} | {run.cpu / run.responses * 1000:.2f} | "
              f"{run.process_cpu / run.responses * 1000:.2f} | {run.peak_rss_mb:.0f} |")
    print()
    comparisons = [(OURS, BARE, ""), (OURS, BARE_SHIPPED, " (target >= 0.9)"), (OURS, ONE_PROCESS, ""),
                   (GENERIC, BARE_SHIPPED, " (target >= 0.75)"), (GENERIC, OURS, ""),
                   (OURS, BASELINE, ""), (GENERIC, BASELINE_GENERIC, "")]
    for ours, other, target in comparisons:
        pairs = [(named(r, ours), named(r, other)) for r in rounds]
        both = [(a, b) for a, b in pairs if a is not None and b is not None]
        ratios = [a.pages_per_s / b.pages_per_s for a, b in both]
        steady = [a.steady_pages_per_s / b.steady_pages_per_s for a, b in both]
        if ratios:
            print(f"{ours} / {other}: median {statistics.median(ratios):.2f}x pages/s{target}; "
                  f"rounds: {', '.join(f'{ratio:.2f}x' for ratio in ratios)}; steady rate (start and "
                  f"close left out): median {statistics.median(steady):.2f}x")


def named(runs: list[Run], name: str) -> Run | None:
    """The run of one round called ``name`` (None when not crawled)."""
    return next((r for r in runs if r.name == name), None)


if __name__ == "__main__":
    main()
