"""keepto.com, the site the product was designed from (``../shared/seed-article.txt``)."""

from __future__ import annotations

from types import MappingProxyType

from crawler.profiles import SiteProfile

KEEPTO = SiteProfile(
    name="keepto",
    hosts=("www.keepto.com",),
    host_aliases=MappingProxyType({"m.keepto.com": "www.keepto.com", "keepto.com": "www.keepto.com"}),
    start_urls=("https://www.keepto.com/",),
    article_url_pattern=r"/p/(?P<id>\d+)\.html$",
    title_xpaths=("//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]/h1",),
    container_xpaths=(
        "//div[@id='article-content']",
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    ),
    breadcrumb_xpaths=("//div[contains(concat(' ', normalize-space(@class), ' '), ' position ')]",),
)
