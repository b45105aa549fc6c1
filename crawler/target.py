"""Which site a start URL is, when the command line does not say.

``healthcrawl crawl --start-url URL`` without ``--site`` uses the profile whose hosts
serve ``URL`` (``core.profiles.profile_for_url``; ``generic`` for any other host). A
server on this machine may say more: the demo server (``healthcrawl serve-demo``)
answers every request with ``X-Healthcrawl-Site: demo <origin>``, the origin its pages
link to (``generic <origin> <host> ...`` for a layout no profile knows, with the host
names it answers for). Its address (``http://127.0.0.1:PORT/``) is then enough: the
crawl uses that profile, starts at that origin, resolves its host names to the address
that answered (no DNS) and does not throttle a server of its own. Only loopback addresses
are asked: a probe never leaves the machine.
"""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from core.profiles import get_profile, profile_for_url

SITE_HEADER = "X-Healthcrawl-Site"
LOCAL_SERVER_SETTINGS: Mapping[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
}
"""A server on this machine that says it is a healthcrawl test site needs no politeness."""


@dataclass(frozen=True, slots=True)
class Target:
    site: str
    start_url: str | None
    host_map: dict[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_target(site: str | None, start_url: str | None, timeout: float = 5.0) -> Target:
    """The site, start URL, host map and settings a crawl of ``start_url`` needs."""
    if site is not None:
        return Target(site, start_url)
    if start_url is None:
        return Target("keepto", None)
    first = start_url.split(",")[0].strip()
    parts = urlsplit(first)
    announced = _announced_site(first, timeout) if is_loopback(parts.hostname or "") else None
    if announced is None:
        return Target(profile_for_url(start_url).name, start_url)
    name, origin, hosts = announced
    profile = get_profile(name)
    host_map = {host: parts.hostname or "127.0.0.1"
                for host in (urlsplit(origin).hostname, *profile.host_aliases, *hosts) if host}
    return Target(name, origin.rstrip("/") + "/", host_map, LOCAL_SERVER_SETTINGS)


def _announced_site(url: str, timeout: float) -> tuple[str, str, list[str]] | None:
    """``(profile name, origin, other host names it serves)`` from the server's
    ``X-Healthcrawl-Site: <profile> <origin> [<host> ...]``, if it sends one."""
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback only)
            value = response.headers.get(SITE_HEADER)
    except (OSError, ValueError, urllib.error.URLError):
        return None
    name, origin, *hosts = (value or "").split() or [""]
    try:
        get_profile(name)
    except Exception:
        return None
    return (name, origin, hosts) if origin.startswith(("http://", "https://")) else None
