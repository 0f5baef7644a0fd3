"""The allocation proposal places at least as many as greedy first-fit, and more where it can."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from samen.shelter.allocation import PlaceArrays, allocate, allocate_greedy, pair_matrices
from samen.shelter.matching import (
    CONTRA_RULES,
    FIRST_RECEPTION,
    SPECIALISED,
    Contra,
    Needs,
    PlaceInfo,
    Weights,
    exclusion_for,
    score,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def place(pid: int, **kw: object) -> PlaceInfo:
    base = {
        "id": pid,
        "name": f"p{pid}",
        "type": SPECIALISED,
        "target_group": "all",
        "region": "VR09",
        "free": 1,
        "availability_at": NOW - timedelta(hours=1),
    }
    base.update(kw)
    return PlaceInfo(**base)


def test_allocation_beats_greedy_when_first_fit_blocks_a_harder_case():
    # The man fits only place 1 (the other is for women); greedy gives place 1 to the woman first.
    places = [place(1, target_group="all"), place(2, target_group="women")]
    referrals = [(10, Needs(gender="female")), (11, Needs(gender="male"))]
    assert len(allocate_greedy(referrals, places)) == 1
    proposal = allocate(referrals, places, now=NOW)
    assert {(p.referral, p.place) for p in proposal} == {(10, 2), (11, 1)}


def test_allocation_uses_every_free_bed_of_a_place_and_never_a_forbidden_pair():
    places = [place(1, type=FIRST_RECEPTION, free=2), place(2, target_group="men", free=3)]
    referrals = [(i, Needs(gender="female")) for i in range(4)]
    proposal = allocate(referrals, places, now=NOW)
    assert len(proposal) == 2 and {p.place for p in proposal} == {1}


def test_allocation_prefers_the_better_fit_when_counts_are_equal():
    places = [place(1, region="VR01"), place(2, region="VR09")]
    proposal = allocate([(7, Needs(region="VR09"))], places, now=NOW)
    assert [(p.referral, p.place) for p in proposal] == [(7, 2)]


# --- the vectorised rules equal the engine's, and the pruned assignment is optimal -----------

GENDERS = ["female", "male", "other", "unknown"]
GROUPS = ["women", "men", "minors", "families", "all"]
TYPES = [FIRST_RECEPTION, SPECIALISED, "cosm", "protected_minors", "combined",
         "first_reception_minors"]  # fmt: skip
BANDS = ["0-11", "12-17", "18-22", "23-29", "unknown"]
FORMS = ["sexual", "labour", "criminal", "other"]
CARE = ["addiction", "psychiatric", "medical"]
LANGS = ["nl", "en", "ro", "pl"]
SECURITY = ["standard", "elevated", "high", "unheard_of"]
URGENCY = ["low", "normal", "high", "immediate", "unheard_of"]
REGIONS = ["", "VR01", "VR09", "VR13"]
CODES = [*CONTRA_RULES, "a_rule_the_engine_does_not_know"]


def subset(rng: random.Random, values: list[str], p: float = 0.35) -> frozenset[str]:
    return frozenset(v for v in values if rng.random() < p)


def random_needs(rng: random.Random) -> Needs:
    return Needs(
        gender=rng.choice(GENDERS),
        minor=rng.random() < 0.2,
        forms=subset(rng, FORMS),
        languages=subset(rng, LANGS),
        addiction=rng.random() < 0.2,
        network_risk=rng.random() < 0.2,
        security=rng.choice(SECURITY),
        care=subset(rng, CARE, 0.2),
        accessibility=rng.random() < 0.15,
        region=rng.choice(REGIONS),
        province=rng.choice(["", "1", "2"]),
        urgency=rng.choice(URGENCY),
        age_band=rng.choice(BANDS),
        age=rng.choice([None, None, 9, 15, 17, 25]),
        foreign=rng.choice([None, True, False]),
        reflection=rng.random() < 0.5,
        via_national_centre=rng.random() < 0.5,
        refused=frozenset(rng.sample(range(150), 3)) if rng.random() < 0.3 else frozenset(),
    )


def random_place(rng: random.Random, pid: int) -> PlaceInfo:
    contra = tuple(
        Contra(code, "reason", rng.randint(1, 3)) for code in CODES if rng.random() < 0.1
    )
    return PlaceInfo(
        id=pid,
        name=f"p{pid}",
        type=rng.choice(TYPES),
        target_group=rng.choice(GROUPS),
        region=rng.choice(REGIONS[1:]),
        province=rng.choice(["1", "2", "3"]),
        forms=subset(rng, FORMS),
        security=rng.choice(SECURITY),
        care=subset(rng, CARE, 0.5),
        languages=subset(rng, LANGS),
        accessible=rng.random() < 0.5,
        min_age=rng.choice([None, 0, 12, 16, 18]),
        max_age=rng.choice([None, 11, 17]),
        free=rng.choice([0, 0, 1, 1, 2, 3]),
        availability_at=rng.choice([None, NOW - timedelta(hours=rng.choice([1, 23, 25, 90]))]),
        contra=contra,
    )


@pytest.mark.parametrize("seed", range(5))
def test_pair_matrices_equal_exclusion_for_and_score_on_random_inputs(seed):
    rng = random.Random(seed)
    places = [random_place(rng, i) for i in range(150)]
    needs = [random_needs(rng) for _ in range(80)]
    weights = Weights()
    pa = PlaceArrays(places, NOW, weights)
    pa.vocabularies(needs)
    feasible, scores = pair_matrices(needs, pa, weights)
    checked_feasible = 0
    for r, n in enumerate(needs):
        for j, p in enumerate(places):
            assert bool(feasible[r, j]) == (exclusion_for(p, n) is None), (r, j)
            # The score is defined for every pair (the engine scores only feasible ones).
            assert scores[r, j] == pytest.approx(score(p, n, NOW, weights).score, abs=1e-4)
            checked_feasible += bool(feasible[r, j])
    # The random inputs exercise both outcomes and every rule.
    assert 0 < checked_feasible < feasible.size
    rules = {
        exclusion_for(p, n).rule.split(":")[0] for n in needs for p in places if exclusion_for(p, n)
    }
    assert rules >= {"no_free_place", "target_group", "form_not_served", "security_too_low",
                     "care_not_on_site", "not_accessible", "contra", "declined_for_referral",
                     "minor_needs_minors_place", "age_outside_place", "adult_in_minors_place",
                     "cosm_not_foreign", "cosm_no_reflection_period",
                     "cosm_not_via_national_centre"}  # fmt: skip


def brute_force(referrals, places):
    """Dense Hungarian method over every bed: the reference the pruned graph must equal."""
    beds = [p for p in places for _ in range(p.free)]
    cost = np.full((len(referrals), len(beds) + len(referrals)), 1e9)
    for r, (_, n) in enumerate(referrals):
        cost[r, len(beds) + r] = 2000.0
        for c, p in enumerate(beds):
            if exclusion_for(p, n) is None:
                cost[r, c] = 1000.0 - score(p, n, NOW, Weights()).score
    rows, cols = linear_sum_assignment(cost)
    chosen = [(r, c) for r, c in zip(rows, cols, strict=True) if c < len(beds)]
    return len(chosen), sum(1000.0 - cost[r, c] for r, c in chosen)


@pytest.mark.parametrize("seed", range(8))
def test_pruned_allocation_places_as_many_and_fits_as_well_as_the_dense_assignment(seed):
    rng = random.Random(100 + seed)
    places = [random_place(rng, i) for i in range(rng.randint(5, 40))]
    referrals = [(k, random_needs(rng)) for k in range(rng.randint(1, 30))]
    proposal = allocate(referrals, places, now=NOW)
    placed, total = brute_force(referrals, places)
    assert len(proposal) == placed
    assert sum(p.score for p in proposal) == pytest.approx(total, abs=1e-3)
    # Never a forbidden pair, never more than the free beds of a place.
    by_id = {p.id: p for p in places}
    needs = dict(referrals)
    for p in proposal:
        assert exclusion_for(by_id[p.place], needs[p.referral]) is None
    used = Counter(p.place for p in proposal)
    assert all(used[pid] <= by_id[pid].free for pid in used)
    assert len({p.referral for p in proposal}) == len(proposal)
    assert len(proposal) >= len(allocate_greedy(referrals, places, now=NOW))
