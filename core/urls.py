"""URL canonicalization: one function shared by the parser, the spider's request
fingerprint and the dedup stage, so "the same page" means the same thing everywhere.

Rules (docs/record-contract.md, Canonical URL): scheme and host lowercased, ``http``
treated as ``https``, default port dropped, fragment dropped, query keys sorted, tracking
keys and session ids (``?sid=``, ``;jsessionid=``) dropped, trailing ``index.html`` and ``/``
normalized, a profile's host aliases (``m.`` mobile host) mapped to the desktop host.

Also the *template* of a URL (:func:`url_template`): the shape a crawler-trap
defence counts pages by (``crawler/middlewares/traps.py``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

TRACKING_KEYS = frozenset({"spm", "from", "share", "fbclid", "gclid"})
TRACKING_PREFIXES = ("utm_",)
SESSION_KEYS = frozenset({"jsessionid", "phpsessid", "sid", "sessid", "sessionid", "session_id",
                          "cfid", "cftoken"})
"""Query keys (and ``;key=`` path parameters) that carry a visitor's session: every visit
would otherwise mint new URLs for the same pages, a crawler trap with no end."""
SESSION_PREFIXES = ("aspsessionid",)
_DROPPED_KEYS = TRACKING_KEYS | SESSION_KEYS
_DROPPED_PREFIXES = TRACKING_PREFIXES + SESSION_PREFIXES
_SESSION_PATH_PARAM = re.compile(
    r";(?:{}|(?:{})\w*)=[^/;?]*".format("|".join(sorted(SESSION_KEYS)), "|".join(SESSION_PREFIXES)),
    re.IGNORECASE)
"""``;jsessionid=ABC`` after a path segment (Java servlets, some PHP sites)."""
INDEX_PAGES = ("index.html", "index.htm", "index.php", "default.html", "default.htm")
DEFAULT_PORTS = {"http": 80, "https": 443}
_NEEDS_ESCAPING = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
"""Characters ``safe_url_string`` would percent-encode; most URLs have none, and skip it."""


def is_dropped_key(key: str) -> bool:
    """True for query keys that do not name the page: tracking keys (where a click came
    from) and session ids."""
    lowered = key.lower()
    return lowered in _DROPPED_KEYS or lowered.startswith(_DROPPED_PREFIXES)


def _drop_session_params(path: str) -> str:
    """``path`` without session-id path parameters (``/a;jsessionid=X/b`` -> ``/a/b``)."""
    return _SESSION_PATH_PARAM.sub("", path) if ";" in path else path


def canonicalize_url(url: str, host_aliases: Mapping[str, str] | None = None) -> str:
    """Return the canonical form of ``url``; two URLs of one page give the same string.

    ``host_aliases`` maps alias hosts (e.g. ``m.keepto.com``) to the canonical host.
    Non-HTTP URLs are returned stripped but otherwise unchanged; an http(s) URL without a
    host (``http:////p``) is no URL of any page: ``ValueError``, as for a bad port.
    """
    url = url.strip()
    parts = urlsplit(safe_url_string(url) if _NEEDS_ESCAPING.search(url) else url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return url
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError(f"an {scheme} URL without a host: {url!r}")
    if host_aliases:
        host = host_aliases.get(host, host)
    port = parts.port
    port = port if port not in (None, DEFAULT_PORTS[scheme]) else None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and not (scheme == "http" and port == 443):
        netloc = f"{netloc}:{port}"
    path = _normalize_path(_drop_session_params(parts.path))
    return urlunsplit(("https", netloc, path, _clean_query(parts.query), ""))


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
    mobile site may serve another layout), tracking keys, session ids and fragment
    dropped. Scheme, port and path stay as linked: unlike the canonical form, this one
    must be fetchable. ``ValueError`` for an http(s) URL without a host, as
    :func:`canonicalize_url` gives."""
    url = url.strip()
    parts = urlsplit(safe_url_string(url) if _NEEDS_ESCAPING.search(url) else url)
    host = parts.hostname or ""
    if not host and parts.scheme.lower() in DEFAULT_PORTS:
        raise ValueError(f"an {parts.scheme} URL without a host: {url!r}")
    mapped = (host_aliases or {}).get(host, host)
    netloc = parts.netloc if mapped == host else parts.netloc.replace(host, mapped, 1)
    query = parts.query
    if query:
        query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                           if not is_dropped_key(k)])
    return urlunsplit((parts.scheme, netloc, _drop_session_params(parts.path), query, ""))


def _normalize_path(path: str) -> str:
    """Trailing index pages and slashes removed until none is left, so that canonical
    form is a fixed point (``/a/index.html/`` and ``/a/index.html`` are both ``/a``)."""
    while True:
        trimmed = path.rstrip("/") if len(path) > 1 else path
        for index in INDEX_PAGES:
            if trimmed.endswith("/" + index):
                trimmed = trimmed[: -len(index)]
                break
        if trimmed == path:
            return path or "/"
        path = trimmed


def _clean_query(query: str) -> str:
    if not query:
        return query
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not is_dropped_key(k)]
    return urlencode(sorted(pairs))


def url_template(url: str) -> str:
    """The shape of ``url``, which many pages share: its host and port as written, then
    its path and query, where each path segment's digit
    runs become ``N`` (``/calendar/2024-01-01`` -> ``/calendar/N-N-N``), a segment that is
    an id (8+ hex digits, letters and digits both) or a slug (words joined by ``-``/``_``, 16+
    characters) becomes ``H`` or ``S``, and the query keeps its sorted key names only
    (``www.site/search?color&size``). Scheme and fragment are not part of it."""
    parts = urlsplit(url)
    shape = parts.netloc + "/".join(_segment_shape(segment) for segment in parts.path.split("/"))
    if parts.query:
        keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
        shape = f"{shape}?{'&'.join(keys)}"
    return shape


_HEX_ID = re.compile(r"[0-9a-fA-F-]{8,}")
_SLUG = re.compile(r"[^\W\d]+(?:[-_][\w]+)+")
_DIGITS = re.compile(r"\d+")


def _segment_shape(segment: str) -> str:
    if not segment or segment.isalpha():  # most segments of a path are words: no regex
        return segment
    if (len(segment) >= 8 and _HEX_ID.fullmatch(segment) and any(c.isdigit() for c in segment)
            and any(c.isalpha() for c in segment)):
        return "H"
    if len(segment) >= 16 and _SLUG.match(segment):
        return "S"
    return _DIGITS.sub("N", segment)


def is_address(host: str) -> bool:
    """True for an IP address or ``localhost``: a host with no subdomains (``m.127.0.0.1``
    is no alias of ``127.0.0.1``, only a name to look up in DNS)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def plain_url_parts(url: str) -> tuple[str, str, str] | None:
    """``urlsplit(url)``'s netloc, path and query, for a plain http(s) URL: ASCII,
    its scheme in lower case, without the tab and line breaks ``urlsplit`` removes, and a
    netloc without IPv6 brackets (which ``urlsplit`` checks). None for any other URL: only
    ``urlsplit`` reads those right. The parse asks every page's URL for its host and its
    article id, and ``urlsplit``, interpreted, costs more than the rest of those answers."""
    if not url.startswith(("http://", "https://")) or not url.isascii():
        return None
    if "\t" in url or "\r" in url or "\n" in url:
        return None
    after = url[url.index("//") + 2:]
    end = len(after)
    for mark in ("/", "?", "#"):
        at = after.find(mark, 0, end)
        if at >= 0:
            end = at
    netloc = after[:end]
    if "[" in netloc or "]" in netloc:
        return None
    path, _, query = after[end:].partition("#")[0].partition("?")
    return netloc, path, query


def host_name(url: str) -> str | None:
    """``urlsplit(url).hostname``: the host in lower case, None without one."""
    parts = plain_url_parts(url)
    if parts is None or "@" in parts[0] or "%" in parts[0]:
        return urlsplit(url).hostname
    return parts[0].partition(":")[0].lower() or None


def path_and_query(url: str) -> tuple[str, str]:
    """``urlsplit(url)``'s path and query."""
    parts = plain_url_parts(url)
    if parts is None:
        split = urlsplit(url)
        return split.path, split.query
    return parts[1], parts[2]


def same_site(url: str, other: str, host_aliases: Mapping[str, str] | None = None) -> bool:
    """True when both URLs are on the same host once aliases are mapped."""
    first = urlsplit(canonicalize_url(url, host_aliases)).hostname
    return first is not None and first == urlsplit(canonicalize_url(other, host_aliases)).hostname
