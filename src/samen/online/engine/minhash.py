"""MinHash permutations, the MurmurHash3 finaliser and the LSH parameter optimiser, in numpy.

The same numbers as datasketch's "affine32" MinHash and its ``_optimal_param`` (tests check both
against datasketch), without importing datasketch at run time: its LSH module imports SciPy for
one integral, which cost 1.7 s of every scan's start-up (issue 18).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_FMIX32 = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)


def fmix32(values: np.ndarray) -> np.ndarray:
    """The 32-bit MurmurHash3 finaliser, element-wise (wrapping multiplication is the modulo)."""
    s1, m1, s2, m2, s3 = _FMIX32
    with np.errstate(over="ignore"):
        values = values ^ (values >> s1)
        values = values * m1
        values = values ^ (values >> s2)
        values = values * m2
        return values ^ (values >> s3)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> np.ndarray:
    """(2, num_perm) uint32: odd multipliers a and offsets b of h -> a·h + b mod 2³², drawn as
    datasketch draws them for a MinHash with this seed."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


_GRID = 2001  # Simpson's rule points: far finer than the curves bend


def _area(values: np.ndarray, low: float, high: float) -> float:
    step = (high - low) / (len(values) - 1)
    weights = np.ones(len(values))
    weights[1:-1:2], weights[2:-1:2] = 4, 2
    return float(step / 3 * (weights * values).sum())


@lru_cache(maxsize=64)
def optimal_param(
    threshold: float, num_perm: int, false_positive_weight: float, false_negative_weight: float
) -> tuple[int, int]:
    """(bands, rows) that minimise the weighted areas of false positives (below the threshold)
    and false negatives (above it) of the banding curve 1 − (1 − s^r)^b."""
    below = np.linspace(0.0, threshold, _GRID)
    above = np.linspace(threshold, 1.0, _GRID)
    best, best_error = (0, 0), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _area(1 - (1 - below**r) ** b, 0.0, threshold)
            fn = _area((1 - above**r) ** b, threshold, 1.0)
            error = fp * false_positive_weight + fn * false_negative_weight
            if error < best_error:
                best, best_error = (b, r), error
    return best
