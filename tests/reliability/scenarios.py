"""The faults and bad inputs a crawl must survive, one row of ``docs/RELIABILITY.md`` each.

A *crawl* row is a whole ``healthcrawl crawl`` of a demo site whose server injects the
fault (``crawler.demo_site.faults``), measured by ``tests.reliability.harness``; a *unit*
row names the tests that pin a fault down where a crawl cannot reach it (a key collision,
a 5 MB page, a dead worker). ``make reliability`` runs them all and writes the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrawlScenario:
    name: str
    fault: str
    """What the site does wrong, in the matrix's words."""
    spec: str
    """The demo server's fault spec (``Faults.parse``)."""
    settings: tuple[str, ...] = ()
    """``-s NAME=VALUE`` for the crawl (short timeouts keep hung answers short)."""
    site: str = "demo"


SHORT_TIMEOUT = ("DOWNLOAD_TIMEOUT=4",)

CRAWLS = (
    CrawlScenario("server-errors", "500 and 503 answers, and bursts of 503",
                  "500=0.1,503=0.1,burst=4,burst_every=40"),
    CrawlScenario("rate-limited", "429 with Retry-After", "429=0.15,retry_after=1"),
    CrawlScenario("hangs", "connections that hang past the download timeout", "hang=0.03,hang_seconds=8",
                  SHORT_TIMEOUT),
    CrawlScenario("resets", "connections reset before an answer", "reset=0.1"),
    CrawlScenario("truncated", "connections closed mid-body", "truncate=0.1"),
    CrawlScenario("drip", "slow drip answers", "drip=0.05,drip_seconds=2,drip_chunks=8"),
    CrawlScenario("wrong-type", "articles served with a wrong Content-Type", "wrongtype=0.05"),
    CrawlScenario("binary", "binary bytes and empty bodies served as text/html", "binary=0.05,empty=0.05"),
    CrawlScenario("gzip-bomb", "gzip bombs and bodies over the size cap", "bomb=0.03,oversize=0.03"),
    CrawlScenario("redirects", "redirect loops and off-site redirects", "loop=0.05,offsite=0.05"),
    CrawlScenario("encodings", "header says UTF-8, body is GBK", "mislabel=1"),
    CrawlScenario("traps", "calendar, faceted-search and session-id traps", "trap=all"),
    CrawlScenario("traps-generic", "the same traps, crawled with the generic profile", "trap=all",
                  ("HEALTHCRAWL_MIN_ARTICLES=1",), site="generic"),
    CrawlScenario("sitemaps", "hostile sitemaps: entity expansion, external entities, oversize, "
                  "gzip that is not gzip, a gzip bomb", "sitemap=all"),
    CrawlScenario("odd-links", "links to other hosts, file:, javascript:, odd characters", "links=1"),
    CrawlScenario("everything", "all of the above at once", (
        "500=0.03,503=0.03,429=0.03,hang=0.01,reset=0.02,truncate=0.02,drip=0.01,binary=0.01,"
        "empty=0.01,wrongtype=0.01,bomb=0.01,oversize=0.01,loop=0.01,offsite=0.01,mislabel=0.3,"
        "trap=all,sitemap=all,links=1,hang_seconds=8,drip_seconds=2"), SHORT_TIMEOUT),
)


@dataclass(frozen=True, slots=True)
class UnitRow:
    fault: str
    tests: tuple[str, ...]
    """pytest node ids (a file, or a file::test)."""


UNITS = (
    UnitRow("article keys that collide across sections; a copy superseding its own key",
            ("tests/pipelines/test_key_collisions.py",)),
    UnitRow("rel=canonical pointing every page at the home page", ("tests/crawl/test_canonical_links.py",)),
    UnitRow("a parse that hangs; a worker killed mid-crawl; a page that kills workers",
            ("tests/crawl/test_hangs.py", "tests/crawl/test_worker_pool.py")),
    UnitRow("the table writer dying or hanging mid-crawl",
            ("tests/crawl/test_hangs.py", "tests/test_child.py")),
    UnitRow("pathological pages: 5 MB, 200,000 nested elements, a 1 MB line",
            ("tests/parsing/test_pathological_pages.py",)),
    UnitRow("sitemaps over 10 MB, over 50,000 URLs, declaring entities, bad gzip",
            ("tests/crawl/test_sitemaps.py",)),
    UnitRow("429/503 storms hold the whole site", ("tests/crawl/test_politeness.py",)),
    UnitRow("robots.txt answering 5xx, 429, 4xx or nothing, redirected off-site or in a loop, over the size "
            "cap; requests waiting for it", ("tests/crawl/test_robots_rules.py",)),
    UnitRow("empty, binary and unparsable pages; mis-declared encodings",
            ("tests/crawl/test_bad_pages.py", "tests/parsing/test_decoding.py")),
    UnitRow("crawler traps and session ids with the generic profile", ("tests/crawl/test_traps.py",)),
    UnitRow("an IP start URL: no DNS lookup of a derived mobile host",
            ("tests/crawl/test_ip_start_url.py",)),
    UnitRow("URLs, site names and titles that would write outside the output folders",
            ("tests/reliability/test_paths.py",)),
    UnitRow("random and mutated input to the parser, sitemaps, robots.txt and URLs",
            ("tests/parsing/test_never_raises.py",)),
)
