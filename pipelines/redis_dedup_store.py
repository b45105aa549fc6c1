"""``DedupStore`` in Redis: what every worker of a distributed crawl compares against.

Same answers as ``DiskDedupStore`` (the LSH band keys are its own, verification compares
the stored signatures, a tie goes to the article added first), so the dedup stage does
not change; what changes is that a second worker sees what the first kept. A worker's
check-then-keep runs under :meth:`RedisDedupStore.exclusive`, a lock in Redis, so two
workers meeting copies of one article at the same moment decide one after the other and
never both keep it.

Keys live under ``<prefix>:dedup:`` (``crawler.distributed.frontier.Frontier``); the
``publish`` command deletes them with the run's other keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import redis

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD, LSHIndex, NearMatch, Signature
from pipelines.dedup_store import successor_chain


class StoreUnavailable(RuntimeError):
    """The Redis server stopped answering: the record cannot be checked (the worker stops;
    its request stays in flight in Redis, to be fetched again)."""


LOCK_SECONDS = 30
"""A lock a dead worker held expires after this long (a check takes milliseconds)."""


class RedisDedupStore:
    """The kept articles of a distributed run, shared by its workers through Redis."""

    def __init__(self, server: Any, prefix: str, threshold: float = DEFAULT_THRESHOLD,
                 bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS) -> None:
        self.server = server
        self.key = f"{prefix}:dedup"
        self._bands = LSHIndex(threshold, bands, rows)
        """Only its band keys and threshold are used: the signatures live in Redis."""

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the run's dedup lock: a check and the keep that follows are one step for
        every worker. A Redis failure inside becomes :class:`StoreUnavailable`."""
        try:
            with self.server.lock(f"{self.key}:lock", timeout=LOCK_SECONDS, sleep=0.001):
                yield
        except redis.RedisError as error:
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from None

    def _text(self, value: bytes | None) -> str | None:
        return None if value is None else value.decode("utf-8")

    def _resolve(self, key: str | None) -> str | None:
        return None if key is None else self._chain(key)[-1]

    def _chain(self, key: str) -> list[str]:
        return successor_chain(lambda old: self._text(self.server.hget(f"{self.key}:successors", old)), key)

    def successors(self) -> dict[str, str]:
        """Every superseded key -> the key kept instead (what ``publish`` retracts)."""
        successors = self.server.hgetall(f"{self.key}:successors")
        return {old.decode(): new.decode() for old, new in successors.items()}

    def find_url(self, canonical_url: str) -> str | None:
        """See :meth:`DedupStore.find_url`."""
        return self._resolve(self._text(self.server.hget(f"{self.key}:urls", canonical_url)))

    def find_exact(self, content_hash: str) -> str | None:
        """See :meth:`DedupStore.find_exact`."""
        return self._resolve(self._text(self.server.hget(f"{self.key}:hashes", content_hash)))

    def _band_names(self, signature: Signature) -> list[str]:
        return [f"{self.key}:band:{band}:{key}" for band, key in enumerate(self._bands.band_keys(signature))]

    def find_near(self, signature: Signature) -> NearMatch | None:
        """See :meth:`DedupStore.find_near`: one round trip for the candidates, one for
        their signatures and order of addition."""
        candidates = sorted(self.server.sunion(self._band_names(signature)))
        if not candidates:
            return None
        pipe = self.server.pipeline(transaction=False)
        pipe.hmget(f"{self.key}:signatures", candidates)
        pipe.hmget(f"{self.key}:added", candidates)
        blobs, added = pipe.execute()
        found = sorted((int(order), key.decode(), blob)
                       for key, blob, order in zip(candidates, blobs, added, strict=True) if blob is not None)
        if not found:
            return None
        stored = np.stack([np.frombuffer(blob, dtype=np.uint32) for _, _, blob in found])
        agreeing = np.count_nonzero(stored == signature, axis=1)
        best = int(np.argmax(agreeing))
        similarity = int(agreeing[best]) / self._bands.num_perm
        if similarity < self._bands.threshold:
            return None
        key = found[best][1]
        return NearMatch(key=self._resolve(key) or key, similarity=similarity)

    def add(self, *, key: str, url: str, canonical_url: str, content_hash: str,
            signature: Signature) -> None:
        """See :meth:`DedupStore.add` (two round trips: the order number, then the rest)."""
        order = self.server.incr(f"{self.key}:count")
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(f"{self.key}:urls", canonical_url, key)
        pipe.hsetnx(f"{self.key}:hashes", content_hash, key)
        pipe.hset(f"{self.key}:signatures", key, signature.astype(np.uint32).tobytes())
        pipe.hset(f"{self.key}:kept", key, f"{url}\n{canonical_url}")
        pipe.hsetnx(f"{self.key}:added", key, order)
        for band in self._band_names(signature):
            pipe.sadd(band, key)
        pipe.execute()

    def alias_url(self, canonical_url: str, key: str) -> None:
        """See :meth:`DedupStore.alias_url`."""
        self.server.hsetnx(f"{self.key}:urls", canonical_url, key)

    def kept_urls(self, key: str) -> tuple[str, str]:
        """See :meth:`DedupStore.kept_urls`."""
        value = self._text(self.server.hget(f"{self.key}:kept", key))
        if value is None:
            raise KeyError(key)
        url, canonical_url = value.split("\n", 1)
        return url, canonical_url

    def supersede(self, old_key: str, *, key: str, url: str, canonical_url: str,
                  content_hash: str, signature: Signature) -> bool:
        """See :meth:`DedupStore.supersede`."""
        closes_loop = old_key in self._chain(key)
        if not closes_loop:
            self.server.hset(f"{self.key}:successors", old_key, key)
        self.add(key=key, url=url, canonical_url=canonical_url, content_hash=content_hash,
                 signature=signature)
        return not closes_loop
