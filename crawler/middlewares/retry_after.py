"""Retries that wait: exponential backoff, or the server's ``Retry-After`` when it sends one.

Scrapy's ``RetryMiddleware`` re-schedules a failed request at once and ignores
``Retry-After``; hammering a server that answered 429 or 503 is what gets crawlers
banned. This subclass keeps Scrapy's retry accounting (``get_retry_request``, the
``retry/*`` stats) and only adds the wait, computed by :func:`retry_delay`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message


def retry_delay(
    retry_after: str | None, retries_so_far: int, *, base: float, cap: float,
    now: datetime | None = None,
) -> float:
    """Seconds to wait before the next try: ``Retry-After`` (seconds or an HTTP date)
    when given, else ``base * 2**retries_so_far``; never more than ``cap``."""
    wait = base * 2**retries_so_far
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            wait = float(value)
        else:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                pass
            else:
                wait = (when - (now or datetime.now(UTC))).total_seconds()
    return float(max(0.0, min(cap, wait)))


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = float(settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_BASE", 1.0))
        self.backoff_max = float(settings.getfloat("HEALTHCRAWL_RETRY_BACKOFF_MAX", 60.0))

    # A coroutine (Scrapy awaits those) so the wait does not block the reactor.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        header = response.headers.get(b"Retry-After")
        wait = retry_delay(header.decode("latin-1") if header else None,
                           request.meta.get("retry_times", 0),
                           base=self.backoff_base, cap=self.backoff_max)
        if wait:
            self.crawler.stats.inc_value("healthcrawl/retry/waited_ms", int(wait * 1000))
            await asyncio.sleep(wait)
        return retry
