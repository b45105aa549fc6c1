"""Redis unreachable, at the start or mid-run: one clear line, exit 69, and nothing already
published is lost."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from crawler.demo_site import DemoServer, SiteTruth, generate_site
from pipelines.parts import PART_FILE
from tests.crawl.run_cli import CliRun, healthcrawl
from tests.destinations.postgres_server import free_port
from tests.distributed.redis_server import RedisServer, start_server
from tests.distributed.workers import run, seed, start_worker

UNAVAILABLE = 69


def error_lines(run: CliRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("healthcrawl: error:")]


@pytest.fixture
def nowhere() -> str:
    """A Redis URL nothing listens at."""
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def published_before(tmp_path: Path) -> Path:
    """An export folder that already holds a publication (a one-process crawl's)."""
    out = tmp_path / "exports"
    demo = healthcrawl("demo", "--pages", "20", "--format", "csv", out=out, timeout=120)
    assert demo.code == 0, demo.stderr
    return out


def latest_files(out: Path) -> dict[str, bytes]:
    latest = (out / "latest").resolve()
    return {str(path.relative_to(latest)): path.read_bytes() for path in latest.rglob("*") if path.is_file()}


@pytest.mark.parametrize("command", ["seed", "publish"])
def test_seed_and_publish_say_an_unreachable_redis_in_one_line_and_exit_69(
        command: str, nowhere: str, tmp_path: Path) -> None:
    args = ("seed", "--redis", nowhere, "https://example.org/") if command == "seed" else (
        "publish", "--redis", nowhere)
    result = run(*args, out=tmp_path / "exports")
    assert result.code == UNAVAILABLE
    assert len(error_lines(result)) == 1 and "Redis" in error_lines(result)[0]
    assert "Traceback" not in result.stderr


def test_a_worker_whose_redis_is_unreachable_at_start_exits_69_and_keeps_the_publication(
        nowhere: str, published_before: Path, tmp_path: Path) -> None:
    before = latest_files(published_before)
    result = healthcrawl("crawl", "--redis", nowhere, "--site", "demo",
                         "--start-url", "http://www.healthdemo.test/", out=published_before)
    assert result.code == UNAVAILABLE
    assert len(error_lines(result)) == 1 and nowhere in error_lines(result)[0]
    assert "Traceback" not in result.stderr
    assert latest_files(published_before) == before


def test_a_worker_whose_redis_dies_mid_run_exits_69_keeps_its_parts_and_the_publication(
        published_before: Path, tmp_path: Path) -> None:
    before = latest_files(published_before)
    own_redis: RedisServer = start_server()
    server = DemoServer(tmp_path / "site", log_requests=True)
    try:
        truth: SiteTruth = generate_site(tmp_path / "site", pages=300, base_url=server.base_url)
        server.start()
        assert seed(own_redis.url(), truth, published_before).code == 0
        worker = start_worker(own_redis.url(), truth, published_before, "-s", "DOWNLOAD_DELAY=0.02")
        deadline = time.monotonic() + 60
        parts = published_before / "parts"
        while not any(parts.rglob(PART_FILE)) and time.monotonic() < deadline:
            time.sleep(0.05)
        own_redis.stop()
        result = worker.wait(timeout=120)
    finally:
        server.shutdown()
        own_redis.stop()
    assert result.code == UNAVAILABLE, result.stderr[-3000:]
    assert len(error_lines(result)) == 1 and "Redis" in error_lines(result)[0]
    assert "Traceback" not in result.stderr
    assert any(parts.rglob(PART_FILE))
    assert latest_files(published_before) == before
    assert os.listdir(published_before / "runs")
