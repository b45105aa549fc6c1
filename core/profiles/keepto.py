"""keepto.com, the site the product was designed from (``tests/fixtures/seed-article.txt``)."""

from __future__ import annotations

from types import MappingProxyType

from core.profiles.profile import SiteProfile

KEEPTO = SiteProfile(
    name="keepto",
    hosts=("www.keepto.com",),
    host_aliases=MappingProxyType({"m.keepto.com": "www.keepto.com", "keepto.com": "www.keepto.com"}),
    start_urls=("https://www.keepto.com/",),
    article_url_pattern=r"/p/(?P<id>\d+)\.html$",
    listing_url_pattern=r"^https://[^/]+/(?:[a-z]+(?:/[a-z]+)?(?:/list_\d+(?:_\d+)?\.html)?)?$",
    # Site search (/search?q=), login and sign-up, the calendar: linked from every page's
    # chrome, holding no article and linking none the listings do not.
    skip_url_pattern=(r"^https://[^/]+/(?:search|login|logout|register|signin|signup|calendar)"
                      r"(?:\.\w+)?(?:[/?]|$)"),
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
