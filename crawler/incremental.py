"""What an incremental run asks of a page it fetched before.

Two ways to learn a page did not change without downloading it: the sitemap's
``<lastmod>`` older than the last fetch (no request at all), and a conditional request
(``If-None-Match`` with the ETag, ``If-Modified-Since`` with the Last-Modified the page
answered last time) that the server answers ``304 Not Modified`` with no body.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pipelines.state import KnownPage


class PageMemory(Protocol):
    """What the spider asks of earlier runs: the state store (``pipelines.state.StateReader``)
    or, in a distributed run, its copy in Redis (``crawler.distributed.known.KnownPages``)."""

    def page(self, canonical_url: str) -> KnownPage | None:
        """What is known of ``canonical_url``, or None."""

    def article_pages(self) -> Iterator[tuple[str, KnownPage]]:
        """``(canonical_url, page)`` of every known article to ask for again if unmet."""


def _when(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unchanged_since(lastmod: str | None, fetched_at: str) -> bool:
    """True when a sitemap ``lastmod`` says the page changed before ``fetched_at``. A date
    without a time may mean any moment of that day, so it counts from the day's end; the
    same second as the fetch may be just after it; a missing or unreadable date proves
    nothing."""
    if not lastmod:
        return False
    changed, fetched = _when(lastmod), _when(fetched_at)
    if changed is None or fetched is None:
        return False
    if "T" not in lastmod:
        changed += timedelta(days=1)
    return changed < fetched


def conditional_headers(known: KnownPage) -> dict[str, str]:
    """The validators to send: a server that has them answers 304 when nothing changed."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers
