"""A bare Scrapy spider that only fetches a list of URLs: the framework's ceiling.

Run by ``bench_crawl.py`` with ``scrapy runspider``; ``-a urls=FILE`` names a file with
one URL a line. Its callback does nothing, so its pages/s is what Scrapy itself costs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class FetchOnlySpider(scrapy.Spider):
    name = "fetch_only"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url_file = Path(urls)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for line in self.url_file.read_text().splitlines():
            if line.strip():
                yield scrapy.Request(line.strip(), callback=self.parse)

    def parse(self, response: Response) -> None:
        return None
