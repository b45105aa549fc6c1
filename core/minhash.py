"""MinHash signatures of article text and an LSH band index that finds near-duplicates.

Pure helpers (numpy, no Scrapy) for the dedup stage. The exact Jaccard of shingle sets, the
estimate from two signatures and the S-curve below, as functions, are in ``tests/similarity.py``
(the tests and ``benchmarks/bench_dedup.py`` measure this module with them).

*Shingles.* The text is NFKC-normalized, lowercased and cut into words (each CJK character
is a word, as in ``word_count``); every run of ``SHINGLE_WORDS`` words is a shingle, hashed
to 64 bits from its words' 64-bit hashes (``word_hashes``, ``shingle_hashes``; stable across
processes and Python versions, unlike ``hash()``, so a persistent store can keep signatures
between runs and workers).

*Signature.* One-permutation hashing (Li, Owen and Zhang, 2012) with optimal densification
(Shrivastava, 2017), over ``DRAWS`` pseudo-random copies of every shingle: each copy's
64-bit hash picks one of the ``num_perm`` slots (its high half, scaled) and offers it a
value (its low half); a slot keeps the least value offered. A slot no copy picked (a text
of a few words) takes the value of the first picked slot in its own fixed order of all
slots. For two texts, the chance that a slot agrees is their Jaccard similarity ``J`` (the
copies of a shingle set have the set's Jaccard), so the share of agreeing slots estimates
``J``, with a standard error of about ``sqrt(J (1 - J) / num_perm)``: 0.027 at ``J = 0.9``
with 128 slots. Measured against ``SIGNATURE_SCHEME`` 1 (``num_perm`` multiply-shift hash
functions applied to every shingle, the textbook MinHash), over 4,000 random pairs a size
(600 from 300 words): the estimates' spread around the exact Jaccard is 6-12% wider for
bodies of 5 to 8 words (too few shingles to fill the slots), the same at 12, 7-11% narrower
from 20 words to 1,000 (the slots then sample the shingles without replacement); and a
demo page's signature takes 0.09 ms instead of 0.13 (``benchmarks/RESULTS.md``, issue 18,
fifteenth session). One copy a shingle would be cheaper still, but on a text of a few
words two shingles meeting in one slot hide one another: one pair in 500 of six-word texts
differing in one word (Jaccard at most 0.6) estimated 0.8 or more. The copies' salts and
the slots' orders come from fixed labels and integer mixing, not from a numpy random
generator whose stream may change between numpy versions.

*Threshold.* Two texts are near-duplicates when their estimated Jaccard is at least
``DEFAULT_THRESHOLD`` (0.8). Measured on the demo site (2,000 pages, seed 3,
``benchmarks/bench_dedup.py --separation``): its 40 near copies (2-4 words changed in about
300; exact Jaccard 0.90 or more) estimate 0.91-0.99 (median 0.97) against their originals,
while the closest of the 2 million unrelated pairs estimates 0.49 (exact 0.38). 0.8 sits in
that gap (binomial odds over 128 slots): a ``J = 0.9`` pair estimates below 0.8 about once
in 2,800, an unrelated ``J = 0.5`` pair at or above it about once in 10**12 (``J = 0.6``:
once in 1.6 million).

*Index.* The signature is cut into ``bands`` bands of ``rows`` slots (default 16 x 8 = 128);
one hash table per band maps the band's values to the articles that have them. A lookup
only verifies the articles sharing at least one band, by estimated Jaccard from the stored
signatures, never an all-pairs comparison. The chance that a pair with Jaccard ``J`` shares
a band is ``1 - (1 - J**rows)**bands`` (the S-curve, steepest near ``(1/bands)**(1/rows)``
= 0.71): 0.061 at ``J = 0.5``, 0.947 at 0.8, 0.994 at 0.85, 0.9999 at 0.9. So a pair right
at the threshold is missed about once in 20, a near copy like the demo site's (``J >= 0.9``)
almost never, and the closest unrelated articles (``J = 0.38``: 0.007) are rarely even
verified. Memory per article: the signature (512 bytes) and one entry per band table.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.text import word_tokens

SHINGLE_WORDS = 3
DEFAULT_BANDS = 16
DEFAULT_ROWS = 8
DEFAULT_THRESHOLD = 0.8
EMPTY_SLOT = (1 << 32) - 1
"""Every slot of the signature of a text without words."""
SIGNATURE_SCHEME = 2
"""Which function of the text ``MinHasher`` computes. Signatures of two schemes do not
compare: a store that keeps them between runs says which scheme its signatures are of
(``pipelines.state``) and has older ones computed again."""
DRAWS = 8
"""Pseudo-random copies of each shingle that pick slots (see *Signature* above)."""

Signature = npt.NDArray[np.uint32]

_CHUNK_ROWS = 4096


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_POLY = 0x100000001B3
"""Odd, so invertible modulo 2**64: a word's hash is a difference of prefix sums."""
_ASCII_WORD = bytes(int(byte in b"0123456789abcdefghijklmnopqrstuvwxyz") for byte in range(256))
"""``bytes.translate`` table: 1 for the bytes ``word_tokens`` keeps in lowercased ASCII text
(``[^\\W_]`` there is ``[0-9a-z]``), 0 for the others."""
_NOT_NUL = bytes([0]) + bytes([1]) * 255
"""``bytes.translate`` table: 1 for every byte but NUL, which joins the words of other text."""


class _Powers:
    """``_POLY ** i`` and its inverse's powers modulo 2**64, grown as texts get longer."""

    def __init__(self) -> None:
        self.up = np.ones(1, dtype=np.uint64)
        self.down = np.ones(1, dtype=np.uint64)

    def at_least(self, size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        if self.up.size < size:
            size = max(size, 2 * self.up.size)
            factors = np.full(size, _POLY, dtype=np.uint64)
            factors[0] = 1
            inverse = np.full(size, pow(_POLY, -1, 1 << 64), dtype=np.uint64)
            inverse[0] = 1
            self.up, self.down = np.cumprod(factors), np.cumprod(inverse)  # wraps modulo 2**64
        return self.up, self.down


_POWERS = _Powers()


def _fmix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's finalizer: every input bit moves every output bit."""
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    values ^= values >> np.uint64(33)
    return values


def word_hashes(text: str) -> npt.NDArray[np.uint64]:
    """64-bit hashes of ``word_tokens(text)``, in order, the same in every process.

    A word's hash is a polynomial of its UTF-8 bytes modulo 2**64 (then mixed), computed
    for all words at once from prefix sums in numpy: hashing word by word in Python cost
    more than the rest of the signature. ASCII text is cut into words by a byte table,
    with the same result as ``word_tokens``; other text goes through ``word_tokens`` first.
    """
    if text.isascii():
        encoded = text.lower().encode("ascii")
        table = _ASCII_WORD
    else:
        encoded = "\0".join(word_tokens(text)).encode()
        table = _NOT_NUL
    data = np.frombuffer(encoded, dtype=np.uint8)
    # 1 inside a word, 0 outside, with a 0 either end: a word starts and ends where it changes.
    in_word = np.frombuffer(b"\0" + encoded.translate(table) + b"\0", dtype=np.uint8)
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    if starts.size == 0:
        return np.empty(0, dtype=np.uint64)
    up, down = _POWERS.at_least(data.size + 1)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 on purpose
        prefix = np.zeros(data.size + 1, dtype=np.uint64)
        np.cumsum(data * up[: data.size], out=prefix[1:])
        hashes = (prefix[ends] - prefix[starts]) * down[starts]
        hashes ^= (ends - starts).astype(np.uint64) * _MIX[0]
        return _fmix64(hashes)


def shingle_hashes(words64: npt.NDArray[np.uint64], size: int = SHINGLE_WORDS) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the runs of ``size`` words (from ``word_hashes``), repeats kept (a
    minimum does not mind them); a text shorter than ``size`` is one shingle.
    """
    if not words64.size:
        return words64
    width = min(size, len(words64))
    mixed = np.zeros(len(words64) - width + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):  # multiplication wraps modulo 2**64 on purpose
        for offset in range(width):
            mixed ^= words64[offset : offset + len(mixed)] * _MIX[offset]
    return _fmix64(mixed)


def _label_ints(label: str, count: int, low: int, high: int) -> npt.NDArray[np.uint64]:
    values = [
        low + int.from_bytes(hashlib.blake2b(f"{label}:{i}".encode(), digest_size=8).digest()) % (high - low)
        for i in range(count)
    ]
    return np.array(values, dtype=np.uint64)


class MinHasher:
    """Computes ``num_perm``-slot MinHash signatures; the same ones in every process."""

    def __init__(self, num_perm: int = DEFAULT_BANDS * DEFAULT_ROWS) -> None:
        if num_perm < 1:
            raise ValueError(f"num_perm must be positive, got {num_perm}")
        self.num_perm = num_perm
        # A column: one broadcast makes every copy of every shingle.
        self._salts = _label_ints("minhash-draw", DRAWS, 0, 1 << 63)[:, np.newaxis]
        # Row i: every slot, in the order an empty slot i looks for a filled one to copy.
        keys = _fmix64(np.arange(num_perm * num_perm, dtype=np.uint64) + _MIX[2])
        self._lenders = np.argsort(keys.reshape(num_perm, num_perm), axis=1)

    def signature(self, text: str) -> Signature:
        """The signature of ``text``'s shingles; all slots ``EMPTY_SLOT`` for a text without words."""
        signature: Signature = np.full(self.num_perm, EMPTY_SLOT, dtype=np.uint32)
        shingles = shingle_hashes(word_hashes(text))
        if shingles.size == 0:
            return signature
        draws = _fmix64((shingles ^ self._salts).ravel())
        slots = (((draws >> np.uint64(32)) * np.uint64(self.num_perm)) >> np.uint64(32)).astype(np.intp)
        np.minimum.at(signature, slots, draws.astype(np.uint32))  # the low half (the cast wraps)
        if (signature == EMPTY_SLOT).any():  # an empty slot (or a value that happens to be EMPTY_SLOT)
            filled = np.zeros(self.num_perm, dtype=bool)
            filled[slots] = True
            empty = np.flatnonzero(~filled)
            if empty.size:
                orders = self._lenders[empty]
                signature[empty] = signature[orders[np.arange(empty.size), filled[orders].argmax(axis=1)]]
        return signature


@functools.cache
def shared_hasher(num_perm: int) -> MinHasher:
    """One hasher per signature length and process (building one sorts ``num_perm`` orders
    of ``num_perm`` slots: under a millisecond for 128)."""
    return MinHasher(num_perm)


@dataclass(frozen=True, slots=True)
class SignatureJob:
    """The signature of ``text``: a job for ``core.worker_pool``, so the crawl's own
    process does not spend its time on the signature."""

    text: str
    num_perm: int

    def run(self) -> Signature:
        return shared_hasher(self.num_perm).signature(self.text)


@dataclass(frozen=True, slots=True)
class NearMatch:
    """The most similar indexed article at or above the threshold."""

    key: str
    similarity: float
    """Estimated Jaccard of the two signatures."""


class LSHIndex:
    """Signatures by band; finds one at or above ``threshold`` without scanning them all."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS
    ) -> None:
        if not 0 < threshold <= 1 or bands < 1 or rows < 1:
            raise ValueError(
                f"need 0 < threshold <= 1, bands >= 1, rows >= 1; got {threshold}, {bands}, {rows}"
            )
        self.threshold = threshold
        self.bands, self.rows = bands, rows
        self.num_perm = bands * rows
        # A band's rows fold into one 64-bit key (a random linear form, wrapping); an
        # accidental collision only costs a verification. Python ints beat bytes keys on memory.
        self._fold = _label_ints("lsh-band", rows, 1, 1 << 63) | np.uint64(1)
        # Most band keys belong to one article: its number is stored bare, a list only
        # once a second article shares the key (saves a list per band per article).
        self._tables: list[dict[int, int | list[int]]] = [{} for _ in range(bands)]
        # Fixed-size chunks, so growing never copies (or doubles) the signatures kept so far.
        self._chunks: list[Signature] = []
        self._keys: list[str] = []
        self._last_band_keys: tuple[bytes, list[int]] = (b"", [])
        """The last signature's bytes and band keys: an article is looked up, then added."""

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, signature: Signature, key: str) -> None:
        """Index ``signature`` under ``key``."""
        number = len(self._keys)
        if number % _CHUNK_ROWS == 0:
            self._chunks.append(np.empty((_CHUNK_ROWS, self.num_perm), dtype=np.uint32))
        self._chunks[-1][number % _CHUNK_ROWS] = self._checked(signature)
        self._keys.append(key)
        for table, band_key in zip(self._tables, self.band_keys(signature), strict=True):
            bucket = table.setdefault(band_key, number)
            if isinstance(bucket, list):
                bucket.append(number)
            elif bucket != number:
                table[band_key] = [bucket, number]

    def nearest(self, signature: Signature) -> NearMatch | None:
        """The most similar signature at or above the threshold; a tie goes to the first added."""
        numbers = sorted(set(self._candidates(self._checked(signature))))
        if not numbers:
            return None
        stored = np.stack([self._chunks[n // _CHUNK_ROWS][n % _CHUNK_ROWS] for n in numbers])
        agreeing = np.count_nonzero(stored == signature, axis=1)
        best = int(np.argmax(agreeing))  # the first maximum: the earliest added
        similarity = int(agreeing[best]) / self.num_perm
        if similarity < self.threshold:
            return None
        return NearMatch(key=self._keys[numbers[best]], similarity=similarity)

    def _candidates(self, signature: Signature) -> Iterable[int]:
        for table, band_key in zip(self._tables, self.band_keys(signature), strict=True):
            bucket = table.get(band_key)
            if isinstance(bucket, int):
                yield bucket
            elif bucket is not None:
                yield from bucket

    def band_keys(self, signature: Signature) -> list[int]:
        """One 64-bit key per band: signatures sharing a band's key are candidates. The
        dedup stage looks an article up (:meth:`nearest`), then adds it: the keys of the
        signature asked last are kept (by its bytes: an array may change in place)."""
        data = signature.tobytes()
        if data == self._last_band_keys[0]:
            return self._last_band_keys[1]
        bands = signature.reshape(self.bands, self.rows).astype(np.uint64)
        keys: list[int] = (bands * self._fold).sum(axis=1, dtype=np.uint64).tolist()
        self._last_band_keys = (data, keys)
        return keys

    def _checked(self, signature: Signature) -> Signature:
        if signature.shape != (self.num_perm,):
            raise ValueError(f"expected a signature of {self.num_perm} slots, got shape {signature.shape}")
        return signature
