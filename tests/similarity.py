"""Exact and estimated similarity helpers for the MinHash tests and ``benchmarks/bench_dedup.py``.

Not product code: the dedup stage only needs ``core.minhash`` (signatures and the LSH
index); these measure it (exact Jaccard of shingle sets, the share of agreeing slots, the
band S-curve).
"""

from __future__ import annotations

import numpy as np

from core.minhash import DEFAULT_BANDS, DEFAULT_ROWS, SHINGLE_WORDS, Signature


def shingles(tokens: list[str], size: int = SHINGLE_WORDS) -> set[str]:
    """Distinct runs of ``size`` words; a text shorter than that is one shingle."""
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(first: set[str], second: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (1.0 for two empty sets)."""
    union = len(first | second)
    return len(first & second) / union if union else 1.0


def estimated_jaccard(first: Signature, second: Signature) -> float:
    """Share of slots in which two signatures agree."""
    return float(np.count_nonzero(first == second)) / first.size


def candidate_probability(
    jaccard_value: float, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS
) -> float:
    """Chance that a pair with this Jaccard shares at least one band (the S-curve)."""
    return float(1 - (1 - jaccard_value**rows) ** bands)
