"""``absolute_url`` resolves an href exactly as ``urljoin`` does; its shortcuts (absolute
and root-relative hrefs, plain relative paths appended to the base's directory) only save
the work."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from crawler.parsing.links import absolute_url

BASES = (
    "https://www.keepto.com/p/60636.html", "http://a/b/c/d;p?q", "http://a/b/c/", "http://a",
    "http://a/b/../c/d.html", "http://a/./b/", "http://a/b?x=1#f", "https://[::1]:8080/x/y",
    "http://a/b//c/d", "https://x.org/a%2Fb/c", "file:///x/y",
)
HREFS = (
    "100015.html", "g", "g/", "g/h", "./g", "../g", "g/../h", ".", "..", "g.", "..g", "a./b", "g/.",
    "g/..", "a//b", "g;x", "g;", ";x", "g?y", "g#s", "?y", "#s", "mailto:x", "a\\b", "a b", "a\nb",
    "a\tb", "%2e%2e/x", ".g", "ü.html", "//other.org/x", "/root", "https://elsewhere.org/",
)


@pytest.mark.parametrize("base", BASES)
def test_relative_hrefs_resolve_as_urljoin_resolves_them(base: str) -> None:
    assert [absolute_url(base, href) for href in HREFS] == [urljoin(base, href) for href in HREFS]
