"""A parse worker or the table writer that hangs or dies never stalls the crawl, nor
costs a publication already made."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer, generate_site
from crawler.demo_site.site_truth import DOCROOT
from tests.crawl.faulty_jobs import HANG_MARKER
from tests.crawl.run_cli import REPO

PAGES = 60
HANG_GUARD = 120
"""Seconds after which a test counts the crawl as hung (no speed is asserted)."""


@dataclass
class Site:
    start_url: str
    docroot: Path
    server: DemoServer

    def requests_served(self) -> int:
        return len(self.server.requests)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    server = DemoServer(tmp_path / "site", log_requests=True)
    truth = generate_site(tmp_path / "site", pages=PAGES, base_url=server.base_url)
    server.start()
    try:
        yield Site(truth.start_url, tmp_path / "site" / DOCROOT, server)
    finally:
        server.shutdown()


def crawl(site: Site, out: Path, *settings: str) -> subprocess.Popen[str]:
    """``healthcrawl crawl`` of ``site`` in a subprocess, with two parse workers."""
    command = [sys.executable, "-m", "crawler", "crawl", "--site", "demo", "--start-url", site.start_url,
               "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
               "--out", str(out), "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0",
               "-s", "HEALTHCRAWL_WORKER_PROCESSES=2"]
    for setting in settings:
        command += ["-s", setting]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def children(pid: int, command_part: str) -> list[int]:
    """Pids of the live child processes of ``pid`` whose command line holds ``command_part``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and command_part in cmdline:
            found.append(int(entry.name))
    return found


def wait_for_child(process: subprocess.Popen[str], command_part: str) -> int:
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline and process.poll() is None:
        if found := children(process.pid, command_part):
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no child {command_part} of the crawl appeared")


def wait_for_requests(site: Site, count: int) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while site.requests_served() < count:
        assert time.monotonic() < deadline, f"the site was not asked for {count} pages"
        time.sleep(0.05)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def mark_one_article_to_hang(site: Site) -> None:
    page = next(p for p in sorted(site.docroot.rglob("*.html")) if "/p/" in p.as_posix())
    page.write_bytes(page.read_bytes().replace(b"</body>", HANG_MARKER + b"</body>"))


def test_a_killed_table_writer_stops_the_crawl_at_once_exit_1_and_latest_untouched(
        site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = crawl(site, out)
    assert first.wait(HANG_GUARD) == 0, first.communicate()[1][-2000:]
    before, served_by_a_whole_crawl = digest(out / "latest"), site.requests_served()
    slow = crawl(site, out, "DOWNLOAD_DELAY=0.1", "CONCURRENT_REQUESTS=1")
    writer = wait_for_child(slow, "pipelines.table_writer:child_writer")
    wait_for_requests(site, served_by_a_whole_crawl + 5)
    served_before_the_kill = site.requests_served()
    os.kill(writer, signal.SIGKILL)
    _, stderr = slow.communicate(timeout=HANG_GUARD)
    assert slow.returncode == 1, stderr[-2000:]
    assert "table_writer_failed" in stderr and "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("healthcrawl: error: writing the tables failed: the child "
                                              "process pipelines.table_writer:child_writer ended")
    served = site.requests_served() - served_by_a_whole_crawl
    assert served < (served_before_the_kill - served_by_a_whole_crawl) + 20 < served_by_a_whole_crawl
    assert digest(out / "latest") == before


def test_a_table_writer_killed_as_the_crawl_starts_ends_it_in_one_line_exit_1(
        site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = crawl(site, out)
    os.kill(wait_for_child(process, "pipelines.table_writer:child_writer"), signal.SIGKILL)
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr and site.requests_served() == 0
    assert stderr.splitlines()[-1].startswith(f"healthcrawl: error: cannot export to {out}: the child "
                                              "process pipelines.table_writer:child_writer ended")


def test_a_parse_that_hangs_costs_its_page_only(site: Site, tmp_path: Path) -> None:
    mark_one_article_to_hang(site)
    process = crawl(site, tmp_path / "out", "HEALTHCRAWL_WORKER_JOB_TIMEOUT=2",
                    "HEALTHCRAWL_WORKER_HANDLER=tests.crawl.faulty_jobs:hang_on_marked_pages")
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0, stderr[-2000:]
    assert "no answer from a parse worker within 2 s; worker replaced, page skipped: http" in stderr


def test_sigterm_ends_a_crawl_whose_parse_worker_hangs(site: Site, tmp_path: Path) -> None:
    mark_one_article_to_hang(site)
    process = crawl(site, tmp_path / "out",
                    "HEALTHCRAWL_WORKER_HANDLER=tests.crawl.faulty_jobs:hang_on_marked_pages")
    wait_for_child(process, "core.child")
    time.sleep(5)  # a 60-page crawl has met the marked page by now, and waits on it
    workers = children(process.pid, "core.child")
    for _ in range(2):
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 130, stderr[-2000:]
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in (Path(f"/proc/{pid}/stat").read_text().split()[2])
