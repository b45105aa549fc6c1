"""64-bit SimHash of article text and a banded index that finds near-duplicates in O(1).

Pure helpers (no Scrapy) for the dedup stage.

*Fingerprint.* The text is NFKC-normalized, lowercased and cut into words (each CJK
character is a word, as in ``word_count``); every distinct run of ``SHINGLE_WORDS`` words
is hashed to 64 bits with blake2b (stable across processes, unlike ``hash()``, so a
persistent store can keep fingerprints between runs). Bit ``i`` of the SimHash is set when
more than half of the shingle hashes have it set.

*Threshold.* Two texts are near-duplicates when their fingerprints differ in at most
``max_hamming`` bits (default 3, i.e. similarity ``1 - hamming/64 >= 0.953``), the value
Manku et al. (WWW 2007) chose for 64-bit SimHash over web pages. Measured on the golden
articles (200-400 words): unrelated articles of one site are 21 or more bits apart
(median 32); one changed word moves a fingerprint 2 bits (median), 4-5 (90th percentile).
So 3 catches copies with a new title (distance 0) and about two thirds of one-word edits
(``benchmarks/bench_dedup.py``: 67%), and never merges two real articles; a looser 6 with
8 blocks (similarity >= 0.906) catches 97% of one-word edits, still far from unrelated
articles, at 3.5x the memory (about 3 KB instead of 0.85 KB per kept article).

*Index.* The 64 bits are cut into ``blocks`` blocks and one hash table is kept per choice
of ``blocks - k`` blocks; two fingerprints within ``k`` bits agree on at least one such
choice (pigeonhole), so a lookup only checks fingerprints sharing a table key. With the
default ``k = 3``, 4 blocks: 4 tables of 16-bit keys, about ``4 n / 2**16`` candidates per
lookup, constant at crawl sizes; never an all-pairs comparison. For ``k = 6`` use 8 blocks
(28 tables of 16-bit keys): fewer blocks would mean shorter keys and fuller buckets.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, pairwise

BITS = 64
SHINGLE_WORDS = 3
DEFAULT_MAX_HAMMING = 3

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")

# Counting set bits one bit at a time costs 64 Python steps per shingle. Instead each
# shingle hash is "spread" into 64 counters of _LANE bits packed in one big int (one
# table lookup per byte), and summing those ints counts all 64 bits at once.
_LANE = 24
_LANE_MASK = (1 << _LANE) - 1
_SPREAD: tuple[tuple[int, ...], ...] = tuple(
    tuple(
        sum(1 << ((8 * byte_index + bit) * _LANE) for bit in range(8) if value >> bit & 1)
        for value in range(256)
    )
    for byte_index in range(8)
)


def words(text: str) -> list[str]:
    """The text's words after NFKC and lowercasing; each CJK character is one word."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def shingles(tokens: list[str], size: int = SHINGLE_WORDS) -> set[str]:
    """Distinct runs of ``size`` words; a text shorter than that is one shingle."""
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def simhash(text: str) -> int:
    """The 64-bit SimHash of ``text`` over its word shingles (0 for a text without words)."""
    features = shingles(words(text))
    counts = 0
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        for byte_index, value in enumerate(digest):
            counts += _SPREAD[byte_index][value]
    half = len(features) / 2
    return sum(1 << bit for bit in range(BITS) if (counts >> (bit * _LANE)) & _LANE_MASK > half)


def hamming(first: int, second: int) -> int:
    """Number of bits in which two fingerprints differ."""
    return (first ^ second).bit_count()


def similarity(first: int, second: int) -> float:
    """``1 - hamming / 64``: 1.0 for equal fingerprints."""
    return 1 - hamming(first, second) / BITS


def table_masks(max_hamming: int, blocks: int | None = None) -> list[int]:
    """Bit masks of the index tables: every choice of ``blocks - max_hamming`` of ``blocks``.

    ``max_hamming`` differing bits touch at most that many blocks, so two fingerprints
    within the threshold agree exactly under at least one mask (pigeonhole). ``blocks``
    defaults to ``max_hamming + 1``: one table per block.
    """
    blocks = blocks if blocks is not None else max_hamming + 1
    if not 0 <= max_hamming < blocks <= BITS:
        raise ValueError(f"need 0 <= max_hamming < blocks <= 64, got {max_hamming}, {blocks}")
    bounds = [round(i * BITS / blocks) for i in range(blocks + 1)]
    block_masks = [((1 << (high - low)) - 1) << low for low, high in pairwise(bounds)]
    return [sum(combo) for combo in combinations(block_masks, blocks - max_hamming)]


@dataclass(frozen=True, slots=True)
class NearMatch:
    """The closest indexed fingerprint within the threshold."""

    key: str
    fingerprint: int
    distance: int

    @property
    def similarity(self) -> float:
        """``1 - distance / 64``."""
        return 1 - self.distance / BITS


class BandedIndex:
    """Fingerprints by table key; finds one within ``max_hamming`` bits without scanning."""

    def __init__(self, max_hamming: int = DEFAULT_MAX_HAMMING, blocks: int | None = None) -> None:
        self.max_hamming = max_hamming
        self._masks = table_masks(max_hamming, blocks)
        # Each entry is (fingerprint, insertion number, key); the number breaks ties.
        self._buckets: list[defaultdict[int, list[tuple[int, int, str]]]] = [
            defaultdict(list) for _ in self._masks
        ]
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, fingerprint: int, key: str) -> None:
        """Index ``fingerprint`` under ``key``."""
        entry = (fingerprint, self._size, key)
        self._size += 1
        for mask, buckets in zip(self._masks, self._buckets, strict=True):
            buckets[fingerprint & mask].append(entry)

    def nearest(self, fingerprint: int) -> NearMatch | None:
        """The closest fingerprint within the threshold; a tie goes to the one added first."""
        best: tuple[int, int, int, str] | None = None
        for candidate, order, key in self._candidates(fingerprint):
            distance = hamming(fingerprint, candidate)
            if distance <= self.max_hamming and (best is None or (distance, order) < best[:2]):
                best = (distance, order, candidate, key)
        if best is None:
            return None
        return NearMatch(key=best[3], fingerprint=best[2], distance=best[0])

    def _candidates(self, fingerprint: int) -> Iterable[tuple[int, int, str]]:
        for mask, buckets in zip(self._masks, self._buckets, strict=True):
            bucket = buckets.get(fingerprint & mask)
            if bucket:
                yield from bucket
