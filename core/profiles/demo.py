"""The built-in demo site (``crawler/demo_site``): keepto's layout on loopback host names.

Its hosts end in ``.test`` (RFC 2606: never a real host); the crawl maps them to
127.0.0.1 through ``HEALTHCRAWL_HOST_MAP``, so no lookup ever leaves the machine.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from core.profiles.keepto import KEEPTO
from core.profiles.profile import SiteProfile

DEMO_HOST = "www.healthdemo.test"
DEMO_MOBILE_HOST = "m.healthdemo.test"

DEMO: SiteProfile = replace(
    KEEPTO,
    name="demo",
    hosts=(DEMO_HOST,),
    host_aliases=MappingProxyType({DEMO_MOBILE_HOST: DEMO_HOST}),
    start_urls=(f"http://{DEMO_HOST}/",),
    listing_url_pattern=r"^https://[^/]+/(?:c/[a-z-]+(?:/page/\d+\.html)?)?$",
)
