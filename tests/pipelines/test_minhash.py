"""The pure MinHash helpers: signatures, the Jaccard estimate, the S-curve and the LSH index."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.minhash import (
    DRAWS,
    EMPTY_SLOT,
    SIGNATURE_SCHEME,
    LSHIndex,
    MinHasher,
    Signature,
    word_hashes,
)
from core.text import word_tokens
from tests.similarity import candidate_probability, estimated_jaccard, jaccard, shingles

HASHER = MinHasher()
BASE: Signature = np.arange(1000, 1128, dtype=np.uint32)


def differing(signature: Signature, slots: list[int] | range) -> Signature:
    """A copy of ``signature`` with ``slots`` changed to values no signature has here."""
    other = signature.copy()
    other[list(slots)] += np.uint32(1_000_000)
    return other


def long_text(seed: int, length: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [f"word{rng.randrange(5000)}" for _ in range(length)]


def test_signature_is_a_fixed_function_of_the_text() -> None:
    # A byte polynomial, fixed mixers and labelled constants, not hash() or a numpy RNG
    # stream: a persistent store may keep signatures between processes, workers and versions.
    signature = HASHER.signature("wash your hands before meals")
    assert signature.dtype == np.uint32
    assert signature.shape == (128,)
    assert signature[:4].tolist() == [1827659544, 2145858367, 729304737, 3425601994]


def test_signature_ignores_case_spacing_and_punctuation() -> None:
    first = HASHER.signature("The quick brown fox, jumps over the lazy dog.")
    second = HASHER.signature("the  quick brown fox jumps\nover the lazy dog")
    assert estimated_jaccard(first, second) == 1.0


def test_text_without_words_has_the_empty_signature() -> None:
    assert (HASHER.signature(" ,. ") == EMPTY_SLOT).all()


@pytest.mark.parametrize("changed", [0, 5, 15, 30, 60])
def test_estimate_is_within_four_standard_errors_of_the_exact_jaccard(changed: int) -> None:
    tokens = long_text(1)
    edited = tokens.copy()
    for position in range(0, 5 * changed, 5):
        edited[position] = f"edit{position}"
    exact = jaccard(shingles(tokens), shingles(edited))
    estimate = estimated_jaccard(HASHER.signature(" ".join(tokens)), HASHER.signature(" ".join(edited)))
    assert abs(estimate - exact) <= 4 * (exact * (1 - exact) / 128) ** 0.5 + 1e-9


def test_text_of_a_few_words_fills_every_slot_from_its_shingles() -> None:
    signature = HASHER.signature("wash your hands")
    assert (signature != EMPTY_SLOT).all()
    assert len(set(signature.tolist())) <= DRAWS  # one shingle: every slot holds one of its copies' values


def test_texts_of_six_words_one_apart_are_never_near_duplicates() -> None:
    # Three shared shingles of five (Jaccard at most 0.6): with too few shingles to fill the
    # slots, two meeting in one slot must not hide each other often enough to reach 0.8.
    rng = random.Random(6)
    highest = 0.0
    for _ in range(1000):
        words = [f"word{rng.randrange(10**6)}" for _ in range(6)]
        edited = words.copy()
        edited[rng.randrange(6)] = "edited"
        highest = max(highest, estimated_jaccard(HASHER.signature(" ".join(words)),
                                                 HASHER.signature(" ".join(edited))))
    assert highest < 0.8


def test_unrelated_texts_estimate_far_below_the_threshold() -> None:
    estimates = [
        estimated_jaccard(
            HASHER.signature(" ".join(long_text(seed))), HASHER.signature(" ".join(long_text(seed + 100)))
        )
        for seed in range(20)
    ]
    assert max(estimates) < 0.1


@pytest.mark.parametrize(
    ("similarity", "probability"),
    [(0.3, 0.0010), (0.5, 0.0607), (0.7, 0.6133), (0.8, 0.9470), (0.9, 0.9999)],
)
def test_s_curve_of_16_bands_of_8_rows(similarity: float, probability: float) -> None:
    # The figures core/minhash.py documents.
    assert candidate_probability(similarity, bands=16, rows=8) == pytest.approx(probability, abs=5e-5)


@pytest.mark.parametrize(
    ("slots", "found"),
    [
        (range(0), True),
        (range(8, 20), True),
        (range(8, 33), True),  # 103/128 = 0.805 agree: just above the threshold
        (range(8, 34), False),  # 102/128 = 0.797: just below it
        (range(0, 128, 8), False),  # one slot in every band: no shared band, not a candidate
    ],
)
def test_index_finds_signatures_at_or_above_threshold_only(slots: range, found: bool) -> None:
    index = LSHIndex(threshold=0.8)
    index.add(BASE, "kept")
    match = index.nearest(differing(BASE, slots))
    assert (match is not None) is found
    if match is not None:
        assert (match.key, match.similarity) == ("kept", 1 - len(slots) / 128)


@given(
    slots=st.sets(st.integers(8, 127), max_size=25),
    shift=st.integers(0, 2**20),
)
def test_signatures_sharing_a_band_and_above_threshold_are_always_found(slots: set[int], shift: int) -> None:
    index = LSHIndex(threshold=0.8)
    base = BASE + np.uint32(shift)
    index.add(base, "kept")
    match = index.nearest(differing(base, sorted(slots)))
    assert match is not None
    assert match.similarity == pytest.approx(1 - len(slots) / 128)


def test_index_prefers_the_most_similar_then_the_first_added() -> None:
    index = LSHIndex(threshold=0.8)
    index.add(differing(BASE, range(120, 124)), "first-at-4")
    index.add(differing(BASE, range(100, 104)), "second-at-4")
    index.add(differing(BASE, range(60, 62)), "third-at-2")
    assert index.nearest(BASE).key == "third-at-2"  # type: ignore[union-attr]
    ties = LSHIndex(threshold=0.8)
    ties.add(differing(BASE, range(120, 124)), "first-at-4")
    ties.add(differing(BASE, range(100, 104)), "second-at-4")
    assert ties.nearest(BASE).key == "first-at-4"  # type: ignore[union-attr]


def test_index_grows_past_one_chunk_of_signatures() -> None:
    rng = np.random.default_rng(0)
    index = LSHIndex()
    signatures = rng.integers(0, EMPTY_SLOT, size=(9000, 128), dtype=np.uint32)
    for number, signature in enumerate(signatures):
        index.add(signature, f"k{number}")
    assert len(index) == 9000
    assert index.nearest(differing(signatures[8500], range(100, 110))).key == "k8500"  # type: ignore[union-attr]


def test_signature_of_the_wrong_length_is_refused() -> None:
    index = LSHIndex(bands=4, rows=4)
    with pytest.raises(ValueError, match="16 slots"):
        index.add(BASE, "kept")


@pytest.mark.parametrize(
    ("threshold", "bands", "rows"), [(0.0, 16, 8), (1.5, 16, 8), (0.8, 0, 8), (0.8, 16, 0)]
)
def test_bad_index_settings_are_refused(threshold: float, bands: int, rows: int) -> None:
    with pytest.raises(ValueError):
        LSHIndex(threshold, bands, rows)


def test_words_split_cjk_characters_and_fold_case() -> None:
    assert word_tokens("Ｆever 发烧了, OK") == ["fever", "发", "烧", "了", "ok"]


def test_ascii_and_other_text_hash_their_words_alike() -> None:
    # ASCII text is cut by a byte table, other text by the ``word_tokens`` regex: same words, same hashes.
    ascii_text = "Wash_your HANDS, 20 seconds!"
    assert word_hashes(ascii_text + " café").tolist()[:5] == word_hashes(ascii_text).tolist()
    assert len(set(word_hashes("hands hand handss ab ba").tolist())) == 5


def test_signatures_stay_what_earlier_runs_of_this_scheme_stored() -> None:
    # Stores keep signatures between runs and share them between workers: a change to the
    # words, shingles or hash functions would make every stored one unlike its article,
    # unless SIGNATURE_SCHEME changes with it (and the state store signs its articles again).
    assert SIGNATURE_SCHEME == 2
    text = "Wash your hands for 20 seconds. Fever, cough: 发烧了! Ｆever is common.\n\nDrink water; rest."
    signature = MinHasher(128).signature(text)
    assert signature[:6].tolist() == [1151661136, 2864608983, 1874571753, 1557260496, 813217369, 2833505531]
    assert hashlib.sha256(signature.astype("<u4").tobytes()).hexdigest()[:16] == "9789825c32705c38"


def test_short_text_is_one_shingle() -> None:
    assert shingles(["a", "b"]) == {"a b"}
    assert shingles([]) == set()
    assert shingles(["a", "b", "c", "d"]) == {"a b c", "b c d"}


def test_exact_jaccard_of_shingle_sets() -> None:
    assert jaccard({"a", "b", "c"}, {"b", "c", "d"}) == 0.5
    assert jaccard(set(), set()) == 1.0
