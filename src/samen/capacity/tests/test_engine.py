"""The simulation engine on hand-made inputs (no database)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from samen.capacity.engine import (
    Calibration,
    PlaceChange,
    Scenario,
    Stream,
    Unit,
    apply_scenario,
    replicate,
    simulate,
    summarise,
)
from samen.capacity.engine.sim import CLOCK, Rankings, Simulation, draw_parameters
from samen.shelter.matching import Needs, PlaceInfo, match


def _units(fr: int = 2, women: int = 3, minors: int = 2) -> tuple[Unit, ...]:
    units = []
    for n, region in enumerate(("VR01", "VR09")):
        base = 10 * n
        units += [
            Unit(PlaceInfo(base + 1, "fr", "first_reception", "all", region, min_age=18), fr),
            Unit(PlaceInfo(base + 2, "w", "specialised", "women", region, min_age=18), women),
            Unit(
                PlaceInfo(
                    base + 3,
                    "m",
                    "protected_minors",
                    "minors",
                    region,
                    min_age=12,
                    max_age=17,
                    security="high",
                ),
                minors,
            ),
        ]
    return tuple(units)


def _calibration(*, per_year: int = 40, withdraw: float = 0.0, refusals=None) -> Calibration:
    return Calibration(
        streams=(
            Stream(Needs(gender="female", region="VR01"), "adult/female", per_year, 365),
            Stream(Needs(gender="male", region="VR09"), "adult/male", per_year // 2, 365),
            Stream(
                Needs(gender="female", minor=True, age_band="12-17", region="VR09"),
                "minor/female",
                per_year // 4,
                365,
            ),
        ),
        refusals=refusals if refusals is not None else {"adult/female": (5, 50)},
        stays={
            "first_reception": (10.0, 20.0, 30.0),
            "specialised": (60.0, 90.0, 120.0),
            "protected_minors": (100.0, 200.0),
        },
        search_days=(0.5, 1.0, 2.0),
        response_days=(0.2, 0.5),
        follow_up=(5, 10),
        withdraw_rate=withdraw,
    )


def test_every_arrival_is_placed_waiting_or_left():
    result = simulate(_calibration(per_year=80, withdraw=0.02), _units(), seed=3)
    assert result.placed and result.waiting and result.left
    assert result.arrivals == result.placed + result.waiting + result.left


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    cal, units = _calibration(), _units()
    a, b = simulate(cal, units, seed=7), simulate(cal, units, seed=7)
    assert np.array_equal(a.waits, b.waits) and a.occupied == b.occupied
    assert not np.array_equal(a.waits, simulate(cal, units, seed=8).waits)


def test_more_places_never_increase_the_mean_wait_over_a_fixed_set_of_seeds():
    cal, units = _calibration(per_year=60), _units()
    more = Scenario(
        changes=(PlaceChange("VR09", "specialised", 4), PlaceChange("VR01", "first_reception", 2))
    )
    for seed in (1, 2, 3):
        base = summarise(replicate(cal, units, replications=8, seed=seed))
        bigger = summarise(replicate(cal, units, more, replications=8, seed=seed))
        assert bigger["wait_mean"].mean <= base["wait_mean"].mean
        assert bigger["overflow_days"].mean <= base["overflow_days"].mean


def test_beds_taken_follow_littles_law_when_nobody_waits():
    """With beds to spare L = lambda * W: mean beds occupied = arrivals a day x mean stay."""
    cal = Calibration(
        streams=(Stream(Needs(gender="female", region="VR01"), "adult/female", 200, 365),),
        # Hardly any refusals: a place that refused stays refused, and there are only four.
        refusals={"adult/female": (0, 100_000)},
        stays={"specialised": (30.0, 60.0, 90.0), "first_reception": (30.0, 60.0, 90.0)},
    )
    results = replicate(cal, _units(fr=100, women=100), replications=10, days=730, warmup=365)
    for r in results:
        assert r.overflow_days == 0 and r.left == 0
        rate = r.arrivals / r.days
        assert sum(r.occupied.values()) == pytest.approx(rate * r.stays.mean(), rel=0.15)
    mean = summarise(results)["occupied_beds"].mean
    assert mean == pytest.approx(200 / 365 * 60.0, rel=0.1)


def test_minors_are_placed_only_where_the_platforms_hard_rules_allow():
    cal = Calibration(
        streams=(
            Stream(
                Needs(gender="female", minor=True, age_band="12-17", region="VR01"),
                "minor/female",
                30,
                365,
            ),
        ),
        stays={"specialised": (30.0,)},
    )
    adults_only = tuple(u for u in _units() if u.place.type != "protected_minors")
    result = simulate(cal, adults_only)
    assert result.arrivals and result.placed == 0
    assert sum(result.occupied.values()) == 0


def test_the_ranking_shortcut_chooses_what_matching_every_free_place_chooses():
    """best_place narrows to the best score before asking the engine; the answer must be the
    engine's answer over all free places, whatever is free and refused."""
    rng = np.random.default_rng(5)
    units = tuple(
        Unit(PlaceInfo(i, f"p{i}", t, g, r, min_age=12 if g == "minors" else 18,
                       max_age=17 if g == "minors" else None,
                       languages=frozenset(rng.choice(["ro", "en", "nl"], 1))), 2)
        for i, (t, g, r) in enumerate(
            [("first_reception", "all", "VR01"), ("specialised", "women", "VR01"),
             ("specialised", "men", "VR09"), ("combined", "women", "VR09"),
             ("protected_minors", "minors", "VR01"), ("specialised", "women", "VR09")] * 3,
            start=1,
        )
    )  # fmt: skip
    cal = _calibration()
    sim = Simulation(
        cal,
        units,
        draw_parameters(cal, rng),
        Scenario(),
        days=10,
        warmup=0,
        rng=rng,
        rankings=Rankings(units),
    )
    for trial in range(200):
        for u in units:
            sim.free[u.place.id] = int(rng.integers(0, 3))
        person = sim.people[trial % len(sim.people)] if sim.people else None
        if person is None:
            pytest.skip("no arrivals drawn")
        person.refused = {int(x) for x in rng.choice(len(units), 3) + 1}
        free = [sim._info(i) for i, n in sim.free.items() if n > 0]
        full = match(sim.needs(person), free, now=CLOCK).matches
        assert sim.best_place(person) == (full[0].place.id if full else None)


def test_a_scenario_adds_beds_of_its_type_in_its_region_and_scales_first_reception():
    units = _units(fr=4)
    changed = apply_scenario(
        units,
        Scenario(
            changes=(
                PlaceChange("VR09", "protected_minors", 5),
                PlaceChange("VR01", "specialised", -2),
            ),
            first_reception_factor=1.5,
        ),
    )
    beds = {(u.place.region, u.place.type): 0 for u in changed}
    for u in changed:
        beds[(u.place.region, u.place.type)] += u.beds
    assert beds[("VR09", "protected_minors")] == 2 + 5
    assert beds[("VR01", "specialised")] == 3 - 2
    assert beds[("VR01", "first_reception")] == 6


def test_growth_of_minors_brings_more_minors_only():
    cal, units = _calibration(per_year=80), _units()
    base = replicate(cal, units, replications=5)
    grown = replicate(cal, units, Scenario(growth_minors=0.52), replications=5)
    assert sum(r.arrivals for r in grown) > sum(r.arrivals for r in base)


def test_the_engine_imports_no_django():
    code = (
        "import sys, samen.capacity.engine; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    # Fixed arguments and this interpreter: nothing untrusted reaches the subprocess.
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
