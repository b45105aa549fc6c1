"""The pure SimHash helpers: fingerprints, threshold and the banded index."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.simhash import BandedIndex, hamming, shingles, simhash, table_masks, words

BASE = 0x0123_4567_89AB_CDEF


def flip(fingerprint: int, *bits: int) -> int:
    for bit in bits:
        fingerprint ^= 1 << bit
    return fingerprint


def long_text(seed: int, length: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [f"word{rng.randrange(5000)}" for _ in range(length)]


@given(
    fingerprint=st.integers(0, 2**64 - 1),
    bits=st.lists(st.integers(0, 63), min_size=0, max_size=6, unique=True),
    layout=st.sampled_from([(3, None), (6, 8), (5, 7), (0, None)]),
)
def test_fingerprints_within_threshold_share_a_table_key(
    fingerprint: int, bits: list[int], layout: tuple[int, int | None]
) -> None:
    max_hamming, blocks = layout
    other = flip(fingerprint, *bits[:max_hamming])
    assert any(fingerprint & mask == other & mask for mask in table_masks(max_hamming, blocks))


@pytest.mark.parametrize(("max_hamming", "blocks", "tables"), [(3, None, 4), (6, 8, 28), (0, None, 1)])
def test_table_count_is_blocks_choose_kept_blocks(max_hamming: int, blocks: int | None, tables: int) -> None:
    assert len(table_masks(max_hamming, blocks)) == tables


@pytest.mark.parametrize(
    ("bits", "found"),
    [
        ((), True),
        ((0,), True),
        ((5, 30), True),
        ((1, 17, 40), True),  # Hamming 3: at the threshold, a near duplicate
        ((1, 17, 40, 63), False),  # Hamming 4: just past it
        ((0, 16, 32, 48), False),  # one flip in every band: no band can match
    ],
)
def test_index_finds_fingerprints_within_threshold_only(bits: tuple[int, ...], found: bool) -> None:
    index = BandedIndex(max_hamming=3)
    index.add(BASE, "kept")
    match = index.nearest(flip(BASE, *bits))
    assert (match is not None) is found
    if match is not None:
        assert match.distance == len(bits)
        assert match.similarity == pytest.approx(1 - len(bits) / 64)


def test_index_prefers_the_closest_then_the_first_added() -> None:
    index = BandedIndex(max_hamming=3)
    index.add(flip(BASE, 1, 2), "first-at-2")
    index.add(flip(BASE, 3, 4), "second-at-2")
    index.add(flip(BASE, 5), "third-at-1")
    assert index.nearest(BASE).key == "third-at-1"  # type: ignore[union-attr]
    index2 = BandedIndex(max_hamming=3)
    index2.add(flip(BASE, 1, 2), "first-at-2")
    index2.add(flip(BASE, 3, 4), "second-at-2")
    assert index2.nearest(BASE).key == "first-at-2"  # type: ignore[union-attr]


def test_simhash_ignores_case_spacing_and_punctuation() -> None:
    assert simhash("The quick brown fox, jumps over the lazy dog.") == simhash(
        "the  quick brown fox jumps\nover the lazy dog"
    )


def test_simhash_is_a_fixed_function_of_the_text() -> None:
    # blake2b, not hash(): a persistent store may keep fingerprints between processes.
    assert simhash("wash your hands before meals") == 0xB60390ABFA4978A3


def test_empty_text_has_fingerprint_zero() -> None:
    assert simhash("") == 0


def test_unrelated_texts_are_far_apart() -> None:
    distances = [
        hamming(simhash(" ".join(long_text(seed))), simhash(" ".join(long_text(seed + 100))))
        for seed in range(20)
    ]
    assert min(distances) > 10


def test_words_split_cjk_characters_and_fold_case() -> None:
    assert words("Ｆever 发烧了, OK") == ["fever", "发", "烧", "了", "ok"]


def test_short_text_is_one_shingle() -> None:
    assert shingles(["a", "b"]) == {"a b"}
    assert shingles([]) == set()
    assert shingles(["a", "b", "c", "d"]) == {"a b c", "b c d"}
