"""One run at a time per export folder; a dead run's lock blocks nobody."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import RunLocked
from pipelines.lock import RunLock
from tests.crawl.run_cli import REPO, healthcrawl

HOLD = "import sys, time; from pathlib import Path; from pipelines.lock import RunLock; " \
       "RunLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)"


def holder(folder: Path) -> subprocess.Popen[str]:
    """Another process that takes the lock and keeps it."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=REPO, text=True,
                               stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def test_a_second_lock_on_the_folder_is_refused_and_names_the_holder(tmp_path: Path) -> None:
    process = holder(tmp_path)
    try:
        with pytest.raises(RunLocked, match=f"pid {process.pid}, started 20"):
            RunLock(tmp_path).acquire()
    finally:
        process.kill()
        process.wait()


def test_the_lock_of_a_killed_run_blocks_nobody(tmp_path: Path) -> None:
    process = holder(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    lock = RunLock(tmp_path)
    lock.acquire()
    lock.release()


def test_a_released_lock_lets_the_next_run_in(tmp_path: Path) -> None:
    first = RunLock(tmp_path)
    first.acquire()
    first.release()
    RunLock(tmp_path).acquire()


def test_a_crawl_into_a_locked_folder_exits_at_once_with_its_own_code(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = holder(out)
    try:
        run = healthcrawl("crawl", "--site", "generic", "--start-url", "http://127.0.0.1:9/", out=out)
    finally:
        process.kill()
        process.wait()
    assert run.code == RunLocked.exit_code == 75
    assert f"another run is writing to {out} (pid {process.pid}" in run.stderr.splitlines()[-1]


def test_a_check_before_a_run_leaves_the_last_holders_details(tmp_path: Path) -> None:
    """A waiting caller sees a pid in the file only once a run really holds the lock."""
    holder = RunLock(tmp_path)
    holder.acquire()
    holder.release()
    written = (tmp_path / ".lock").read_text()
    check = RunLock(tmp_path)
    check.acquire(record=False)
    check.release()
    assert (tmp_path / ".lock").read_text() == written
