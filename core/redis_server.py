"""The Redis connection a distributed crawl shares (``--redis redis://HOST:PORT/DB``).

One place opens it, so every part (the scrapy-redis scheduler, the dedup store, the
shared politeness budget, ``seed`` and ``publish``) names its keys under one prefix and
fails the same way: :class:`core.errors.FrontierUnavailable`, one line, exit 69.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import redis

from core.errors import FrontierUnavailable, InputError

KEY_PREFIX = "healthcrawl"
"""Every key of a distributed run starts so: one run at a time per Redis database."""
RUN_ID_KEY = f"{KEY_PREFIX}:run_id"
"""The distributed run's id, set by its first ``seed``: the parts' folder is named so."""
SOCKET_TIMEOUT = 10.0
"""Seconds a Redis call may take before the server counts as gone."""


def check_url(url: str) -> str:
    """``url`` if it is a ``redis://`` (or ``rediss://``, ``unix://``) URL, else InputError."""
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise InputError(f"--redis {url!r} is no Redis URL: use redis://HOST:PORT/DB")
    return url


def connect(url: str | None) -> Any:
    """A client of the server at ``url``, checked with a PING; FrontierUnavailable when it
    does not answer (so the crawl never starts half-connected)."""
    if not url:
        raise InputError("a distributed crawl needs HEALTHCRAWL_REDIS_URL (--redis redis://HOST:PORT/DB)")
    try:
        server = redis.Redis.from_url(check_url(url), socket_timeout=SOCKET_TIMEOUT,
                                      socket_connect_timeout=SOCKET_TIMEOUT)
        server.ping()
    except redis.RedisError as error:
        raise FrontierUnavailable(f"Redis at {url} cannot be used: {error}") from None
    return server
