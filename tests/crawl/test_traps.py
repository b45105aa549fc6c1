"""Crawler traps end without a flag: a generic crawl of a site with an endless calendar,
faceted search and session ids in its links finishes in bounded pages with every real
article published, and counts what it did not follow (crawler/middlewares/traps.py)."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.traps import HOPS, TrapCapsMiddleware, TrapHopsMiddleware
from crawler.spiders.health import HealthSpider
from tests.crawl.run_cli import CliRun, healthcrawl
from tests.crawl.scripted_server import Reply, scripted_server

LISTING_PAGES = 15
"""More listing pages in a row than HEALTHCRAWL_TRAP_MAX_HOPS: pagination is never cut."""
PER_PAGE = 3
ARTICLES = [f"/p/{1000 + i}.html" for i in range(LISTING_PAGES * PER_PAGE)]
WORDS = ("sleep", "rest", "body", "repair", "immune", "system", "strong", "adults", "children", "hours",
         "night", "water", "diet", "fruit", "walk", "doctor", "fever", "cough", "heart", "blood", "sugar",
         "salt", "stress", "calm", "breathe", "muscle", "bone", "vitamin", "iron", "morning", "evening",
         "exercise", "habit", "routine", "symptom", "sign", "risk", "care", "family")


def prose(seed: int) -> str:
    """Running text of its own for each article (alike texts would be dropped as copies)."""
    rng = random.Random(seed)
    return ". ".join(" ".join(rng.choices(WORDS, k=10)).capitalize() for _ in range(9)) + "."


ITEM = {"title": "An article"}
"""What a page yields when it is an article (the middleware looks at no field)."""
FACETS = ("color", "size", "brand", "price", "rating", "sort")


def page(title: str, body: str, session: int) -> bytes:
    """A page with the site's chrome: today's calendar day, the search, and links that
    carry a fresh session id on every view (``;jsessionid=``, ``sid``, ``PHPSESSID``)."""
    chrome = (f'<a href="/">Home</a> <a href="/calendar/2024-01-01">Calendar</a> '
              f'<a href="/search?color=red">Search</a> <a href="/list/1;jsessionid=S{session}">News</a> '
              f'<a href="/?sid={session}">Start</a> <a href="/about.html?PHPSESSID={session}">About</a>')
    return (f"<html><head><title>{title}</title></head><body><div>{chrome}</div>"
            f"<h1>{title}</h1>{body}</body></html>").encode()


def trap_site() -> Any:
    """The script of the site: home, a chain of listing pages, articles, and the traps."""
    sessions = itertools.count()

    def script(path: str, seen: int) -> Reply:
        session = next(sessions)
        parts = urlsplit(path)
        route = parts.path.split(";")[0]
        if route == "/robots.txt":
            return Reply(404, b"")
        if route == "/":
            links = "".join(f'<a href="{a}">Article {a}</a> ' for a in ARTICLES[:2])
            return Reply(200, page("Healthy Living", f'{links}<a href="/list/1">Latest</a>', session))
        if route.startswith("/list/"):
            n = int(route.removeprefix("/list/"))
            links = "".join(f'<a href="{a}">Article {a}</a> '
                            for a in ARTICLES[(n - 1) * PER_PAGE:n * PER_PAGE])
            more = f'<a href="/list/{n + 1}">Next</a>' if n < LISTING_PAGES else ""
            return Reply(200, page(f"News page {n}", links + more, session))
        if route in ARTICLES:
            number = int(route[3:7])
            return Reply(200, page(f"Sleep well, part {number}", f"<p>{prose(number)}</p>", session))
        if route.startswith("/calendar/"):  # every day links the next, for ever
            day = int(route.rsplit("-", 1)[1])
            tomorrow = f'<a href="/calendar/2024-01-{day + 1:02d}">Next day</a>'
            return Reply(200, page("Events", tomorrow, session))
        if route == "/search":  # every result page refines by any facet, for ever
            query = dict(parse_qsl(parts.query))
            links = "".join(f'<a href="/search?{parts.query}&{f}={len(query)}{v}">{f}</a> '
                            for f in FACETS if f not in query for v in "ab")
            links += "".join(f'<a href="{a}">Article {a}</a> ' for a in ARTICLES[:3])
            return Reply(200, page("Search results", links, session))
        return Reply(200, page("About us", "<p>Contact us.</p>", session))

    return script


@pytest.fixture(scope="module")
def trap_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CliRun, list[str]]:
    """One ``healthcrawl crawl --site generic`` of the trap site, with no trap setting."""
    with scripted_server(trap_site()) as server:
        run = healthcrawl("crawl", "--site", "generic", "--start-url", server.url + "/",
                          "--format", "jsonl", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0",
                          "-s", "HEALTHCRAWL_WORKER_PROCESSES=0",
                          out=tmp_path_factory.mktemp("traps") / "out", timeout=120)
        return run, [path for _, path in server.log]


def published_paths(run: CliRun) -> list[str]:
    with open(run.out / "latest" / "articles.jsonl", encoding="utf-8") as lines:
        return sorted(urlsplit(json.loads(line)["url"]).path for line in lines)


def test_a_generic_crawl_of_a_site_full_of_traps_publishes_every_article(
        trap_crawl: tuple[CliRun, list[str]]) -> None:
    run, _ = trap_crawl
    assert run.code == 0, run.stderr
    assert published_paths(run) == sorted(ARTICLES)


def test_a_generic_crawl_of_a_site_full_of_traps_ends_in_bounded_pages(
        trap_crawl: tuple[CliRun, list[str]]) -> None:
    run, requests = trap_crawl
    assert run.stats["finish_reason"] == "finished"
    assert len(requests) < 400


def test_an_endless_calendar_is_cut_by_hops_and_counted(trap_crawl: tuple[CliRun, list[str]]) -> None:
    run, requests = trap_crawl
    assert sum(1 for p in requests if p.startswith("/calendar/")) <= 12
    assert run.stats["healthcrawl/traps/hops"] >= 1


def test_faceted_search_is_cut_by_the_query_variant_cap_and_counted(
        trap_crawl: tuple[CliRun, list[str]]) -> None:
    run, requests = trap_crawl
    assert sum(1 for p in requests if p.startswith("/search")) < 200
    assert run.stats["healthcrawl/traps/query_variants"] >= 1


def test_session_ids_in_links_do_not_make_new_pages(trap_crawl: tuple[CliRun, list[str]]) -> None:
    _, requests = trap_crawl
    paths = [urlsplit(p).path.split(";")[0] for p in requests]
    assert paths.count("/list/1") == paths.count("/") == paths.count("/about.html") == 1


def crawler_with(**settings: Any) -> Any:
    crawler = get_crawler(HealthSpider, settings_dict=settings)
    crawler.spider = HealthSpider.from_crawler(crawler, site="generic", start_url="http://127.0.0.1:9/")
    return crawler


def html(url: str, hops: int = 0) -> HtmlResponse:
    request = Request(url, meta={HOPS: hops} if hops else {})
    return HtmlResponse(url, body=b"<html><body></body></html>", request=request)


def test_links_of_a_page_that_yielded_an_article_start_again_at_zero_hops() -> None:
    hops = TrapHopsMiddleware.from_crawler(crawler_with(HEALTHCRAWL_TRAP_MAX_HOPS=2))
    out = list(hops.process_spider_output(html("http://127.0.0.1:9/p/1.html", hops=2),
                                          [ITEM, Request("http://127.0.0.1:9/calendar/1")]))
    assert len(out) == 2 and HOPS not in out[1].meta


def test_a_link_too_many_unproductive_pages_away_is_not_followed() -> None:
    crawler = crawler_with(HEALTHCRAWL_TRAP_MAX_HOPS=2)
    hops = TrapHopsMiddleware.from_crawler(crawler)
    out = list(hops.process_spider_output(html("http://127.0.0.1:9/calendar/3", hops=2),
                                          [Request("http://127.0.0.1:9/calendar/4")]))
    assert out == [] and crawler.stats.get_value("healthcrawl/traps/hops") == 1


def test_sitemap_urls_are_never_cut_by_hops() -> None:
    hops = TrapHopsMiddleware.from_crawler(crawler_with(HEALTHCRAWL_TRAP_MAX_HOPS=1))
    sitemap = XmlResponse("http://127.0.0.1:9/sitemap.xml", body=b"<urlset/>",
                          request=Request("http://127.0.0.1:9/sitemap.xml", meta={HOPS: 5}))
    assert len(list(hops.process_spider_output(sitemap, [Request("http://127.0.0.1:9/x/1")]))) == 1


def test_a_template_whose_pages_yield_articles_is_never_capped() -> None:
    crawler = crawler_with(HEALTHCRAWL_TRAP_MAX_PER_TEMPLATE=1)
    hops, caps = TrapHopsMiddleware.from_crawler(crawler), TrapCapsMiddleware.from_crawler(crawler)
    list(hops.process_spider_output(html("http://127.0.0.1:9/p/1.html"), []))  # unproductive
    list(hops.process_spider_output(html("http://127.0.0.1:9/p/2.html"), [ITEM]))
    caps.process_request(Request("http://127.0.0.1:9/p/3.html"))  # raises IgnoreRequest if capped
    assert crawler.stats.get_value("healthcrawl/traps/template") is None


def test_a_template_whose_pages_bring_nothing_is_capped_at_download() -> None:
    crawler = crawler_with(HEALTHCRAWL_TRAP_MAX_PER_TEMPLATE=2)
    hops, caps = TrapHopsMiddleware.from_crawler(crawler), TrapCapsMiddleware.from_crawler(crawler)
    for day in (1, 2):
        list(hops.process_spider_output(html(f"http://127.0.0.1:9/calendar/{day}"), []))
    with pytest.raises(IgnoreRequest):
        caps.process_request(Request("http://127.0.0.1:9/calendar/3"))
    assert crawler.stats.get_value("healthcrawl/traps/template") == 1


def test_the_keepto_profile_never_requests_search_login_or_calendar_urls() -> None:
    crawler = get_crawler(HealthSpider)
    crawler.spider = spider = HealthSpider.from_crawler(crawler, site="keepto")
    hops = TrapHopsMiddleware.from_crawler(crawler)
    links = ["https://www.keepto.com/search?q=flu", "https://www.keepto.com/login.html",
             "https://www.keepto.com/calendar/2024-01-01", "https://www.keepto.com/p/1.html"]
    out = list(hops.process_spider_output(html("https://www.keepto.com/"), list(spider.follow_new(links))))
    assert [r.url for r in out] == ["https://www.keepto.com/p/1.html"]
    assert crawler.stats.get_value("healthcrawl/traps/skipped_by_profile") == 3
