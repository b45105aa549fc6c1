"""``healthcrawl demo``: the whole product in one command, on loopback only.

Generate the demo site into a temporary folder, serve it on a free 127.0.0.1 port under
its two host names (mapped to 127.0.0.1, no DNS), crawl it with the ``demo`` profile,
publish the tables. Throttling is off: the server is ours and local. Each demo site is
generated anew, so its state (``pipelines.state``) lives in the temporary folder too,
unless ``--state-dir`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST
from crawler.demo_site.generator import generate_site
from crawler.demo_site.scratch import demo_scratch
from crawler.demo_site.server import DemoServer
from crawler.params import CrawlParams
from crawler.run import CrawlResult, run_crawl

DEMO_SETTINGS: Mapping[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "HEALTHCRAWL_HOST_MAP": {DEMO_HOST: "127.0.0.1", DEMO_MOBILE_HOST: "127.0.0.1"},
}


def run_demo(pages: int, overrides: Mapping[str, Any], *, seed: int = 0) -> CrawlResult:
    with demo_scratch() as scratch:
        server = DemoServer(scratch / "site")
        try:
            generate_site(scratch / "site", pages=pages, seed=seed, base_url=server.base_url)
            server.start()
            params = CrawlParams.from_args(site="demo", start_url=server.base_url + "/")
            state = {"HEALTHCRAWL_STATE_DIR": str(scratch / "state")}
            return run_crawl(params, {**DEMO_SETTINGS, **state, **overrides})
        finally:
            server.shutdown()
