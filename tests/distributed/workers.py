"""Workers of a distributed crawl as users run them: ``healthcrawl seed``, then
``healthcrawl crawl --redis`` in subprocesses beside each other, then ``healthcrawl
publish``; the demo site served on 127.0.0.1, logging what it served."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer, SiteTruth, generate_site
from crawler.demo_site.faults import Faults
from tests.crawl.run_cli import REPO, CliRun, healthcrawl

IDLE_SECONDS = 1.0
"""Short: a worker stops this long after the run went quiet."""


@dataclass
class Worker:
    process: subprocess.Popen[str]
    out: Path

    def wait(self, timeout: float = 300) -> CliRun:
        stdout, stderr = self.process.communicate(timeout=timeout)
        return CliRun(self.process.returncode, stdout, stderr, self.out)


@contextmanager
def seeded_site(folder: Path, redis_url: str, out: Path, pages: int,
                faults: Faults | None = None) -> Iterator[tuple[DemoServer, SiteTruth]]:
    """A demo site of ``pages`` generated in ``folder / "site"`` and served on 127.0.0.1,
    logging its requests (with ``faults``), and a run seeded to crawl it into ``out``;
    the server stops on leaving."""
    server = DemoServer(folder / "site", log_requests=True, faults=faults)
    try:
        truth = generate_site(folder / "site", pages=pages, base_url=server.base_url)
        server.start()
        assert seed(redis_url, truth, out).code == 0
        yield server, truth
    finally:
        server.shutdown()


def seed(redis_url: str, truth: SiteTruth, out: Path, *flags: str) -> CliRun:
    return run("seed", "--redis", redis_url, *flags, truth.start_url, out=out)


def start_worker(redis_url: str, truth: SiteTruth, out: Path, *settings: str) -> Worker:
    """One ``healthcrawl crawl --redis`` worker, started and left running."""
    command = [sys.executable, "-m", "crawler", "crawl", "--redis", redis_url,
               "--redis-idle", str(IDLE_SECONDS), "--site", "demo", "--start-url", truth.start_url,
               "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
               "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0",
               "-s", "HEALTHCRAWL_WORKER_PROCESSES=0", "-s", "HEALTHCRAWL_PART_ARTICLES=50",
               "-s", "HEALTHCRAWL_REDIS_DEAD_AFTER=3", *settings, "--out", str(out)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return Worker(process, out)


def publish(redis_url: str, out: Path) -> CliRun:
    return run("publish", "--redis", redis_url, out=out)


def run(*args: str, out: Path) -> CliRun:
    """``healthcrawl`` with ``--out`` for the commands that take it."""
    if args[0] == "seed":
        done = subprocess.run([sys.executable, "-m", "crawler", *args], cwd=REPO, capture_output=True,
                              text=True, timeout=60)
        return CliRun(done.returncode, done.stdout, done.stderr, out)
    return healthcrawl(*args, out=out, timeout=300)
