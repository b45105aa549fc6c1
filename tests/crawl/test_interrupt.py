"""Ctrl-C whenever it comes: exit 130, one line, nothing published, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import interrupts
from tests.crawl.run_cli import REPO


def interrupted_demo(out: Path, after: float, times: int = 1) -> tuple[int, str]:
    """``healthcrawl demo`` sent SIGINT ``times`` times, the first ``after`` seconds in."""
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "demo", "--pages", "300", "--out", str(out)], cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as from a terminal
    time.sleep(after)
    for _ in range(times):
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


@pytest.mark.parametrize("after", [0.2, 0.5, 1.0, 1.5])
def test_ctrl_c_at_any_time_exits_130_and_publishes_nothing(tmp_path: Path, after: float) -> None:
    code, stderr = interrupted_demo(tmp_path / "out", after)
    if code == 0:
        pytest.fail(f"the demo finished within {after} s: interrupt it sooner")
    assert code == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("healthcrawl: interrupted")
    assert not (tmp_path / "out" / "latest").exists()
    assert not list((tmp_path / "out").glob("runs/.tmp-*"))


def test_a_second_ctrl_c_still_exits_130(tmp_path: Path) -> None:
    code, stderr = interrupted_demo(tmp_path / "out", 1.5, times=2)
    assert code == 130, stderr[-2000:]
    assert not (tmp_path / "out" / "latest").exists()


def test_once_the_exit_code_is_decided_a_ctrl_c_changes_nothing() -> None:
    script = ("import os, signal, sys; from crawler import interrupts; interrupts.install(); "
              "interrupts.ignore(); os.kill(os.getpid(), signal.SIGINT); sys.exit(3)")
    ended = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert (ended.returncode, ended.stderr) == (3, "")


@pytest.fixture
def handlers() -> Iterator[None]:
    saved = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGINT, saved[0])
    signal.signal(signal.SIGTERM, saved[1])
    interrupts._received.clear()


def test_a_ctrl_c_while_the_modules_load_is_raised_once_they_have(handlers: None) -> None:
    interrupts.defer()
    os.kill(os.getpid(), signal.SIGINT)  # dropped if raised in a destructor, an ImportError in numpy
    with pytest.raises(KeyboardInterrupt):
        interrupts.raise_if_received()


def test_sigterm_raises_as_ctrl_c_does(handlers: None) -> None:
    interrupts.install()
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)
    with pytest.raises(KeyboardInterrupt):  # remembered, should its exception have been lost
        interrupts.raise_if_received()
