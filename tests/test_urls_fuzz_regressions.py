"""URLs the fuzzer (``make fuzz``) found canonicalization failing its properties on:
canonical form is a fixed point, an http(s) URL without a host is no page's URL, and
fetching a link gives the link's canonical URL."""

from __future__ import annotations

import pytest

from core.urls import canonicalize_url, fetch_url


@pytest.mark.parametrize("url", ["http://x.com/a/index.html/", "http://x.com/index.html/index.html"])
def test_canonicalizing_a_path_of_index_pages_twice_changes_nothing(url: str) -> None:
    canonical = canonicalize_url(url)
    assert canonicalize_url(canonical) == canonical


@pytest.mark.parametrize("url", ["http:///", "http:////p", "HTTP:////P/.."])
def test_an_http_url_without_host_has_no_canonical_form(url: str) -> None:
    with pytest.raises(ValueError):
        canonicalize_url(url)


def test_an_http_url_without_host_has_no_fetch_url() -> None:
    with pytest.raises(ValueError):
        fetch_url("http:////p")


@pytest.mark.parametrize("url", ["http://www.keepto.com/ ?", "http://www.keepto.com/\x1b?"])
def test_fetching_a_link_gives_the_links_canonical_url(url: str) -> None:
    fetched = fetch_url(url)
    assert fetch_url(fetched) == fetched
    assert canonicalize_url(fetched) == canonicalize_url(url)
