"""A planning run: calibrate on the register, back-test on a past year, simulate a baseline and
a scenario, and protect what rests on small groups before it is shown.

The back-test is out of sample: it calibrates on the year before the replayed year and
compares the simulated median wait and mean occupancy with the register's own for that year.
Figures per safety region (waits, overflow days) rest on that region's referrals, figures per
region and type of place (occupancy) on its placements: both counts go through the statistics
module's disclosure control (samen.statistics.disclosure.protect with the published rules),
and a figure whose count is hidden is hidden with it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.stats import beta, gamma

from samen.capacity.engine import (
    Estimate,
    RunResult,
    Scenario,
    Unit,
    apply_scenario,
    compare,
    occupancy_by,
    replicate,
    summarise,
)
from samen.capacity.engine.model import PRIOR_SHAPE
from samen.capacity.selectors import CalibrationRead, calibrate, directory_units
from samen.core.actor import Actor
from samen.statistics.disclosure import TOTAL, CountTable, Dimension, ProtectedRelease, protect
from samen.statistics.selectors import Period
from samen.statistics.services import disclosure_rules

MAX_PAGE_REPLICATIONS = 50
#: Simulated counts of people. Under extra growth of minors their change is that growth times
#: the simulated minors, which the outside attacker turned into the number of minors (5.9 for
#: 5, at 50 replications): hidden when the minors' count is hidden.
COUNT_METRICS = ("arrivals", "still_waiting")
WARMUP_DAYS = 180.0


@dataclass(frozen=True)
class BackTest:
    year: int
    observed_median_wait: float | None
    simulated_median_wait: Estimate
    observed_occupied: float | None  # None (like the wait) when the year's total is hidden
    simulated_occupied: Estimate

    @property
    def wait_error(self) -> float | None:
        if self.observed_median_wait is None or math.isnan(self.simulated_median_wait.mean):
            return None
        return self.simulated_median_wait.mean - self.observed_median_wait

    @property
    def occupied_error(self) -> float | None:
        if self.observed_occupied is None:
            return None
        return self.simulated_occupied.mean - self.observed_occupied

    @property
    def occupied_relative_error(self) -> float | None:
        if not self.observed_occupied:
            return None
        return (self.simulated_occupied.mean - self.observed_occupied) / self.observed_occupied


@dataclass(frozen=True)
class RegionRow:
    region: str
    published: bool
    base_wait: Estimate | None
    scenario_wait: Estimate | None
    base_overflow: Estimate | None
    scenario_overflow: Estimate | None


@dataclass(frozen=True)
class OccupancyRow:
    region: str
    place_type: str
    published: bool
    beds: float
    base: Estimate | None
    scenario_beds: float
    scenario: Estimate | None


@dataclass(frozen=True)
class CalibrationRow:
    """One estimated input with its uncertainty: kind "arrivals" (referrals a year), "refusal"
    (share of holds refused, key = profile) or "stay" (median days, key = type of place)."""

    kind: str
    key: str
    n: int | None  # observations it rests on; None when hidden
    estimate: Estimate | None  # None when hidden


@dataclass(frozen=True)
class PlanResult:
    year: int
    replications: int
    read: CalibrationRead
    backtest: BackTest | None
    baseline: dict[str, Estimate]
    scenario: dict[str, Estimate | None]  # None: hidden (see COUNT_METRICS)
    difference: dict[str, Estimate | None]
    regions: list[RegionRow]
    occupancy: list[OccupancyRow]
    occupancy_types: list[OccupancyRow]  # national, region ""
    calibration_rows: list[CalibrationRow]
    release: ProtectedRelease
    scenario_spec: Scenario
    #: The calibration year's referrals, None when the disclosure control hides the total.
    referrals_shown: int | None = None


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def _region_wait(results: list[RunResult], region: str) -> Estimate:
    values = []
    for r in results:
        mask = np.array([g == region for g in r.wait_regions], dtype=bool)
        values.append(float(np.median(r.waits[mask])) if mask.any() else math.nan)
    return Estimate.of(values)


def protect_groups(
    read: CalibrationRead, places: frozenset[tuple[str, str]] = frozenset()
) -> ProtectedRelease:
    """The observed counts the regional figures rest on, protected as statistics tables (a
    region and type of place without placements is a zero cell of the table)."""
    observed = read.observed
    regions = tuple(sorted(observed.by_region)) or ("",)
    pairs = sorted(set(observed.by_region_type) | (places if observed.by_region else set()))
    place_regions = tuple(sorted({r for r, _ in pairs})) or ("",)
    types = tuple(sorted({t for _, t in pairs})) or ("",)
    tables = [
        CountTable(
            "referrals by region",
            [Dimension("region", regions)],
            {(r,): n for r, n in (observed.by_region or {"": observed.referrals}).items()},
            scope={"count": "referrals"},
        ),
        CountTable(
            "placements by region and type",
            [Dimension("region", place_regions), Dimension("type", types)],
            {k: n for k, n in observed.by_region_type.items()},
            scope={"count": "placements"},
        ),
    ]
    calibration = read.calibration
    ages = {"adult": 0, "minor": 0}
    for stream in calibration.streams:
        ages["minor" if stream.needs.minor else "adult"] += stream.count
    tables.append(
        CountTable(
            "referrals by age group",
            [Dimension("group", ("adult", "minor"))],
            {(k,): n for k, n in ages.items()},
            scope={"count": "referrals"},
        )
    )
    if calibration.refusals:
        # Refused and accepted holds apart: a rate shown beside its holds gives the refused
        # holds away (the outside attacker recomputed them), so both must be publishable.
        profiles = tuple(sorted(calibration.refusals))
        outcomes = {}
        for p, (refused, attempts) in calibration.refusals.items():
            outcomes[(p, "refused")] = refused
            outcomes[(p, "accepted")] = attempts - refused
        tables.append(
            CountTable(
                "holds by profile",
                [Dimension("profile", profiles), Dimension("outcome", ("accepted", "refused"))],
                outcomes,
                scope={"count": "holds"},
            )
        )
    if calibration.stays:
        kinds = tuple(sorted(calibration.stays))
        tables.append(
            CountTable(
                "stays by type",
                [Dimension("type", kinds)],
                {(t,): len(v) for t, v in calibration.stays.items()},
                scope={"count": "stays"},
            )
        )
    return protect(tables, disclosure_rules(), label="capacity")


def calibration_rows(read: CalibrationRead, release: ProtectedRelease) -> list[CalibrationRow]:
    """The calibration's estimates with their 95% intervals: the posterior of the yearly
    arrivals (Gamma) and of each profile's refusal rate (Beta), and a bootstrap interval of
    each type's median stay. Hidden where the count they rest on is hidden."""
    calibration = read.calibration
    rows = []
    total = sum(s.count for s in calibration.streams)
    per_year = 365.0 / calibration.days if calibration.days else 0.0
    shape = PRIOR_SHAPE + total
    hidden = release.table("referrals by region").cell((TOTAL,)).suppressed
    low, high = (float(gamma.ppf(q, shape)) * per_year for q in (0.025, 0.975))
    arrivals = Estimate(shape * per_year, low, high, total)
    rows.append(
        CalibrationRow("arrivals", "", None if hidden else total, None if hidden else arrivals)
    )
    names = {t.name for t in release.tables}
    for profile, (_refused, attempts) in sorted(calibration.refusals.items()):
        shown = "holds by profile" in names and not any(
            release.table("holds by profile").cell((profile, part)).suppressed
            for part in (TOTAL, "accepted", "refused")
        )
        a, b = calibration.refusal_prior(profile)
        estimate = Estimate(a / (a + b), *(beta.ppf(q, a, b) for q in (0.025, 0.975)), attempts)
        rows.append(
            CalibrationRow(
                "refusal", profile, attempts if shown else None, estimate if shown else None
            )
        )
    rng = np.random.default_rng(0)
    for place_type, stays in sorted(calibration.stays.items()):
        shown = (
            "stays by type" in names
            and not release.table("stays by type").cell((place_type,)).suppressed
        )
        arr = np.asarray(stays)
        medians = np.median(rng.choice(arr, size=(200, len(arr))), axis=1)
        estimate = Estimate(float(np.median(arr)), *np.percentile(medians, [2.5, 97.5]), len(arr))
        rows.append(
            CalibrationRow(
                "stay", place_type, len(arr) if shown else None, estimate if shown else None
            )
        )
    return rows


def plan_run(
    *,
    actor: Actor,
    year: int,
    scenario: Scenario,
    replications: int = 20,
    seed: int = 1,
    days: float = 365.0,
    backtest: bool = True,
    units: tuple[Unit, ...] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PlanResult:
    """Calibrate on ``year``, simulate a year of the baseline and of ``scenario`` with the same
    seeds, back-test on ``year`` calibrated on the year before."""
    units = units if units is not None else directory_units()
    read = calibrate(actor=actor, period=year_period(year))

    def step(label: str) -> Callable[[int, int], None] | None:
        return (lambda done, total: progress(label, done, total)) if progress else None

    test = None
    if backtest:
        earlier = calibrate(actor=actor, period=year_period(year - 1))
        replay = replicate(
            earlier.calibration,
            units,
            replications=replications,
            days=days,
            warmup=WARMUP_DAYS,
            seed=seed,
            progress=step("backtest"),
        )
        summary = summarise(replay)
        test = BackTest(
            year,
            read.observed.median_wait,
            summary["wait_p50"],
            read.observed.mean_occupied,
            summary["occupied_beds"],
        )
    base = replicate(
        read.calibration,
        units,
        replications=replications,
        days=days,
        warmup=WARMUP_DAYS,
        seed=seed,
        progress=step("baseline"),
    )
    changed = replicate(
        read.calibration,
        units,
        scenario,
        replications=replications,
        days=days,
        warmup=WARMUP_DAYS,
        seed=seed,
        progress=step("scenario"),
    )
    key_of = {u.place.id: (u.place.region, u.place.type) for u in apply_scenario(units, scenario)}
    release = protect_groups(read, frozenset(key_of.values()))
    referrals = release.table("referrals by region")
    if test is not None and referrals.cell((TOTAL,)).suppressed:
        # The observed wait and occupancy of a year of a handful of referrals describe those
        # few people: hidden with the year's total.
        test = dataclasses.replace(test, observed_median_wait=None, observed_occupied=None)
    regions = []
    for region in sorted(read.observed.by_region):
        shown = not referrals.cell((region,)).suppressed
        regions.append(
            RegionRow(
                region,
                shown,
                _region_wait(base, region) if shown else None,
                _region_wait(changed, region) if shown else None,
                Estimate.of([r.overflow_days_by_region.get(region, 0) for r in base])
                if shown
                else None,
                Estimate.of([r.overflow_days_by_region.get(region, 0) for r in changed])
                if shown
                else None,
            )
        )
    placed = release.table("placements by region and type")
    base_occ = occupancy_by(base, key_of)
    scen_occ = occupancy_by(changed, key_of)
    occupancy = []
    for key in sorted(set(base_occ) | set(scen_occ)):
        shown = bool(read.observed.by_region) and not placed.cell(key).suppressed
        b, b_beds = base_occ.get(key, (None, 0.0))
        s, s_beds = scen_occ.get(key, (None, 0.0))
        occupancy.append(
            OccupancyRow(
                key[0], key[1], shown, b_beds, b if shown else None, s_beds, s if shown else None
            )
        )
    by_type = {u: ("", t) for u, (_r, t) in key_of.items()}
    base_types, scen_types = occupancy_by(base, by_type), occupancy_by(changed, by_type)
    types = []
    for key in sorted(set(base_types) | set(scen_types)):
        shown = bool(read.observed.by_region) and not placed.cell((TOTAL, key[1])).suppressed
        b, b_beds = base_types.get(key, (None, 0.0))
        s, s_beds = scen_types.get(key, (None, 0.0))
        types.append(
            OccupancyRow(
                "", key[1], shown, b_beds, b if shown else None, s_beds, s if shown else None
            )
        )
    scenario_figures: dict[str, Estimate | None] = dict(summarise(changed))
    difference: dict[str, Estimate | None] = dict(compare(base, changed))
    minors = release.table("referrals by age group").cell(("minor",))
    if scenario.growth_minors and minors.suppressed:
        for key in COUNT_METRICS:
            scenario_figures[key] = difference[key] = None
    return PlanResult(
        year=year,
        replications=replications,
        read=read,
        backtest=test,
        baseline=summarise(base),
        scenario=scenario_figures,
        difference=difference,
        regions=regions,
        occupancy=occupancy,
        occupancy_types=types,
        calibration_rows=calibration_rows(read, release),
        release=release,
        scenario_spec=scenario,
        referrals_shown=None if referrals.cell((TOTAL,)).suppressed else read.observed.referrals,
    )
