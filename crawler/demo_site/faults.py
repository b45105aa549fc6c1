"""``Faults``: which faults the demo server injects, parsed from a compact spec such as
``"503=0.1,429=0.05,hang=0.01,reset=0.02,truncate=0.02,drip=0.02,trap=calendar"``.

Every choice is a pure function of ``(seed, fault kind, URL)``: the same URL gets the
same fault on every run with one seed, so a test can say beforehand what a crawl must
lose. Three families of per-URL faults, each a share (0 to 1) of the URLs:

- transient (``TRANSIENT``): any GET but ``/robots.txt``; a URL fails this way at most
  ``attempts`` times, then is served right, so a crawler that retries loses nothing;
- permanent (``PERMANENT``): article pages only, on every attempt; the article cannot be
  fetched at all and a crawl is not expected to publish it;
- ``mislabel``: GBK article pages whose header then says UTF-8 (still fetchable).

Site-wide additions: crawler traps (``trap=calendar+facets+session``), hostile sitemaps
named by robots.txt (``sitemap=entities+xxe+oversize+notgzip+gzbomb``), odd links on
the listing pages (``links=1``), 503 bursts (``burst=N`` of every ``burst_every``
requests; ``burst_status=429`` for 429s), a slow server (``latency=SECONDS`` before every
answer) and a robots.txt ``Crawl-delay`` (``crawl_delay=SECONDS``). ``all`` names every
trap or sitemap. Other keys set the numeric parameters below (``attempts=2``,
``hang_seconds=5``...) and ``offsite_origin=URL`` the origin that off-site links and
redirects point at (a canary server in the tests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

TRANSIENT = ("500", "503", "429", "hang", "reset", "truncate", "drip")
PERMANENT = ("binary", "empty", "wrongtype", "bomb", "oversize", "loop", "offsite")
ENCODING = ("mislabel",)
RATES = TRANSIENT + PERMANENT + ENCODING
TRAPS = ("calendar", "facets", "session")
SITEMAPS = ("entities", "xxe", "oversize", "notgzip", "gzbomb")
_SETS = {"trap": ("traps", TRAPS), "sitemap": ("sitemaps", SITEMAPS)}
_UNIT = 2.0 ** 64


@dataclass(frozen=True, slots=True)
class Faults:
    """A fault spec; the default injects nothing."""

    rates: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    """Fault kind (one of ``RATES``) -> share of the eligible URLs it hits."""
    traps: frozenset[str] = frozenset()
    sitemaps: frozenset[str] = frozenset()
    links: bool = False
    """Odd links (other hosts, ``file:``, ``javascript:``, bad escapes, huge URLs)."""
    seed: int = 0
    attempts: int = 1
    """How many times a URL may fail transiently before it is served right."""
    burst: int = 0
    burst_every: int = 100
    burst_status: int = 503
    """What a burst answers: 503, or 429 (both with ``retry_after``)."""
    retry_after: int = 1
    """Seconds, in the ``Retry-After`` of 429 and 503 answers."""
    hang_seconds: float = 60.0
    """How long a hung connection is held (longer than the crawl's download timeout)."""
    drip_seconds: float = 5.0
    """How long a dripped body takes to arrive, in ``drip_chunks`` pieces."""
    drip_chunks: int = 20
    bomb_bytes: int = 1 << 30
    """Decompressed size of a gzip bomb (about 1/1000 of it is sent)."""
    oversize_bytes: int = 11 << 20
    """Size of an oversize body: over the crawl's 10 MB download cap."""
    sitemap_bytes: int = 12 << 20
    """Size of the oversize (but valid: under the protocol's 50 MB) sitemap."""
    latency: float = 0.0
    """Seconds the server takes before each answer (a slow site: requests overlap)."""
    crawl_delay: float = 0.0
    """The ``Crawl-delay`` robots.txt asks for (0: none)."""
    offsite_origin: str = "http://127.0.0.1:9"
    """Origin off-site links, redirects and external entities point at (no DNS needed)."""

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(RATES)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(RATES)}")
        if any(not 0 <= rate <= 1 for rate in self.rates.values()):
            raise ValueError("fault rates are shares from 0 to 1")
        if not self.traps <= set(TRAPS) or not self.sitemaps <= set(SITEMAPS):
            raise ValueError(f"traps are {', '.join(TRAPS)}; sitemaps are {', '.join(SITEMAPS)}")
        if self.attempts < 1 or self.burst_every < 1 or self.drip_chunks < 1:
            raise ValueError("attempts, burst_every and drip_chunks are at least 1")
        if self.burst_status not in (429, 503):
            raise ValueError(f"burst_status is 429 or 503, got {self.burst_status}")
        if not (self.latency >= 0 and self.crawl_delay >= 0):
            raise ValueError("latency and crawl_delay are 0 or more seconds")
        if not self.offsite_origin.startswith(("http://", "https://")):
            raise ValueError(f"offsite_origin must be an http(s) origin, got {self.offsite_origin!r}")

    @classmethod
    def parse(cls, spec: str, seed: int | None = None) -> Faults:
        """Faults from ``"kind=rate,trap=a+b,param=value,..."``; ``seed`` overrides the spec's."""
        rates: dict[str, float] = {}
        chosen: dict[str, set[str]] = {"traps": set(), "sitemaps": set()}
        options: dict[str, object] = {}
        kinds = {f.name: f for f in fields(cls)}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if not sep:
                raise ValueError(f"fault spec item {item!r} is not key=value")
            if key in RATES:
                rates[key] = _number(key, value, float)
            elif key in _SETS:
                name, known = _SETS[key]
                chosen[name] |= set(known) if value == "all" else set(filter(None, value.split("+")))
            elif key == "links":
                options["links"] = value.lower() not in ("0", "false", "no", "off")
            elif key == "offsite_origin":
                options["offsite_origin"] = value.rstrip("/")
            elif key in kinds and key not in ("rates", "traps", "sitemaps"):
                options[key] = _number(key, value, int if kinds[key].type == "int" else float)
            else:
                raise ValueError(f"unknown fault spec key {key!r}")
        faults = cls(rates=MappingProxyType(rates), traps=frozenset(chosen["traps"]),
                     sitemaps=frozenset(chosen["sitemaps"]), **options)  # type: ignore[arg-type]
        return faults if seed is None else replace(faults, seed=seed)

    @property
    def active(self) -> bool:
        """Whether anything at all is injected."""
        return bool(any(self.rates.values()) or self.traps or self.sitemaps or self.links
                    or self.burst or self.latency or self.crawl_delay)

    def spec(self) -> str:
        """The compact spec this parses from (for logs and ``faults.json``)."""
        parts = [f"{kind}={rate:g}" for kind, rate in self.rates.items() if rate]
        parts += [f"trap={'+'.join(sorted(self.traps))}"] if self.traps else []
        parts += [f"sitemap={'+'.join(sorted(self.sitemaps))}"] if self.sitemaps else []
        parts += ["links=1"] if self.links else []
        default = Faults()
        parts += [f"{f.name}={getattr(self, f.name)}" for f in fields(self)
                  if f.name not in ("rates", "traps", "sitemaps", "links")
                  and getattr(self, f.name) != getattr(default, f.name)]
        return ",".join(parts)

    def draw(self, kind: str, key: str) -> float:
        """A uniform number in [0, 1) fixed by ``(seed, kind, key)``."""
        digest = hashlib.blake2b(f"{self.seed}\0{kind}\0{key}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / _UNIT

    def transient_kind(self, key: str) -> str | None:
        """The transient fault URL ``key`` (path and query) gets, if any."""
        return self._pick(TRANSIENT, key)

    def permanent_kind(self, path: str) -> str | None:
        """The permanent fault article ``path`` gets, if any (keyed by path alone, so a
        tracking query or the mobile host does not dodge it)."""
        return self._pick(PERMANENT, path)

    def mislabeled(self, path: str) -> bool:
        """Whether a GBK page at ``path`` is sent with a header saying UTF-8."""
        return self._pick(ENCODING, path) is not None

    def _pick(self, kinds: tuple[str, ...], key: str) -> str | None:
        for kind in kinds:
            rate = self.rates.get(kind, 0.0)
            if rate and self.draw(kind, key) < rate:
                return kind
        return None


def _number(key: str, value: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"fault spec {key}={value!r}: not a number") from None
