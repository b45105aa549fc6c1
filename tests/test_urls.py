"""URL canonicalization (one function for parser, fingerprint and dedup) and the URL
the spider actually requests."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request

from core.urls import (
    CANONICAL_URL,
    canonical_of,
    canonicalize_url,
    fetch_url,
    host_name,
    is_address,
    path_and_query,
    url_template,
)
from crawler.fingerprint import CanonicalUrlFingerprinter

ALIASES = {"m.keepto.com": "www.keepto.com"}


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://www.keepto.com/p/1.html", "http://www.keepto.com/p/1.html", True),
        ("https://www.keepto.com/p/1.html", "https://WWW.Keepto.COM/p/1.html", True),
        ("https://www.keepto.com/p/1.html", "https://www.keepto.com:443/p/1.html", True),
        ("https://www.keepto.com/p/1.html", "https://www.keepto.com/p/1.html#top", True),
        ("https://www.keepto.com/p/1.html", "https://www.keepto.com/p/1.html?utm_source=x&spm=1.2", True),
        ("https://www.keepto.com/p/1.html", "https://m.keepto.com/p/1.html", True),
        ("https://www.keepto.com/p/1.html?fbclid=a&gclid=b&from=c&share=d",
         "https://www.keepto.com/p/1.html", True),
        ("https://www.keepto.com/a/?b=2&a=1", "https://www.keepto.com/a/index.html?a=1&b=2", True),
        ("https://www.keepto.com/jibing/", "https://www.keepto.com/jibing", True),
        ("https://www.keepto.com/p/1.html", "https://www.keepto.com/p/2.html", False),
        ("https://www.keepto.com/p/1.html?page=2", "https://www.keepto.com/p/1.html", False),
        ("https://www.keepto.com/p/1.html", "https://www.keepto.com:8443/p/1.html", False),
        ("https://www.keepto.com/p/1.html", "https://other.com/p/1.html", False),
        ("https://www.keepto.com/P/1.html", "https://www.keepto.com/p/1.html", False),
        ("https://www.keepto.com/p/1.html;jsessionid=0A1B2C", "https://www.keepto.com/p/1.html", True),
        ("https://www.keepto.com/p/1.html?sid=9f&PHPSESSID=ab&page=2&ASPSESSIONIDQQ=x",
         "https://www.keepto.com/p/1.html?page=2", True),
        ("https://www.keepto.com/a;sidebar=1/", "https://www.keepto.com/a/", False),
    ],
)
def test_canonical_forms_match_exactly_for_the_same_page(first: str, second: str, same: bool) -> None:
    assert (canonicalize_url(first, ALIASES) == canonicalize_url(second, ALIASES)) is same


def test_fetch_url_maps_the_mobile_host_and_drops_tracking_keys_only() -> None:
    url = "http://m.keepto.com:8000/p/1.html?utm_source=feed&page=2#comments"
    assert fetch_url(url, ALIASES) == "http://www.keepto.com:8000/p/1.html?page=2"


def test_fetch_url_drops_session_ids_from_query_and_path() -> None:
    url = "http://www.keepto.com/p/1.html;JSESSIONID=0A1B?sid=77&page=2"
    assert fetch_url(url, ALIASES) == "http://www.keepto.com/p/1.html?page=2"


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("https://a.test/calendar/2024-01-01", "a.test/calendar/N-N-N"),
        ("https://a.test/p/60636.html", "a.test/p/N.html"),
        ("https://a.test/search?size=M&color=red&color=blue", "a.test/search?color&size"),
        ("https://a.test/2023/05/14/how-to-sleep-better-at-night/", "a.test/N/N/N/S/"),
        ("https://a.test/item/5f3a9c2e7b1d", "a.test/item/H"),
        ("https://a.test/news/heart", "a.test/news/heart"),
    ],
)
def test_url_template_keeps_the_shape_pages_share(url: str, template: str) -> None:
    assert url_template(url) == template


@pytest.mark.parametrize(("host", "address"), [("127.0.0.1", True), ("[::1]", True), ("localhost", True),
                                               ("m.127.0.0.1", False), ("www.keepto.com", False)])
def test_addresses_and_localhost_are_told_from_names(host: str, address: bool) -> None:
    assert is_address(host) is address


def test_request_fingerprint_is_the_canonical_urls() -> None:
    fingerprinter = CanonicalUrlFingerprinter(ALIASES)
    plain = fingerprinter.fingerprint(Request("https://www.keepto.com/p/1.html"))
    assert fingerprinter.fingerprint(Request("http://m.keepto.com/p/1.html?spm=2#x")) == plain
    assert fingerprinter.fingerprint(Request("https://www.keepto.com/p/2.html")) != plain
    assert fingerprinter.fingerprint(Request("https://www.keepto.com/p/1.html", method="POST")) != plain


def test_a_request_carrying_its_canonical_url_is_fingerprinted_by_it() -> None:
    fingerprinter = CanonicalUrlFingerprinter(ALIASES)
    url = "https://www.keepto.com/p/1.html?utm_source=x"
    carried = Request(url, meta={CANONICAL_URL: (url, "https://www.keepto.com/p/9.html")})
    assert fingerprinter.fingerprint(carried) == fingerprinter.fingerprint(
        Request("https://www.keepto.com/p/9.html"))


def test_a_redirected_request_with_its_predecessors_meta_gets_its_own_canonical_url() -> None:
    first = "https://www.keepto.com/p/1.html"
    redirected = Request(first, meta={CANONICAL_URL: (first, first)}).replace(
        url="https://www.keepto.com/p/2.html")
    assert canonical_of(redirected.url, redirected.meta, ALIASES) == "https://www.keepto.com/p/2.html"
    fingerprinter = CanonicalUrlFingerprinter(ALIASES)
    assert fingerprinter.fingerprint(redirected) != fingerprinter.fingerprint(Request(first))


_URLS = st.text(alphabet="htps:/?#;[]aA.\t\n@%: 1é", max_size=24).flatmap(
    lambda rest: st.sampled_from(["http://", "https://", "HTTP://", " http://", ""]).map(
        lambda scheme: scheme + rest))


def _reads_as_urlsplit(url: str, read: Callable[[str], object],
                       expected: Callable[[SplitResult], object]) -> None:
    """``read(url)`` is what ``expected`` takes from ``urlsplit(url)``, or raises as it does."""
    try:
        split = urlsplit(url)
    except ValueError:
        with pytest.raises(ValueError):
            read(url)
    else:
        assert read(url) == expected(split)


@settings(max_examples=3000, deadline=None)
@given(_URLS)
def test_host_name_is_what_urlsplit_reads_as_the_hostname(url: str) -> None:
    _reads_as_urlsplit(url, host_name, lambda split: split.hostname)


@settings(max_examples=3000, deadline=None)
@given(_URLS)
def test_path_and_query_are_what_urlsplit_reads_as_them(url: str) -> None:
    _reads_as_urlsplit(url, path_and_query, lambda split: (split.path, split.query))
