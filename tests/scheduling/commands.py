"""The crawl command a crontab line runs, against a demo server on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site import DemoServer


def crawl_command(server: DemoServer, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--site", "demo", "--start-url", server.base_url + "/",
            "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
            "--format", "parquet", "--out", str(out), "-s", "AUTOTHROTTLE_ENABLED=false",
            "-s", "DOWNLOAD_DELAY=0", *extra]
