"""``healthcrawl serve-demo`` as a user runs it: bad options are one line and exit 2, and
it stops on Ctrl-C or SIGTERM with 130, leaving no temporary site behind."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawl.run_cli import REPO


def serve_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "serve-demo", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_a_port_out_of_range_is_bad_input() -> None:
    done = serve_demo("--port", "99999")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--port 99999" in done.stderr


def test_a_dir_that_is_a_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    done = serve_demo("--dir", str(tmp_path / "file"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is not a folder" in done.stderr


def test_a_port_in_use_is_bad_input() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = serve_demo("--port", str(taken.getsockname()[1]), "--pages", "5")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Address already in use" in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_exits_130_and_removes_the_temporary_site(stop: signal.Signals) -> None:
    process = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve-demo", "--pages", "5"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    found = re.search(r"articles in (\S+)", process.stdout.readline())
    assert found is not None
    site = Path(found.group(1))
    assert site.is_dir()
    process.stdout.readline()  # serving
    process.send_signal(stop)
    assert process.wait(timeout=30) == 130
    assert not site.exists()
