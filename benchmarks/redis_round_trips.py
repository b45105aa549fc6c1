"""A Scrapy extension for the distributed benchmark: count the Redis round trips a worker
makes (each ``send_packed_command`` of redis-py is one request the client then waits on,
a pipeline's commands included) into the stat ``bench/redis_round_trips``, which
``benchmarks.stats_file.StatsFile`` then writes out with the rest."""

from __future__ import annotations

from typing import Any

from redis.connection import AbstractConnection
from scrapy import signals
from scrapy.crawler import Crawler


class RedisRoundTrips:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.count = 0
        send = AbstractConnection.send_packed_command

        def counted(connection: Any, command: Any, check_health: bool = True) -> None:
            self.count += 1
            send(connection, command, check_health)

        AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisRoundTrips:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("bench/redis_round_trips", self.count)
