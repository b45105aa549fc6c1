"""A Scrapy log formatter that logs a dropped item as one short line.

Scrapy's own ``LogFormatter.dropped`` logs the exception and then the item's whole repr,
which for an article is several kilobytes on one line per duplicate. The drop reason and
the URL are what a reader of the log needs; the full row is in the ``duplicates`` table
and the counters in the stats. Enable with
``LOG_FORMATTER = "pipelines.log_formatter.ShortDropLogFormatter"``.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

MAX_REASON_CHARS = 200


def item_url(item: Any) -> str | None:
    """The item's ``url`` (an ``ArticleRecord`` attribute or a dict key), if it has one."""
    url = item.get("url") if isinstance(item, dict) else getattr(item, "url", None)
    return url if isinstance(url, str) else None


def drop_line(item: Any, exception: BaseException) -> str:
    """``<reason>: <url>`` in one line; the URL is not repeated when the reason names it."""
    reason = " ".join(str(exception).split()) or type(exception).__name__
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 1] + "…"
    url = item_url(item)
    return reason if url is None or url in reason else f"{reason}: {url}"


class ShortDropLogFormatter(LogFormatter):
    """``LogFormatter`` whose ``dropped`` message is ``Dropped: <reason>: <url>``."""

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        """Keep Scrapy's level choice (the exception's ``log_level``); shorten the message."""
        result = super().dropped(item, exception, response, spider)
        return {**result, "msg": "Dropped: %(line)s", "args": {"line": drop_line(item, exception)}}
