"""What the dedup stage remembers, behind a small interface.

``DedupStore`` is the contract the stage codes against; ``MemoryDedupStore`` keeps one
run's state in dicts and a MinHash LSH index. A persistent store (SQLite, Redis for
several workers, DESIGN.md "Dedup" 4) implements the same five methods and the stage does
not change: signatures are plain uint32 arrays, the same in every process.
"""

from __future__ import annotations

from typing import Protocol

from pipelines.minhash import DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD, LSHIndex, NearMatch, Signature


class DedupStore(Protocol):
    """The kept articles of a run, looked up by canonical URL, content hash and MinHash."""

    def find_url(self, canonical_url: str) -> str | None:
        """The article_key kept for this canonical URL (or that a dropped copy of it had)."""

    def find_exact(self, content_hash: str) -> str | None:
        """The article_key kept with this content hash."""

    def find_near(self, signature: Signature) -> NearMatch | None:
        """The most similar kept article at or above the near-duplicate threshold."""

    def add(self, *, key: str, canonical_url: str, content_hash: str, signature: Signature) -> None:
        """Remember a kept article."""

    def alias_url(self, canonical_url: str, key: str) -> None:
        """Remember that a dropped copy's canonical URL leads to the kept ``key``."""


class MemoryDedupStore:
    """In-process ``DedupStore`` for one run; memory grows linearly with kept articles
    (about 2.4 KB each with 16 bands x 8 rows, ``benchmarks/bench_dedup.py``)."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS
    ) -> None:
        self._by_url: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        self._near = LSHIndex(threshold, bands, rows)

    def find_url(self, canonical_url: str) -> str | None:
        """See :meth:`DedupStore.find_url`."""
        return self._by_url.get(canonical_url)

    def find_exact(self, content_hash: str) -> str | None:
        """See :meth:`DedupStore.find_exact`."""
        return self._by_hash.get(content_hash)

    def find_near(self, signature: Signature) -> NearMatch | None:
        """See :meth:`DedupStore.find_near`."""
        return self._near.nearest(signature)

    def add(self, *, key: str, canonical_url: str, content_hash: str, signature: Signature) -> None:
        """See :meth:`DedupStore.add`."""
        self._by_url[canonical_url] = key
        self._by_hash.setdefault(content_hash, key)
        self._near.add(signature, key)

    def alias_url(self, canonical_url: str, key: str) -> None:
        """See :meth:`DedupStore.alias_url`."""
        self._by_url.setdefault(canonical_url, key)
