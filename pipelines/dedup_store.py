"""What the dedup stage remembers, behind a small interface.

``DedupStore`` is the contract the stage codes against; ``MemoryDedupStore`` keeps one
run's state in dicts and a MinHash LSH index. A persistent store (SQLite, Redis for
several workers; docs/record-contract.md, Dedup) implements the same seven methods and
the stage does not change: signatures are plain uint32 arrays, the same in every process.
"""

from __future__ import annotations

from typing import Protocol

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD, LSHIndex, NearMatch, Signature


class DedupStore(Protocol):
    """The kept articles of a run, looked up by canonical URL, content hash and MinHash."""

    def find_url(self, canonical_url: str) -> str | None:
        """The article_key kept for this canonical URL (or that a dropped copy of it had)."""

    def find_exact(self, content_hash: str) -> str | None:
        """The article_key kept with this content hash."""

    def find_near(self, signature: Signature) -> NearMatch | None:
        """The most similar kept article at or above the near-duplicate threshold."""

    def add(self, *, key: str, url: str, canonical_url: str, content_hash: str,
            signature: Signature) -> None:
        """Remember a kept article."""

    def alias_url(self, canonical_url: str, key: str) -> None:
        """Remember that a dropped copy's canonical URL leads to the kept ``key``."""

    def kept_urls(self, key: str) -> tuple[str, str]:
        """``(url, canonical_url)`` of the kept article ``key``."""

    def supersede(self, old_key: str, *, key: str, url: str, canonical_url: str,
                  content_hash: str, signature: Signature) -> None:
        """Keep article ``key`` instead of its copy ``old_key``: every later lookup that
        would find ``old_key`` finds ``key``."""


class MemoryDedupStore:
    """In-process ``DedupStore`` for one run; memory grows linearly with kept articles
    (about 2.4 KB each with 16 bands x 8 rows, ``benchmarks/bench_dedup.py``, plus the
    kept URLs). Superseded keys resolve to their successor, so the LSH index never needs
    a deletion."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS
    ) -> None:
        self._by_url: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        self._near = LSHIndex(threshold, bands, rows)
        self._urls: dict[str, tuple[str, str]] = {}
        self._successor: dict[str, str] = {}

    def _resolve(self, key: str | None) -> str | None:
        while key is not None and key in self._successor:
            key = self._successor[key]
        return key

    def find_url(self, canonical_url: str) -> str | None:
        """See :meth:`DedupStore.find_url`."""
        return self._resolve(self._by_url.get(canonical_url))

    def find_exact(self, content_hash: str) -> str | None:
        """See :meth:`DedupStore.find_exact`."""
        return self._resolve(self._by_hash.get(content_hash))

    def find_near(self, signature: Signature) -> NearMatch | None:
        """See :meth:`DedupStore.find_near`."""
        match = self._near.nearest(signature)
        if match is None or match.key not in self._successor:
            return match
        return NearMatch(key=self._resolve(match.key) or match.key, similarity=match.similarity)

    def add(self, *, key: str, url: str, canonical_url: str, content_hash: str,
            signature: Signature) -> None:
        """See :meth:`DedupStore.add`."""
        self._by_url[canonical_url] = key
        self._by_hash.setdefault(content_hash, key)
        self._near.add(signature, key)
        self._urls[key] = (url, canonical_url)

    def alias_url(self, canonical_url: str, key: str) -> None:
        """See :meth:`DedupStore.alias_url`."""
        self._by_url.setdefault(canonical_url, key)

    def kept_urls(self, key: str) -> tuple[str, str]:
        """See :meth:`DedupStore.kept_urls`."""
        return self._urls[key]

    def supersede(self, old_key: str, *, key: str, url: str, canonical_url: str,
                  content_hash: str, signature: Signature) -> None:
        """See :meth:`DedupStore.supersede`."""
        self._successor[old_key] = key
        self._urls.pop(old_key, None)
        self.add(key=key, url=url, canonical_url=canonical_url, content_hash=content_hash,
                 signature=signature)
