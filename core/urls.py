"""URL canonicalization: one function shared by the parser, the spider's request
fingerprint and the dedup stage, so "the same page" means the same thing everywhere.

Rules (docs/record-contract.md, Canonical URL): scheme and host lowercased, ``http``
treated as ``https``, default port dropped, fragment dropped, query keys sorted, tracking
keys dropped, trailing ``index.html`` and ``/`` normalized, a profile's host aliases
(``m.`` mobile host) mapped to the desktop host.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

TRACKING_KEYS = frozenset({"spm", "from", "share", "fbclid", "gclid"})
TRACKING_PREFIXES = ("utm_",)
INDEX_PAGES = ("index.html", "index.htm", "index.php", "default.html", "default.htm")
DEFAULT_PORTS = {"http": 80, "https": 443}
_NEEDS_ESCAPING = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
"""Characters ``safe_url_string`` would percent-encode; most URLs have none, and skip it."""


def is_tracking_key(key: str) -> bool:
    """True for query keys that only say where a click came from."""
    lowered = key.lower()
    return lowered in TRACKING_KEYS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, host_aliases: Mapping[str, str] | None = None) -> str:
    """Return the canonical form of ``url``; two URLs of one page give the same string.

    ``host_aliases`` maps alias hosts (e.g. ``m.keepto.com``) to the canonical host.
    Non-HTTP URLs are returned stripped but otherwise unchanged.
    """
    url = url.strip()
    parts = urlsplit(safe_url_string(url) if _NEEDS_ESCAPING.search(url) else url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return url
    host = (parts.hostname or "").rstrip(".")
    if host_aliases:
        host = host_aliases.get(host, host)
    port = parts.port
    port = port if port not in (None, DEFAULT_PORTS[scheme]) else None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and not (scheme == "http" and port == 443):
        netloc = f"{netloc}:{port}"
    return urlunsplit(("https", netloc, _normalize_path(parts.path), _clean_query(parts.query), ""))


CANONICAL_URL = "healthcrawl_canonical_url"
"""Request meta key: ``(url, its canonical URL)`` as the spider computed them when it made
the request, so the request fingerprint and the callback need not compute them again."""


def canonical_of(url: str, meta: Mapping[str, Any], host_aliases: Mapping[str, str] | None = None) -> str:
    """The canonical URL of a request's ``url``: from its ``meta`` when the spider stored
    it for this very URL (a redirect keeps the meta of the request it replaces, so the
    URL is compared), else computed."""
    known = meta.get(CANONICAL_URL)
    if known is not None and known[0] == url:
        return str(known[1])
    return canonicalize_url(url, host_aliases)


def fetch_url(url: str, host_aliases: Mapping[str, str] | None = None) -> str:
    """The URL to request for ``url``: its alias host mapped to the canonical host (the
    mobile site may serve another layout), tracking keys and fragment dropped. Scheme,
    port and path stay as linked: unlike the canonical form, this one must be fetchable."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    mapped = (host_aliases or {}).get(host, host)
    netloc = parts.netloc if mapped == host else parts.netloc.replace(host, mapped, 1)
    query = parts.query
    if query:
        query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                           if not is_tracking_key(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _normalize_path(path: str) -> str:
    for index in INDEX_PAGES:
        if path.endswith("/" + index):
            path = path[: -len(index)]
            break
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path or "/"


def _clean_query(query: str) -> str:
    if not query:
        return query
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not is_tracking_key(k)]
    return urlencode(sorted(pairs))


def same_site(url: str, other: str, host_aliases: Mapping[str, str] | None = None) -> bool:
    """True when both URLs are on the same host once aliases are mapped."""
    first = urlsplit(canonicalize_url(url, host_aliases)).hostname
    return first is not None and first == urlsplit(canonicalize_url(other, host_aliases)).hostname
