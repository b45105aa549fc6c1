"""What an article page tells beside its text: the links the crawler may follow (its body's,
minus what the page asks crawlers not to follow), and warnings about how it was read."""

from __future__ import annotations

import pytest

from core.profiles import SiteProfile
from core.profiles.generic import GENERIC
from crawler.parse_jobs import ParseJob
from crawler.parsing import parse_article, parse_page
from tests.parsing.twins import FIXTURES

URL = "https://www.example.org/news/12345"
BODY = "<p>" + "Wash your hands often and keep rooms aired every day. " * 12 + "</p>"


def article(head: str = "", links: str = "") -> bytes:
    return (f"<html><head><title>Flu</title>{head}</head><body><article><h1>Flu</h1>{BODY}"
            f"<p>{links}</p></article></body></html>").encode()


def test_body_links_marked_nofollow_are_not_followed() -> None:
    links = '<a href="/guide/1">guide</a> <a rel="nofollow" href="/login">in</a>'
    page = parse_page(article(links=links), URL)
    assert page.body_links == ["https://www.example.org/guide/1"]


def test_a_page_whose_robots_meta_says_nofollow_gives_no_links_at_all() -> None:
    html = article('<meta name="robots" content="noindex, nofollow">', '<a href="/guide/1">guide</a>')
    job = ParseJob(html, URL, "generic", "text/html; charset=utf-8", 200, "2026-01-01T00:00:00+00:00")
    assert job.run().links == []
    assert parse_page(html, URL).record.title == "Flu"  # noindex: still an article


def test_a_gbk_page_declared_utf8_carries_the_misdeclared_encoding_warning() -> None:
    html = article().replace(b"Flu", "流感的预防和症状".encode("gbk")) + "流感".encode("gbk") * 20
    page = parse_page(html, URL, content_type="text/html; charset=utf-8")
    assert "misdeclared_encoding" in page.record.parse_warnings


def test_a_page_nested_past_the_parsers_limit_says_it_was_cut() -> None:
    deep = b"<div>" * 300 + b"deep" + b"</div>" * 300
    html = article(links="").replace(b"</article>", deep + b"<p>after the nest</p></article>")
    assert "too_deep" in parse_page(html, URL).record.parse_warnings


def test_a_page_of_ordinary_depth_is_not_said_to_be_cut() -> None:
    assert "too_deep" not in parse_page(article(), URL).record.parse_warnings


def test_a_nofollow_in_a_second_robots_meta_counts_as_much_as_in_the_first() -> None:
    metas = '<meta name="robots" content="noarchive"><meta name="healthcrawl" content="none">'
    page = parse_page(article(metas, '<a href="/guide/1">guide</a>'), URL)
    assert page.body_links == [] and not page.follow_links


LISTING = ("<html><head><title>Flu</title><script type='application/ld+json'>{\"@type\": "
           "\"CollectionPage\"}</script></head><body><h1>Flu</h1>" + "".join(
               f"<div><h3><a href='/news/{n}'>Flu season news number {n}</a></h3><p>Short teaser.</p></div>"
               for n in range(8)) + "</body></html>").encode()
NOFOLLOW = article('<meta name="robots" content="nofollow">', '<a href="/guide/1">guide</a>')


@pytest.mark.parametrize(("url", "profile"), [("https://www.keepto.com/p/60636.html", None), (URL, GENERIC)])
def test_parse_article_gives_the_record_parse_page_gives_without_reading_what_a_crawler_follows(
        url: str, profile: SiteProfile | None) -> None:
    pages = [(path.name, path.read_bytes()) for path in FIXTURES]
    kinds = set()
    for name, html in [*pages, ("listing", LISTING), ("nofollow", NOFOLLOW)]:
        record = parse_article(html, url, profile=profile, fetched_at="2026-01-01T00:00:00+00:00")
        page = parse_page(html, url, profile=profile, fetched_at="2026-01-01T00:00:00+00:00")
        assert record == page.record, name
        kinds.add((page.page_type, page.follow_links))
    if profile is GENERIC:  # the comparison covered a listing and a nofollow page
        assert ("listing", True) in kinds and ("article", False) in kinds


def test_two_parses_of_one_page_are_equal_and_show_their_fields() -> None:
    first, second = (parse_page(article(), URL, fetched_at="2026-01-01T00:00:00+00:00") for _ in range(2))
    assert first == second
    assert first != parse_page(article(links='<a href="/guide/1">guide</a>'), URL,
                               fetched_at="2026-01-01T00:00:00+00:00")
    assert repr(first).startswith("ParsedPage(record=ArticleRecord(") and "page_type='article'" in repr(first)
