"""A run killed with SIGKILL mid-crawl, then ``--resume``: every article published
exactly once, none missing, and what the dead run fetched is not fetched again."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer, generate_site
from tests.crawl.run_cli import REPO
from tests.scheduling.commands import crawl_command


def stored_pages(state: Path) -> int:
    try:
        with sqlite3.connect(f"{state.resolve().as_uri()}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM pages").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_run_killed_mid_crawl_and_resumed_publishes_every_article_exactly_once(tmp_path: Path) -> None:
    server = DemoServer(tmp_path / "site")
    out = tmp_path / "out"
    try:
        truth = generate_site(tmp_path / "site", pages=60, base_url=server.base_url)
        server.start()
        slow = crawl_command(server, out, "-s", "DOWNLOAD_DELAY=0.1",
                             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        killed = subprocess.Popen(slow, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while stored_pages(out / ".state" / "state.sqlite") < 15:
            assert killed.poll() is None and time.monotonic() < deadline, "the run ended before it was killed"
            time.sleep(0.1)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        (temp,) = (out / "runs").glob(".tmp-*")
        dead_run = temp.name.removeprefix(".tmp-")
        resumed = subprocess.run(crawl_command(server, out, "--resume"), cwd=REPO, capture_output=True,
                                 text=True, timeout=180)
    finally:
        server.shutdown()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"resuming run {dead_run}" in resumed.stderr
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["run_id"] == dead_run and manifest["attempt"] == 2
    assert manifest["crawl_stats"]["healthcrawl/spider/resumed"] >= 10
    expected = {f"demo:{r['article_id']}" for r in truth.iter_records()
                if r["kind"] in ("original", "orphan")}
    articles = pd.read_parquet(out / "latest" / "articles.parquet")
    assert articles["article_key"].is_unique
    assert set(articles["article_key"]) == expected
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".tmp-")]


def test_resume_without_an_interrupted_run_starts_a_new_one(tmp_path: Path) -> None:
    server = DemoServer(tmp_path / "site")
    try:
        generate_site(tmp_path / "site", pages=20, base_url=server.base_url)
        server.start()
        done = subprocess.run(crawl_command(server, tmp_path / "out", "--resume"), cwd=REPO,
                              capture_output=True, text=True, timeout=180)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resuming" not in done.stderr
    assert json.loads((tmp_path / "out" / "latest" / "manifest.json").read_text())["attempt"] == 1


def test_a_scrapy_job_stopped_and_resumed_with_jobdir_publishes_every_article_exactly_once(
        tmp_path: Path) -> None:
    server = DemoServer(tmp_path / "site")
    out = tmp_path / "out"
    try:
        truth = generate_site(tmp_path / "site", pages=60, base_url=server.base_url)
        server.start()
        host_map = json.dumps({DEMO_HOST: "127.0.0.1", DEMO_MOBILE_HOST: "127.0.0.1"})
        command = [sys.executable, "-m", "scrapy", "crawl", "health", "-a", "site=demo",
                   "-a", f"start_url={truth.start_url}", "-s", f"HEALTHCRAWL_HOST_MAP={host_map}",
                   "-s", f"HEALTHCRAWL_EXPORT_DIR={out}", "-s", f"JOBDIR={tmp_path / 'job'}",
                   "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        stopped = subprocess.Popen([*command, "-s", "DOWNLOAD_DELAY=0.1"], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while stored_pages(out / ".state" / "state.sqlite") < 15:
            assert stopped.poll() is None and time.monotonic() < deadline, "the job ended too soon"
            time.sleep(0.1)
        stopped.send_signal(signal.SIGINT)  # Scrapy's graceful stop, which keeps the job's queue
        stopped.wait(timeout=60)
        resumed = subprocess.run([*command, "-s", "DOWNLOAD_DELAY=0"], cwd=REPO, capture_output=True,
                                 text=True, timeout=180)
    finally:
        server.shutdown()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["attempt"] == 2
    articles = pd.read_parquet(out / "latest" / "articles.parquet")
    expected = {f"demo:{r['article_id']}" for r in truth.iter_records()
                if r["kind"] in ("original", "orphan")}
    assert articles["article_key"].is_unique and set(articles["article_key"]) == expected
