"""A crawl of an IP start URL looks no name up: ``m.127.0.0.1``, which a page linking its
own mobile alias (``m.`` + host) makes, is no subdomain of an address, so it is filtered
offsite instead of being resolved through DNS (crawler/middlewares/offsite.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from core.urls import is_address
from crawler.spiders.health import HealthSpider
from tests.crawl.run_cli import healthcrawl
from tests.crawl.scripted_server import Reply, scripted_server

LOOKUPS_FILE = "TEST_DNS_LOOKUPS_FILE"
"""Setting: the file where :class:`RecordingResolver` writes each name it is asked for."""


class RecordingResolver(CachingThreadedResolver):
    """Writes every name the crawl asks for to a file; answers an address with itself and
    fails any other name: a lookup never leaves the machine, even on the code this test
    guards against."""

    log: Path

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> RecordingResolver:
        resolver = cls(reactor, 0, 1.0)
        resolver.log = Path(crawler.settings.get(LOOKUPS_FILE))
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:  # noqa: N802
        with self.log.open("a", encoding="utf-8") as log:
            log.write(name + "\n")
        if is_address(name):
            return defer.succeed(name)
        return defer.fail(DNSLookupError(name))


def test_a_crawl_of_an_ip_start_url_never_looks_up_its_m_alias(tmp_path: Path) -> None:
    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404, b"")
        port = server.url.rsplit(":", 1)[1]
        mobile = f'<a href="http://m.127.0.0.1:{port}/">Mobile site</a>'
        return Reply(200, f"<html><body><h1>Home</h1>{mobile}</body></html>".encode())

    lookups = tmp_path / "lookups.txt"
    lookups.touch()
    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--start-url", server.url + "/",
                          "--min-articles", "0", "--format", "jsonl",
                          "-s", f"TWISTED_DNS_RESOLVER={__name__}.RecordingResolver",
                          "-s", f"{LOOKUPS_FILE}={lookups}", out=tmp_path / "out")
    assert run.code == 0, run.stderr
    assert "m.127.0.0.1" not in lookups.read_text(encoding="utf-8").split()


def test_the_spider_takes_no_subdomain_of_an_address_for_on_site() -> None:
    spider = HealthSpider(site="generic", start_url="http://127.0.0.1:8080/")
    assert spider.on_site("http://127.0.0.1:8080/p/1.html")
    assert not spider.on_site("http://m.127.0.0.1:8080/p/1.html")
