"""One real crawl of a generated demo site, shared by the end-to-end tests: the demo
server on 127.0.0.1 (logging what it served), ``healthcrawl crawl`` in a subprocess."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from core.urls import canonicalize_url
from crawler.demo_site import DemoServer, SiteTruth, generate_site
from tests.crawl.run_cli import CliRun, healthcrawl

PAGES = 200


@dataclass
class DemoCrawl:
    truth: SiteTruth
    run: CliRun
    requests: list[tuple[str, str, str]]
    """(method, Host, path) of everything the server served during the crawl."""

    @property
    def published(self) -> Path:
        return self.run.out / "latest"

    def fetched_urls(self) -> list[str]:
        scheme = urlsplit(self.truth.start_url).scheme
        return [f"{scheme}://{host}{path}" for method, host, path in self.requests if method == "GET"]

    def canonical(self, url: str) -> str:
        return canonicalize_url(url, self.truth.host_aliases)

    def exported_records(self) -> list[dict[str, Any]]:
        with open(self.published / "articles.jsonl", encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]

    def truth_records(self) -> list[dict[str, Any]]:
        return list(self.truth.iter_records())

    def path(self, url: str) -> str:
        return urlsplit(url).path


def crawl_demo_site(workdir: Path, pages: int = PAGES, workers: int = 2,
                    ssl_context: ssl.SSLContext | None = None, layout: str = "keepto",
                    site_profile: str = "demo") -> DemoCrawl:
    """Crawl a fresh demo site in ``layout`` with the ``site_profile`` profile and
    ``workers`` worker processes (2: the pool is used whatever the machine's core count),
    over HTTPS when given ``ssl_context``."""
    site = workdir / "site"
    server = DemoServer(site, log_requests=True, ssl_context=ssl_context)
    try:
        truth = generate_site(site, pages=pages, base_url=server.base_url, layout=layout)
        server.start()
        run = healthcrawl(
            "crawl", "--site", site_profile, "--start-url", truth.start_url,
            "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
            "--format", "csv,parquet,jsonl", "-s", "AUTOTHROTTLE_ENABLED=false",
            "-s", "DOWNLOAD_DELAY=0", "-s", f"HEALTHCRAWL_WORKER_PROCESSES={workers}",
            out=workdir / "exports", timeout=300,
        )
        return DemoCrawl(truth, run, server.requests)
    finally:
        server.shutdown()
