"""What the dedup stage remembers, behind a small interface.

``DedupStore`` is the contract the stage codes against; ``MemoryDedupStore`` keeps one
run's state in dicts and a MinHash LSH index (about 2.5 KB a kept article);
``DiskDedupStore`` keeps it in a SQLite file, for sites whose articles memory would not
hold (``HEALTHCRAWL_DEDUP_STORE = "disk"``). Both implement the same seven methods and the
stage does not change: signatures are plain uint32 arrays, the same in every process.

Superseded keys lead to their successor. A succession that would close a loop (a key
replacing itself, or a key its own successors lead back to) is refused, and following
successors stops at a key met twice, so no lookup can loop.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD, LSHIndex, NearMatch, Signature

logger = logging.getLogger(__name__)


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
                  content_hash: str, signature: Signature) -> bool:
        """Keep article ``key`` instead of its copy ``old_key``: every later lookup that
        would find ``old_key`` finds ``key``. False, and ``key`` only added, when that
        would close a loop of successors (``key`` is ``old_key`` or leads back to it)."""


def successor_chain(successor: Callable[[str], str | None], key: str) -> list[str]:
    """``key`` and the keys its successors lead to, the finally kept one last. A key met
    twice (a loop, which ``supersede`` refuses to make) ends the walk, with a warning."""
    chain = [key]
    while (following := successor(chain[-1])) is not None:
        if following in chain:
            logger.warning("healthcrawl dedup: the successors of %s loop back to %s; stopped there",
                           key, following)
            break
        chain.append(following)
    return chain


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
        if key is None or key not in self._successor:
            return key
        return successor_chain(self._successor.get, key)[-1]

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
                  content_hash: str, signature: Signature) -> bool:
        """See :meth:`DedupStore.supersede`."""
        closes_loop = old_key in successor_chain(self._successor.get, key)
        if not closes_loop:
            self._successor[old_key] = key
            self._urls.pop(old_key, None)
        self.add(key=key, url=url, canonical_url=canonical_url, content_hash=content_hash,
                 signature=signature)
        return not closes_loop


_BAND_SPREAD = 0x9E3779B97F4A7C15
_INT63 = (1 << 63) - 1

_DISK_SCHEMA = """
CREATE TABLE urls (canonical_url TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE hashes (content_hash TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE kept (key TEXT PRIMARY KEY, url TEXT, canonical_url TEXT, signature BLOB NOT NULL,
                   added INTEGER NOT NULL);
CREATE TABLE bands (band_key INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX bands_by_key ON bands (band_key);
CREATE TABLE successors (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID;
"""


class DiskDedupStore:
    """``DedupStore`` in a SQLite file: memory stays flat whatever the number of kept
    articles, for about 100 us more a record in the crawl's process (measured in
    ``benchmarks/RESULTS.md``, Scheduled runs). Same answers as ``MemoryDedupStore``: the
    LSH band keys are its own, verification compares the stored signatures, and a tie
    goes to the article added first. The file is scratch space for one run (journal and
    syncing off): it is removed by :meth:`close`, and rebuilt from the state next run."""

    def __init__(self, path: Path, threshold: float = DEFAULT_THRESHOLD, bands: int = DEFAULT_BANDS,
                 rows: int = DEFAULT_ROWS) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(_DISK_SCHEMA)
        self._bands = LSHIndex(threshold, bands, rows)
        """Only its band keys and threshold are used: the signatures live in the file."""
        self._added = 0

    def _band_keys(self, signature: Signature) -> list[int]:
        return [(key + band * _BAND_SPREAD) & _INT63
                for band, key in enumerate(self._bands.band_keys(signature))]

    def _resolve(self, key: str | None) -> str | None:
        return None if key is None else self._chain(key)[-1]

    def _chain(self, key: str) -> list[str]:
        return successor_chain(lambda old: self._one("SELECT new FROM successors WHERE old = ?", old), key)

    def _one(self, sql: str, value: str) -> str | None:
        row = self.db.execute(sql, (value,)).fetchone()
        return None if row is None else str(row[0])

    def find_url(self, canonical_url: str) -> str | None:
        """See :meth:`DedupStore.find_url`."""
        return self._resolve(self._one("SELECT key FROM urls WHERE canonical_url = ?", canonical_url))

    def find_exact(self, content_hash: str) -> str | None:
        """See :meth:`DedupStore.find_exact`."""
        return self._resolve(self._one("SELECT key FROM hashes WHERE content_hash = ?", content_hash))

    def find_near(self, signature: Signature) -> NearMatch | None:
        """See :meth:`DedupStore.find_near`."""
        band_keys = self._band_keys(signature)
        rows = self.db.execute(
            "SELECT k.key, k.signature FROM kept k WHERE k.key IN (SELECT key FROM bands WHERE band_key "
            f"IN ({','.join('?' * len(band_keys))})) ORDER BY k.added", band_keys).fetchall()
        if not rows:
            return None
        stored = np.stack([np.frombuffer(blob, dtype=np.uint32) for _, blob in rows])
        agreeing = np.count_nonzero(stored == signature, axis=1)
        best = int(np.argmax(agreeing))
        similarity = int(agreeing[best]) / self._bands.num_perm
        if similarity < self._bands.threshold:
            return None
        return NearMatch(key=self._resolve(rows[best][0]) or rows[best][0], similarity=similarity)

    def add(self, *, key: str, url: str, canonical_url: str, content_hash: str,
            signature: Signature) -> None:
        """See :meth:`DedupStore.add`."""
        self._added += 1
        self.db.execute("INSERT OR REPLACE INTO urls VALUES (?, ?)", (canonical_url, key))
        self.db.execute("INSERT OR IGNORE INTO hashes VALUES (?, ?)", (content_hash, key))
        self.db.execute("INSERT OR REPLACE INTO kept VALUES (?, ?, ?, ?, ?)",
                        (key, url, canonical_url, signature.astype(np.uint32).tobytes(), self._added))
        self.db.executemany("INSERT INTO bands VALUES (?, ?)",
                            ((band_key, key) for band_key in self._band_keys(signature)))

    def alias_url(self, canonical_url: str, key: str) -> None:
        """See :meth:`DedupStore.alias_url`."""
        self.db.execute("INSERT OR IGNORE INTO urls VALUES (?, ?)", (canonical_url, key))

    def kept_urls(self, key: str) -> tuple[str, str]:
        """See :meth:`DedupStore.kept_urls`."""
        row = self.db.execute("SELECT url, canonical_url FROM kept WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return str(row[0]), str(row[1])

    def supersede(self, old_key: str, *, key: str, url: str, canonical_url: str,
                  content_hash: str, signature: Signature) -> bool:
        """See :meth:`DedupStore.supersede`."""
        closes_loop = old_key in self._chain(key)
        if not closes_loop:
            self.db.execute("INSERT OR REPLACE INTO successors VALUES (?, ?)", (old_key, key))
        self.add(key=key, url=url, canonical_url=canonical_url, content_hash=content_hash,
                 signature=signature)
        return not closes_loop

    def close(self) -> None:
        """Remove the file."""
        self.db.close()
        self.path.unlink(missing_ok=True)
