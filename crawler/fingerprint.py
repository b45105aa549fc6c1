"""Request fingerprints on the canonical URL (``core.urls.canonicalize_url``), so the
same article behind tracking parameters, the mobile host or ``http`` is fetched once. The
spider's requests carry their canonical URL (``core.urls.CANONICAL_URL``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler

from core.profiles import all_host_aliases
from core.urls import canonical_of


class CanonicalUrlFingerprinter:
    """Scrapy's fingerprint contract (method, URL, body) with the URL canonicalized."""

    def __init__(self, host_aliases: Mapping[str, str]) -> None:
        self.host_aliases = host_aliases
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalUrlFingerprinter:
        return cls(all_host_aliases())

    def fingerprint(self, request: Request) -> bytes:
        if request not in self._cache:
            data = {
                "method": request.method,
                "url": canonical_of(request.url, request.meta, self.host_aliases),
                "body": hashlib.sha1(request.body).hexdigest(),
            }
            encoded = json.dumps(data, sort_keys=True).encode()
            self._cache[request] = hashlib.sha1(encoded).digest()
        return self._cache[request]
