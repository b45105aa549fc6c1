"""``FaultLog``: what the demo server injected, for the tests' bookkeeping.

A crawl test compares what was published with "articles expected" = the site's truth
minus ``unfetchable`` (known before any request: permanent faults are a function of the
seed), and reports ``counts`` (faults injected, by kind). ``save`` writes it all as JSON
beside the site (``faults.json``) for a server running in another process.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crawler.demo_site.faults import Faults

FAULTS_FILE = "faults.json"


class FaultLog:
    """Thread-safe counters of one server's injected faults."""

    def __init__(self, faults: Faults, unfetchable: Mapping[str, str], mislabeled: Iterable[str],
                 odd_links: Iterable[str] = ()) -> None:
        self.faults = faults
        self.unfetchable: Mapping[str, str] = dict(unfetchable)
        """Article URL -> the permanent fault that keeps every crawl from fetching it."""
        self.mislabeled = sorted(mislabeled)
        """GBK article URLs sent with a UTF-8 header: fetchable, so expected."""
        self.odd_links = list(odd_links)
        self._counts: Counter[str] = Counter()
        self._failures: Counter[str] = Counter()
        self._requests = 0
        self._lock = threading.Lock()

    def count(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1

    def next_request(self) -> int:
        """Number this GET (from 0), for the burst schedule."""
        with self._lock:
            self._requests += 1
            return self._requests - 1

    def fail_transiently(self, key: str) -> bool:
        """Whether URL ``key`` may fail once more (then it is counted as failed): each URL
        fails at most ``faults.attempts`` times, so a retry always gets through."""
        with self._lock:
            if self._failures[key] >= self.faults.attempts:
                return False
            self._failures[key] += 1
            return True

    @property
    def counts(self) -> dict[str, int]:
        """Fault kind (``503``, ``hang``, ``bomb``, ``trap:calendar``, ``sitemap:xxe-file.xml``,
        ``links``...) -> how many answers carried it so far."""
        with self._lock:
            return dict(self._counts)

    @property
    def requests(self) -> int:
        """GET requests that could have been faulted (all but robots.txt)."""
        with self._lock:
            return self._requests

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.faults.spec(), "seed": self.faults.seed, "requests": self.requests,
                "counts": self.counts, "injected": sum(self.counts.values()),
                "unfetchable": dict(self.unfetchable), "mislabeled": self.mislabeled,
                "odd_links": self.odd_links}

    def save(self, path: Path) -> None:
        """Write ``to_json`` atomically (a reader never sees half a file)."""
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
