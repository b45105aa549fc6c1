"""keepto.com, the site the product was designed from (``tests/fixtures/seed-article.txt``)."""

from __future__ import annotations

from types import MappingProxyType

from core.profiles.profile import SiteProfile

KEEPTO_SKIP_URL_PATTERN = (r"^https://[^/]+/(?:search|login|logout|register|signin|signup|calendar)"
                           r"(?:\.\w+)?(?:[/?]|$)")
"""URLs never worth a request: site search (``/search?q=``), the login and sign-up pages
and the calendar, all linked from every page's chrome. They hold no article and link none
that the listings do not (``core.profiles.skip_url_pattern``)."""

KEEPTO = SiteProfile(
    name="keepto",
    hosts=("www.keepto.com",),
    host_aliases=MappingProxyType({"m.keepto.com": "www.keepto.com", "keepto.com": "www.keepto.com"}),
    start_urls=("https://www.keepto.com/",),
    article_url_pattern=r"/p/(?P<id>\d+)\.html$",
    listing_url_pattern=r"^https://[^/]+/(?:[a-z]+(?:/[a-z]+)?(?:/list_\d+(?:_\d+)?\.html)?)?$",
    # id() is a hash lookup in libxml2 where // scans the whole document: the hot path uses it.
    title_xpaths=("id('article-content')/../h1", "//h1"),
    container_xpaths=(
        "id('article-content')",
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    ),
    prev_next_xpaths=("id('article-content')/following-sibling::div[contains(@class, 'prenext')][1]",),
    recommend_xpaths=("id('article-content')/following-sibling::div[contains(@class, 'recommend')][1]",),
    breadcrumb_xpaths=(
        "id('article-content')/ancestor::div[contains(concat(' ', @class, ' '), ' main ')][1]"
        "/preceding-sibling::div[contains(concat(' ', @class, ' '), ' position ')][1]",
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' position ')]",
    ),
)
