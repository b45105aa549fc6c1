"""``DedupStore`` in Redis: what every worker of a distributed crawl compares against.

Same answers as ``DiskDedupStore`` (the LSH band keys are its own, verification compares
the stored signatures, a tie goes to the article added first), so the dedup stage does
not change; what changes is that a second worker sees what the first kept. A worker's
check-then-keep runs under :meth:`RedisDedupStore.exclusive`, a lock in Redis, so two
workers meeting copies of one article at the same moment decide one after the other and
never both keep it.

An incremental run's store also holds the articles earlier runs published, which
``healthcrawl seed --incremental`` loads from the state store (:meth:`RedisDedupStore.remember`),
as a one-process run's dedup stage does: a copy of one that the run does not fetch again
(unchanged) is caught. The ``earlier`` set holds their keys until a worker keeps one of them
again (:meth:`RedisDedupStore.earlier_run`); a copy of one still in it is kept provisionally
(:meth:`RedisDedupStore.keep_provisional`), and ``publish`` settles it as a one-process run's
table writer does (retracted while the original is still on the site).

Every signature of a run must be of one MinHash scheme (``core.minhash.SIGNATURE_SCHEME``):
the first worker or ``seed`` to index one records its scheme (a run begun by a healthcrawl
that recorded none holds scheme 1), and a worker of a healthcrawl computing another is
refused at its start (:meth:`RedisDedupStore.check_scheme`), rather than comparing
signatures that never agree. ``publish`` signs again what the workers' parts hold of
another scheme (``pipelines.parts``).

Keys live under ``<prefix>:dedup:`` (``crawler.distributed.frontier.Frontier``); the
``publish`` command deletes them with the run's other keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

import numpy as np
import redis

from core.errors import InputError
from core.minhash import (
    DEFAULT_BANDS,
    DEFAULT_ROWS,
    DEFAULT_THRESHOLD,
    SIGNATURE_SCHEME,
    LSHIndex,
    NearMatch,
    Signature,
)
from pipelines.dedup_store import successor_chain
from pipelines.tables import DuplicateRow


class StoreUnavailable(RuntimeError):
    """The Redis server stopped answering: the record cannot be checked (the worker stops;
    its request stays in flight in Redis, to be fetched again)."""


LOCK_SECONDS = 30
"""A lock a dead worker held expires after this long (a check takes milliseconds)."""
LOAD_AT_ONCE = 1000
"""Earlier runs' articles written to Redis in one round trip by :meth:`RedisDedupStore.remember`."""
# ARGV: the store's key prefix, 1 when the articles are earlier runs' (else 0), then six values
# an article: its key, URL, canonical URL, content hash, signature bytes, LSH band keys (space-
# separated). Each gets the next order number; an earlier run's joins ``earlier``, one this run
# keeps leaves it. (The names are made here, from the prefix: the store lives on one server.)
_SCHEME = """
local scheme = redis.call('GET', KEYS[1])
if not scheme then
  scheme = redis.call('EXISTS', KEYS[2]) == 1 and '1' or ARGV[1]
  redis.call('SET', KEYS[1], scheme)
end
return scheme
"""
# The run's MinHash scheme, recorded by the first to ask: a run that holds signatures but
# no scheme was begun by a healthcrawl from before schemes were recorded (scheme 1).

_ADD = """
local p, earlier = ARGV[1], ARGV[2] == '1'
for i = 3, #ARGV, 6 do
  local key, url, canonical = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('HSET', p .. ':urls', canonical, key)
  redis.call('HSETNX', p .. ':hashes', ARGV[i + 3], key)
  redis.call('HSET', p .. ':signatures', key, ARGV[i + 4])
  redis.call('HSET', p .. ':kept', key, url .. '\\n' .. canonical)
  redis.call('HSETNX', p .. ':added', key, redis.call('INCR', p .. ':count'))
  local band = 0
  for band_key in string.gmatch(ARGV[i + 5], '%S+') do
    redis.call('SADD', p .. ':band:' .. band .. ':' .. band_key, key)
    band = band + 1
  end
  if earlier then
    redis.call('SADD', p .. ':earlier', key)
  else
    redis.call('SREM', p .. ':earlier', key)
  end
end
"""


class RedisDedupStore:
    """The kept articles of a distributed run, shared by its workers through Redis."""

    def __init__(self, server: Any, prefix: str, threshold: float = DEFAULT_THRESHOLD,
                 bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS) -> None:
        self.server = server
        self.key = f"{prefix}:dedup"
        self._bands = LSHIndex(threshold, bands, rows)
        """Only its band keys and threshold are used: the signatures live in Redis."""
        self._add_script = server.register_script(_ADD)
        self._scheme_script = server.register_script(_SCHEME)

    @property
    def num_perm(self) -> int:
        """The signature length the run's workers compute (bands x rows)."""
        return self._bands.num_perm

    def check_scheme(self) -> None:
        """Record this healthcrawl's MinHash scheme as the run's, unless the run has one;
        :class:`InputError` when the run's is another."""
        scheme = int(self._scheme_script(keys=[f"{self.key}:scheme", f"{self.key}:signatures"],
                                         args=[SIGNATURE_SCHEME]))
        if scheme != SIGNATURE_SCHEME:
            raise InputError(f"the Redis run's near-duplicate signatures are of MinHash scheme {scheme}, "
                             f"this healthcrawl computes scheme {SIGNATURE_SCHEME}: run a distributed "
                             "crawl's seed and workers with one healthcrawl version")

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
        """See :meth:`DedupStore.add` (one round trip). A key this run keeps is no longer
        only an earlier run's (:meth:`earlier_run`)."""
        self._add_script(args=[self.key, 0, *self._article(key, url, canonical_url, content_hash, signature)])

    def _article(self, key: str, url: str, canonical_url: str, content_hash: str,
                 signature: Signature) -> list[str | bytes]:
        """What :data:`_ADD` takes of one article."""
        return [key, url, canonical_url, content_hash, signature.astype(np.uint32).tobytes(),
                " ".join(str(band_key) for band_key in self._bands.band_keys(signature))]

    def remember(self, kept: Iterable[tuple[str, str, str, str, Signature]]) -> int:
        """Load the articles earlier runs published (``pipelines.state.StateReader.kept``),
        before any worker keeps one, each marked as an earlier run's; returns how many. A
        thousand articles a round trip (some 60 ms of the server's time: about 12 s for
        100,000, ``seed`` runs before any worker). The run's MinHash scheme is checked (and
        recorded) first, as a worker's start does."""
        self.check_scheme()
        count = 0
        articles = iter(kept)
        while batch := list(islice(articles, LOAD_AT_ONCE)):
            self._add_script(args=[self.key, 1, *chain.from_iterable(self._article(*article)
                                                                     for article in batch)])
            count += len(batch)
        return count

    def earlier_run(self, key: str) -> bool:
        """Whether ``key`` is an article an earlier run published that no worker of this
        run has kept (yet): what a one-process run's dedup stage tells by the keys it kept."""
        return bool(self.server.sismember(f"{self.key}:earlier", key))

    def keep_provisional(self, row: DuplicateRow) -> None:
        """Remember that the kept ``row.article_key`` copies the earlier run's
        ``row.duplicate_of`` (its would-be ``duplicates`` row), for ``publish`` to settle.
        Kept here rather than in the worker's parts: a dead worker's copy, fetched again by
        another worker, is kept again as the page met under its own key, not as a copy."""
        self.server.hset(f"{self.key}:provisional", row.article_key, json.dumps([
            row.url, row.canonical_url, row.duplicate_of, row.reason, row.similarity]))

    def provisional(self) -> dict[str, DuplicateRow]:
        """Every provisional copy the workers kept: key -> its would-be ``duplicates`` row."""
        rows = {}
        for key, value in self.server.hgetall(f"{self.key}:provisional").items():
            url, canonical_url, duplicate_of, reason, similarity = json.loads(value)
            rows[key.decode()] = DuplicateRow(article_key=key.decode(), url=url, canonical_url=canonical_url,
                                              duplicate_of=duplicate_of, reason=reason, similarity=similarity)
        return rows

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
