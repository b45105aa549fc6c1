"""A spider that yields prepared records, run in a subprocess by ``test_crawl.py``.

``python -m tests.pipelines.crawl_records OUT_DIR '{"SETTING": value}'`` crawls with the
project's three stages in ``ITEM_PIPELINES`` and publishes into ``OUT_DIR``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import CloseSpider

from pipelines import ITEM_PIPELINES
from tests.pipelines.conftest import build_record


class RecordsSpider(scrapy.Spider):
    name = "records"

    async def start(self) -> AsyncIterator[Any]:
        # Records come from a response, as a crawl's do: Scrapy 2.19 does not re-check
        # whether a closing spider is idle after an item yielded by start() leaves an
        # async pipeline stage, so a spider closed meanwhile would wait forever.
        yield scrapy.Request("data:,records", callback=self.records)

    def records(self, response: scrapy.http.Response) -> Iterator[Any]:
        yield build_record(n=1)
        yield build_record(n=2)
        yield build_record(n=3, content_hash="hash-1")  # exact copy of 1
        yield build_record(n=1)  # URL copy of 1
        yield build_record(n=4, title="")  # invalid
        if self.settings.getbool("STOP_EARLY"):
            yield scrapy.Request("data:,stop", callback=self.stop)

    def stop(self, response: scrapy.http.Response) -> None:
        raise CloseSpider("stopped_early")


def main(out_dir: str, extra: dict[str, Any]) -> None:
    settings = {"ITEM_PIPELINES": dict(ITEM_PIPELINES), "HEALTHCRAWL_EXPORT_DIR": out_dir}
    process = CrawlerProcess(settings={**settings, "LOG_LEVEL": "INFO", **extra})
    process.crawl(RecordsSpider)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
