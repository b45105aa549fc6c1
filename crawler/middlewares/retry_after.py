"""Retries that wait: exponential backoff, or the server's ``Retry-After`` when it sends one.

Scrapy's ``RetryMiddleware`` re-schedules a failed request at once and ignores
``Retry-After``; hammering a server that answered 429 or 503 is what gets crawlers
banned. This subclass keeps Scrapy's retry accounting (``get_retry_request``, the
``retry/*`` stats) and only adds the wait, computed by :func:`retry_delay`.

A 429 or 503 speaks for the whole site, so it holds the site's download slot: no request
to that host leaves before the wait has passed, counted from the reply's arrival. The hold
is set on ``response_downloaded``, which fires before the slot sends its next request (a
wait in ``process_response`` would start after the slot was freed, while the site's other
requests went on). Other retried statuses (500, 502, ...) concern one page: that request
alone waits.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

SITE_WIDE = frozenset({429, 503})
"""Statuses that ask the client to slow down: they hold the whole site."""
HOLD_DELAY = 0.001
"""The delay a slot without one gets while held: Scrapy's downloader looks at when a slot
may send again only for slots with a delay."""


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
        self.delays_to_restore: dict[str, float] = {}
        """Slot key -> the delay it had before a hold gave it :data:`HOLD_DELAY`."""

    holding = False
    """Whether :meth:`hold_site` listens to ``response_downloaded``: from the site's first
    429 or 503 on (a signal handler on every response of a crawl that never meets one
    would cost it for nothing)."""

    def wait_for(self, request: Request, response: Response) -> float:
        header = response.headers.get(b"Retry-After")
        return retry_delay(header.decode("latin-1") if header else None,
                           request.meta.get("retry_times", 0),
                           base=self.backoff_base, cap=self.backoff_max)

    def hold_site(self, response: Response, request: Request) -> None:
        """Signal handler (``response_downloaded``): after a 429 or 503, the reply's slot
        sends nothing until the wait has passed; once a hold is over and a reply is no
        429/503, the slot gets its own delay back."""
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        if engine is None or key is None or (slot := engine.downloader.slots.get(key)) is None:
            return
        now = monotonic()
        if response.status not in SITE_WIDE:
            if key in self.delays_to_restore and now >= slot.lastseen:
                slot.delay = self.delays_to_restore.pop(key)
            return
        until = now + self.wait_for(request, response)
        if until > slot.lastseen:  # the slot's next request waits its delay after lastseen
            self.crawler.stats.inc_value("healthcrawl/retry/site_held_ms",
                                         int((until - max(now, slot.lastseen)) * 1000))
            slot.lastseen = until
        if not slot.delay:
            self.delays_to_restore.setdefault(key, slot.delay)
            slot.delay = HOLD_DELAY

    # A coroutine (Scrapy awaits those) so the wait does not block the reactor.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if response.status in SITE_WIDE and not self.holding:
            self.holding = True
            self.crawler.signals.connect(self.hold_site, signal=signals.response_downloaded)
            self.hold_site(response, request)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None or response.status in SITE_WIDE:  # the site's slot holds the retry
            return retry or response
        wait = self.wait_for(request, response)
        if wait:
            self.crawler.stats.inc_value("healthcrawl/retry/waited_ms", int(wait * 1000))
            await asyncio.sleep(wait)
        return retry
