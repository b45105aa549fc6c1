"""Scrapy's offsite filter, without subdomains of an IP address or ``localhost``.

Scrapy allows an allowed domain's subdomains: right for ``www.site`` (``m.www.site``), but
``127.0.0.1`` would allow ``m.127.0.0.1``, a name no server has, which is looked up in DNS:
a lookup that leaves the machine for a crawl of a loopback site (a page linking its own
mobile alias, ``m.`` + host, is enough). An address or ``localhost`` allows itself only.
"""

from __future__ import annotations

import re

from scrapy import Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware

from core.urls import is_address


class AddressAwareOffsiteMiddleware(OffsiteMiddleware):
    def get_host_regex(self, spider: Spider) -> re.Pattern[str]:
        allowed = [d for d in getattr(spider, "allowed_domains", None) or [] if d]
        if not allowed:
            return re.compile("")  # allow all, as Scrapy does
        names = "|".join(re.escape(d) for d in allowed if not is_address(d))
        exact = "|".join(re.escape(d) for d in allowed if is_address(d))
        alternatives = [f"(?:.*\\.)?(?:{names})" if names else "", exact]
        return re.compile(f"^(?:{'|'.join(a for a in alternatives if a)})$")
