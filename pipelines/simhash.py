"""64-bit SimHash of article text and a banded index that finds near-duplicates in O(1).

Pure helpers (no Scrapy) for the dedup stage.

*Fingerprint.* The text is NFKC-normalized, lowercased and cut into words (each CJK
character is a word, as in ``word_count``); every distinct run of ``SHINGLE_WORDS`` words
is hashed to 64 bits with blake2b (stable across processes, unlike ``hash()``, so a
persistent store can keep fingerprints between runs). Bit ``i`` of the SimHash is set when
more than half of the shingle hashes have it set.

*Threshold.* Two texts are near-duplicates when their fingerprints differ in at most
``max_hamming`` bits (default 3, i.e. similarity ``1 - hamming/64 >= 0.953``): the value
Manku et al. (WWW 2007) found right for 64-bit SimHash over web pages.

*Index.* With threshold ``k`` the 64 bits are cut into ``k + 1`` bands; by pigeonhole two
fingerprints within ``k`` bits agree exactly on at least one band, so a lookup only checks
fingerprints sharing a band value: about ``n / 2**16`` candidates per band for ``k = 3``,
constant per record at crawl sizes, never an all-pairs comparison.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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


def band_masks(max_hamming: int) -> list[tuple[int, int]]:
    """``(shift, mask)`` of the ``max_hamming + 1`` bands, widths as equal as possible."""
    count = max_hamming + 1
    if not 1 <= count <= BITS:
        raise ValueError(f"max_hamming must be between 0 and {BITS - 1}, got {max_hamming}")
    bounds = [round(i * BITS / count) for i in range(count + 1)]
    return [(low, (1 << (high - low)) - 1) for low, high in zip(bounds, bounds[1:], strict=False)]


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
    """Fingerprints by band value; finds one within ``max_hamming`` bits without scanning."""

    def __init__(self, max_hamming: int = DEFAULT_MAX_HAMMING) -> None:
        self.max_hamming = max_hamming
        self._bands = band_masks(max_hamming)
        # Each entry is (fingerprint, insertion number, key); the number breaks ties.
        self._buckets: list[defaultdict[int, list[tuple[int, int, str]]]] = [
            defaultdict(list) for _ in self._bands
        ]
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, fingerprint: int, key: str) -> None:
        """Index ``fingerprint`` under ``key``."""
        entry = (fingerprint, self._size, key)
        self._size += 1
        for (shift, mask), buckets in zip(self._bands, self._buckets, strict=True):
            buckets[fingerprint >> shift & mask].append(entry)

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
        for (shift, mask), buckets in zip(self._bands, self._buckets, strict=True):
            bucket = buckets.get(fingerprint >> shift & mask)
            if bucket:
                yield from bucket
