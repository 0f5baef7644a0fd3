"""Allocation proposal: place as many waiting referrals as possible, with the best fit.

Plain Python + SciPy (no Django). Each free bed is a column, each referral a row; a fitting pair
costs (BIG - score), a non-fitting pair is forbidden. `linear_sum_assignment` on that rectangular
matrix maximises first the number placed (every placement saves BIG) and then the total fit.
The result is a proposal: a person confirms it place by place (hold_place does the real work).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.optimize import linear_sum_assignment

from samen.shelter.matching import Needs, PlaceInfo, Weights, exclusion_for, score

BIG = 1000.0  # larger than any score difference: placing one more always wins
FORBIDDEN = 1e9


@dataclass(frozen=True)
class Proposal:
    referral: int  # caller's referral key
    place: int
    score: float


def allocate(
    referrals: Sequence[tuple[int, Needs]],
    places: Sequence[PlaceInfo],
    *,
    now: datetime,
    weights: Weights | None = None,
) -> list[Proposal]:
    weights = weights or Weights()
    beds = [p for p in places if p.free > 0 for _ in range(p.free)]
    if not referrals or not beds:
        return []
    # Score each (referral, place) once, then copy it to the place's beds.
    place_index = {p.id: i for i, p in enumerate(places)}
    costs = np.full((len(referrals), len(places)), FORBIDDEN)
    for r, (_, needs) in enumerate(referrals):
        for j, place in enumerate(places):
            if place.free > 0 and exclusion_for(place, needs) is None:
                costs[r, j] = BIG - score(place, needs, now, weights).score
    columns = [place_index[b.id] for b in beds]
    matrix = costs[:, columns]
    rows, cols = linear_sum_assignment(matrix)
    return [
        Proposal(referrals[r][0], beds[c].id, round(BIG - matrix[r, c], 4))
        for r, c in zip(rows, cols, strict=True)
        if matrix[r, c] < FORBIDDEN
    ]


def allocate_greedy(
    referrals: Sequence[tuple[int, Needs]], places: Sequence[PlaceInfo]
) -> list[Proposal]:
    """The baseline to beat: each referral in turn takes the first fitting place with a bed."""
    free = {p.id: p.free for p in places}
    out = []
    for key, needs in referrals:
        for place in places:
            if free[place.id] > 0 and exclusion_for(place, needs) is None:
                free[place.id] -= 1
                out.append(Proposal(key, place.id, 0.0))
                break
    return out
