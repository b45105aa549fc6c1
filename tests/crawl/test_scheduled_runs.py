"""What a scheduler sees: the same crawl command run twice in a row, and twice at once,
against a demo site on loopback (as README "Scheduling" documents it)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer, generate_site
from tests.crawl.run_cli import REPO


@contextmanager
def demo_site(tmp_path: Path, pages: int, delay: float = 0) -> Iterator[list[str]]:
    """A served demo site, and the crawl command README's crontab line runs against it
    (``--incremental --resume``; ``delay`` seconds between requests, to make a run last)."""
    server = DemoServer(tmp_path / "site")
    try:
        truth = generate_site(tmp_path / "site", pages=pages, base_url=server.base_url)
        server.start()
        yield [sys.executable, "-m", "crawler", "crawl", "--site", "demo", "--start-url", truth.start_url,
               "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
               "--format", "parquet", "--out", str(tmp_path / "out"), "-s", "AUTOTHROTTLE_ENABLED=false",
               "-s", f"DOWNLOAD_DELAY={delay}", "--incremental", "--resume"]
    finally:
        server.shutdown()


def test_two_runs_in_a_row_both_publish_and_latest_is_the_second(tmp_path: Path) -> None:
    with demo_site(tmp_path, pages=30) as command:
        first = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
        second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), second.stderr[-2000:]
    runs = sorted(p.name for p in (tmp_path / "out" / "runs").iterdir())
    assert len(runs) == 2 and (tmp_path / "out" / "latest").resolve().name == runs[-1]


def test_two_runs_at_once_one_publishes_and_the_other_exits_75_naming_it(tmp_path: Path) -> None:
    with demo_site(tmp_path, pages=30, delay=0.15) as command:  # the first run lasts ~10 s
        first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
        lock = tmp_path / "out" / ".lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text() and json.loads(lock.read_text())["pid"] == first.pid):
            assert time.monotonic() < deadline and first.poll() is None, "the first run never took the lock"
            time.sleep(0.05)
        second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
        _, first_stderr = first.communicate(timeout=120)
    assert first.returncode == 0, first_stderr[-2000:]
    assert second.returncode == 75
    assert second.stderr.strip().splitlines() == [
        f"healthcrawl: error: another run is writing to {tmp_path / 'out'} (pid {first.pid}, "
        f"started {json.loads(lock.read_text())['started_at']}); try again when it has finished"]
