"""``healthcrawl serve-demo`` as a user runs it: bad options are one line and exit 2, and
it stops on Ctrl-C or SIGTERM with 130, leaving no temporary site behind."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crawler.cli import main
from crawler.demo_site import SiteTruth
from tests.crawl.run_cli import REPO


def serve_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", "serve-demo", *args], cwd=REPO,
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
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve-demo", "--pages", "5"],
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


def test_an_unknown_layout_is_bad_input() -> None:
    done = serve_demo("--layout", "brochure")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "keepto, magazine" in done.stderr


@pytest.mark.parametrize("spec", ["80-5", "x", "0-3"])
def test_a_bad_article_block_range_is_bad_input(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve-demo", "--article-blocks", spec]) == 2  # refused before anything is served
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"--article-blocks {spec}: expected LOW-HIGH" in error


def test_the_served_site_has_the_article_blocks_asked_for(tmp_path: Path) -> None:
    site = ["--pages", "5", "--dir", str(tmp_path / "site")]
    assert "(keepto layout, 40-80 blocks an article)" in serve_once(*site, "--article-blocks", "40-80")[0]
    assert SiteTruth.load(tmp_path / "site").article_blocks == (40, 80)
    serve_once(*site)  # another length: generated anew, not reused
    assert SiteTruth.load(tmp_path / "site").article_blocks is None


@pytest.mark.parametrize(("layout", "site"), [("keepto", "demo"), ("magazine", "healthdemo.test")],
                         ids=["keepto-demo-profile", "magazine-generic-profile"])
def test_the_command_serve_demo_prints_crawls_it_with_no_host_map(tmp_path: Path, layout: str,
                                                                  site: str) -> None:
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve-demo", "--pages", "30",
                                "--layout", layout],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        command = lines[2].removeprefix("Crawl it with: ").split()
        assert command[:2] == ["healthcrawl", "crawl"] and "--host-map" not in command, lines
        done = subprocess.run([sys.executable, "-m", "crawler", *command[1:-2], "--out",
                               str(tmp_path / "out"), "--format", "parquet"],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((tmp_path / "out" / "latest" / "manifest.json").read_text())
    assert manifest["row_counts"]["articles"] >= 25
    assert set(pd.read_parquet(tmp_path / "out" / "latest" / "articles.parquet")["site"]) == {site}
    assert "DNSLookupError" not in done.stderr and "Traceback" not in done.stderr


def serve_once(*args: str) -> list[str]:
    """Start serve-demo, read what it printed up to the crawl command, stop it."""
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve-demo", *args], cwd=REPO,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    while not lines or not lines[-1].startswith("Crawl it with"):
        lines.append(process.stdout.readline())
        assert lines[-1], lines
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    return lines


def test_edit_and_remove_change_the_served_site_before_serving_it_again(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    site = ["--pages", "40", "--dir", str(tmp_path / "site"), "--port", port]
    serve_once(*site)
    lines = serve_once(*site, "--edit", "0.1", "--remove", "0.05")
    assert "Changed since the last serve: 4 articles edited, 2 removed\n" in lines
    assert len((tmp_path / "site" / "truth" / "mutations.jsonl").read_text().splitlines()) == 1
