"""No file is written outside the output and state folders, whatever a page's URL, title
or canonical link holds: paths come from the run, never from what a site sends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.crawl.run_cli import REPO
from tests.crawl.scripted_server import Reply, scripted_server

PROSE = "<p>" + "Wash your hands often and keep the rooms aired every single day. " * 12 + "</p>"
HOSTILE_PATHS = ("/p/..%2F..%2F..%2Fescape/101.html", "/p/%2e%2e/%2e%2e/102.html",
                 "/p/101.html/../../../../103.html", "/p/nul%00byte/104.html")


def page(title: str, canonical: str, links: str = "") -> bytes:
    return (f'<html><head><title>{title}</title><link rel="canonical" href="{canonical}"></head>'
            f"<body><article><h1>{title}</h1>{PROSE}{links}</article></body></html>").encode()


def script(path: str, seen: int) -> Reply:
    if path == "/robots.txt":
        return Reply(404, b"")
    if path == "/":
        links = "".join(f'<a href="{p}">x</a>' for p in HOSTILE_PATHS)
        return Reply(200, page("Home", "/", links))
    return Reply(200, page("../../../../tmp/escape-title", "file:///etc/passwd"))


def files_under(root: Path) -> set[Path]:
    return {Path(folder, name) for folder, _, names in os.walk(root) for name in names}


def test_a_crawl_writes_only_inside_its_output_and_state_folders(tmp_path: Path) -> None:
    cwd, home, out, state = (tmp_path / name for name in ("cwd", "home", "out", "state"))
    for folder in (cwd, home):
        folder.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    with scripted_server(script) as server:
        done = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "--site", "generic", "--start-url", server.url + "/",
             "--out", str(out), "--state-dir", str(state), "--min-articles", "0"],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    written = files_under(tmp_path)
    assert written, "the crawl wrote nothing at all"
    outside = {p for p in written if not p.is_relative_to(out) and not p.is_relative_to(state)}
    assert outside == set()
    assert not any("escape" in p.name for p in written)
