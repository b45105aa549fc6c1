"""The built-in demo health site: a generator of static article pages in the layout of
the golden pages, with their ground truth, and a loopback HTTP server for them.

``generate_site`` writes a site and returns its :class:`SiteTruth`; ``DemoServer`` serves
it (both host names, gzip, charsets, a 301, 404s); ``run_demo_server`` does both for the CLI.
"""

from __future__ import annotations

from crawler.demo_site.generator import generate_site
from crawler.demo_site.server import DemoServer, run_demo_server
from crawler.demo_site.site_truth import SiteTruth

__all__ = ["DemoServer", "SiteTruth", "generate_site", "run_demo_server"]
