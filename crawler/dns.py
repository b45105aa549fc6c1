"""Name resolution with a fixed host map in front of Scrapy's caching resolver.

The demo site and the tests serve several host names (desktop ``www.``, mobile ``m.``)
from one loopback server; mapping those names here keeps every lookup on the machine.
Names not in ``HEALTHCRAWL_HOST_MAP`` resolve as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class HostMapResolver(CachingThreadedResolver):
    def __init__(self, reactor: Any, cache_size: int, timeout: float,
                 host_map: Mapping[str, str]) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.host_map = dict(host_map)

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> HostMapResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
                   settings.getdict("HEALTHCRAWL_HOST_MAP"))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        if name in self.host_map:
            return defer.succeed(self.host_map[name])
        return super().getHostByName(name, timeout)
