"""Which links the spider turns into requests, and the canonical URL each request carries."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.utils.test import get_crawler

from core.profiles import all_host_aliases
from crawler.fingerprint import CanonicalUrlFingerprinter
from crawler.parsing.links import page_links
from crawler.spiders.health import HealthSpider


def spider(site: str = "keepto", start_url: str = "https://www.keepto.com/") -> HealthSpider:
    crawler = get_crawler(HealthSpider)
    made: HealthSpider = HealthSpider.from_crawler(crawler, site=site, start_url=start_url)
    crawler.spider = made
    return made


def urls(requests: list[Request]) -> list[str]:
    return [request.url for request in requests]


def test_a_start_url_already_in_canonical_form_is_requested() -> None:
    async def start() -> list[Request]:
        return [request async for request in spider().start()]

    assert urls(asyncio.run(start())) == ["https://www.keepto.com/robots.txt", "https://www.keepto.com/"]


def test_a_link_already_in_canonical_form_is_followed_once() -> None:
    health = spider()
    links = ["https://www.keepto.com/p/1.html", "https://www.keepto.com/p/1.html"]
    assert urls(list(health.follow_new(links))) == ["https://www.keepto.com/p/1.html"]


def test_other_spellings_of_a_requested_page_are_not_followed() -> None:
    health = spider()
    first = list(health.follow_new(["https://www.keepto.com/p/1.html"]))
    again = ["http://www.keepto.com/p/1.html", "https://m.keepto.com/p/1.html?utm_source=x",
             "https://www.keepto.com/p/1.html#comments"]
    assert len(first) == 1 and list(health.follow_new(again)) == []


def test_off_site_and_non_http_links_are_not_followed() -> None:
    links = ["https://other.example/p/1.html", "mailto:a@keepto.com", "https://www.keepto.com/p/2.html"]
    assert urls(list(spider().follow_new(links))) == ["https://www.keepto.com/p/2.html"]


def test_a_link_that_is_no_valid_url_is_counted_and_skipped() -> None:
    health = spider()
    links = ["https://www.keepto.com:99999/p/1.html", "http://[broken/p/1.html", "https://www.keepto.com/p/2.html"]
    assert urls(list(health.follow_new(links))) == ["https://www.keepto.com/p/2.html"]
    assert health.crawler.stats.get_value("healthcrawl/spider/skipped/bad_link") == 2


def test_a_request_carries_the_canonical_url_its_fingerprint_would_compute() -> None:
    health = spider(site="generic", start_url="https://keepto.com/")
    [request] = health.follow_new(["http://m.keepto.com/p/1.html", "http://www.keepto.com/p/1.html"])
    fingerprinter = CanonicalUrlFingerprinter(all_host_aliases())
    assert fingerprinter.fingerprint(request) == fingerprinter.fingerprint(Request(request.url))


def test_links_marked_nofollow_are_not_collected() -> None:
    html = ('<a href="/p/1.html">a</a> <a rel="nofollow" href="/calendar/1">b</a>'
            ' <a rel="Help NoFollow" href="/x">c</a>')
    assert page_links(html, "https://www.keepto.com/") == ["https://www.keepto.com/p/1.html"]


def test_a_page_whose_robots_meta_says_nofollow_yields_no_links() -> None:
    html = ('<html><head><meta name="Robots" content="noindex, NOFOLLOW"></head>'
            '<body><a href="/p/1.html">a</a></body></html>')
    assert page_links(html, "https://www.keepto.com/") == []


def test_a_page_whose_robots_meta_says_noindex_only_yields_its_links() -> None:
    html = ('<html><head><meta name="robots" content="noindex"></head>'
            '<body><a href="/p/1.html">a</a></body></html>')
    assert page_links(html, "https://www.keepto.com/") == ["https://www.keepto.com/p/1.html"]
