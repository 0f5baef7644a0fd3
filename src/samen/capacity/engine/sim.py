"""The discrete-event simulation of referral and shelter (SimPy).

One replication: referrals arrive per stream (Poisson, the rate drawn from its posterior);
after the search delay the coordinator holds the best place the platform's own matching engine
(samen.shelter.matching.match) ranks among the beds free now; the shelter answers after a
response time and refuses with the profile's refusal rate (the place then stays refused for
that referral, as in the platform); without any fitting free bed the referral waits on the
waiting list, in order of urgency and then arrival, and is offered the first bed that frees and
fits. First reception takes everyone the hard rules let in; after a first-reception stay a
share of the persons look for a fitting place, keeping their first-reception bed until they get
one. A stay ends after a length of stay drawn from the observed stays of that place type.

Bed-taking is synchronous (no two referrals can take the same last bed); only the response and
the stays take simulated time. Every random number a person needs is drawn when the person is
made, from streams seeded by (seed, replication), so a scenario and its baseline see the same
people (common random numbers): differences between them are differences of capacity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import simpy

from samen.capacity.engine.capacity import apply_scenario
from samen.capacity.engine.model import PRIOR_SHAPE, Calibration, Scenario, Unit
from samen.shelter.matching import FIRST_RECEPTION_TYPES, URGENCY_ORDER, PlaceInfo, match

#: The matching engine's clock: every simulated count is fresh, so no place counts as stale.
CLOCK = datetime(2000, 1, 1, tzinfo=UTC)
ATTEMPTS = 8  # refusal and response draws kept per person; later attempts reuse the last


@dataclass
class Person:
    idx: int
    stream: int
    arrived: float
    measured: bool
    draws: np.ndarray  # search, stay, follow-up, withdrawal, then refusal and response draws
    refused: set[int] = field(default_factory=set)
    unit: int | None = None
    placed_at: float | None = None
    state: str = "new"  # new / waiting / holding / placed / left / done
    attempts: int = 0
    follow_up: bool = False


@dataclass
class RunResult:
    """What one replication measured after its warm-up."""

    arrivals: int
    placed: int
    waiting: int  # still waiting, searching or holding at the end
    left: int  # withdrawn from the waiting list unplaced
    waits: np.ndarray  # days from referral to the first bed, of those placed
    wait_regions: tuple[str, ...]  # the safety region of each of those waits
    overflow_days: int  # days on which someone waited without any bed
    overflow_days_by_region: dict[str, int]
    first_reception_full_days: int  # days on which no first-reception bed was free
    occupied: dict[int, float]  # unit id -> mean beds occupied
    beds: dict[int, int]
    stays: np.ndarray  # lengths of the stays that ended, in days
    days: float


class Rankings:
    """Each stream's places in the matching engine's order (excluded places left out), for one
    set of units: computed on first use and shared by the replications of a run."""

    def __init__(self, units: tuple[Unit, ...]) -> None:
        self.places = [dataclasses.replace(u.place, availability_at=CLOCK, free=1) for u in units]
        self.by_id = {p.id: p for p in self.places}
        self._by_stream: dict[int, list[tuple[float, int]]] = {}
        self._infos: dict[tuple[int, int], PlaceInfo] = {}

    def info(self, unit: int, free: int) -> PlaceInfo:
        """The place with a live free count (immutable, so shared by the replications)."""
        info = self._infos.get((unit, free))
        if info is None:
            info = self._infos[(unit, free)] = dataclasses.replace(self.by_id[unit], free=free)
        return info

    def of(self, stream: int, needs) -> list[tuple[float, int]]:
        ranked = self._by_stream.get(stream)
        if ranked is None:
            result = match(needs, self.places, now=CLOCK)
            ranked = self._by_stream[stream] = [(m.score, m.place.id) for m in result.matches]
        return ranked


@dataclass(frozen=True)
class Draws:
    """The parameters of one replication, drawn from the calibration's uncertainty."""

    rates: np.ndarray
    refusal: dict[str, float]
    stays: dict[str, np.ndarray]
    search: np.ndarray
    response: np.ndarray
    follow_up: float


def arrival_rates(calibration: Calibration, rng: np.random.Generator) -> np.ndarray:
    """Per stream: the total rate from its Gamma posterior (Gamma-Poisson), split over the
    profiles by a Dirichlet draw on the observed counts (Dirichlet-multinomial). A prior per
    stream instead would add half a referral a year for every profile observed."""
    streams = calibration.streams
    if not streams or calibration.days <= 0:
        return np.zeros(len(streams))
    counts = np.array([s.count for s in streams], dtype=float)
    total = rng.gamma(PRIOR_SHAPE + counts.sum(), 1.0 / calibration.days)
    shares = rng.dirichlet(np.maximum(counts, 1e-3))
    return total * shares


def draw_parameters(calibration: Calibration, rng: np.random.Generator) -> Draws:
    """Rates from their Gamma posteriors, refusal rates from their Beta posteriors, lengths of
    stay and lead times bootstrapped (resampled with replacement) from the observed ones."""
    rates = arrival_rates(calibration, rng)
    profiles = sorted({s.profile for s in calibration.streams})
    refusal = {p: float(rng.beta(*calibration.refusal_prior(p))) for p in profiles}
    types = sorted(set(calibration.stays) | set(FIRST_RECEPTION_TYPES) | {"*"})
    stays = {}
    for t in types:
        own = np.asarray(calibration.stay_samples(t), dtype=float)
        stays[t] = np.sort(rng.choice(own, size=len(own), replace=True))

    def boot(samples: tuple[float, ...]) -> np.ndarray:
        arr = np.asarray(samples or (0.0,), dtype=float)
        return np.sort(rng.choice(arr, size=len(arr), replace=True))

    followed, total = calibration.follow_up
    return Draws(
        rates,
        refusal,
        stays,
        boot(calibration.search_days),
        boot(calibration.response_days),
        # No first-reception stay observed: nobody is assumed to move on from one.
        float(rng.beta(0.5 + followed, 0.5 + total - followed)) if total else 0.0,
    )


def _pick(samples: np.ndarray, u: float) -> float:
    return float(samples[min(int(u * len(samples)), len(samples) - 1)])


class Simulation:
    def __init__(
        self,
        calibration: Calibration,
        units: tuple[Unit, ...],
        draws: Draws,
        scenario: Scenario,
        *,
        days: float,
        warmup: float,
        rng: np.random.Generator,
        rankings: Rankings | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.rankings = rankings or Rankings(units)
        self.calibration = calibration
        self.draws = draws
        self.days = days
        self.warmup = warmup
        self.places: dict[int, PlaceInfo] = self.rankings.by_id
        self.beds = {u.place.id: u.beds for u in units}
        self.free = dict(self.beds)
        self.first_reception = {
            i for i, p in self.places.items() if p.type in FIRST_RECEPTION_TYPES
        }
        self.waiting: list[Person] = []
        self.area = dict.fromkeys(self.beds, 0.0)
        self.area_at_warmup: dict[int, float] = {}
        self.last = dict.fromkeys(self.beds, 0.0)
        self.people: list[Person] = []
        self.stays: list[float] = []
        self.overflow_days = 0
        self.overflow_by_region: dict[str, int] = {}
        self.fr_full_days = 0
        self._make_people(scenario, rng)

    # -- people -------------------------------------------------------------------------------

    def _make_people(self, scenario: Scenario, rng: np.random.Generator) -> None:
        horizon = self.warmup + self.days
        times, streams = [], []
        for i, stream in enumerate(self.calibration.streams):
            rate = self.draws.rates[i] * scenario.growth_of(stream.needs)
            n = int(rng.poisson(rate * horizon))
            times.append(rng.uniform(0.0, horizon, n))
            streams.append(np.full(n, i))
        at = np.concatenate(times) if times else np.empty(0)
        which = np.concatenate(streams) if streams else np.empty(0, dtype=int)
        order = np.argsort(at, kind="stable")
        uniforms = rng.random((len(at), 4 + 2 * ATTEMPTS))
        for k, j in enumerate(order):
            self.people.append(
                Person(k, int(which[j]), float(at[j]), float(at[j]) >= self.warmup, uniforms[k])
            )

    def needs(self, p: Person):
        needs = self.calibration.streams[p.stream].needs
        return dataclasses.replace(needs, refused=frozenset(p.refused)) if p.refused else needs

    def profile(self, p: Person) -> str:
        return self.calibration.streams[p.stream].profile

    # -- beds ---------------------------------------------------------------------------------

    def _flush(self, unit: int) -> None:
        now = self.env.now
        self.area[unit] += (self.beds[unit] - self.free[unit]) * (now - self.last[unit])
        self.last[unit] = now

    def _take(self, unit: int) -> None:
        self._flush(unit)
        self.free[unit] -= 1

    def _release(self, unit: int) -> None:
        self._flush(unit)
        self.free[unit] += 1
        self.wake()

    def _info(self, unit: int) -> PlaceInfo:
        return self.rankings.info(unit, self.free[unit])

    def best_place(self, p: Person) -> int | None:
        """The platform's own choice among the beds free now; None when nothing fits.

        The engine's exclusions and scores do not depend on how many beds are free (only
        "no free place" and the order of equal scores do), so the stream's full ranking is
        computed once (``Rankings``) and ``match`` is asked to decide among the free places of
        the best score, with their live counts: the same answer as matching every free place,
        at a fraction of the cost."""
        best: list[PlaceInfo] = []
        top = None
        for score, unit in self.rankings.of(p.stream, self.calibration.streams[p.stream].needs):
            if top is not None and score < top:
                break
            if self.free[unit] < 1 or unit in p.refused:
                continue
            if p.follow_up and unit in self.first_reception:
                continue
            top = score
            best.append(self._info(unit))
        if not best:
            return None
        result = match(self.needs(p), best, now=CLOCK)
        return result.matches[0].place.id if result.matches else None

    # -- the process --------------------------------------------------------------------------

    def attempt(self, p: Person) -> bool:
        unit = self.best_place(p)
        if unit is None:
            return False
        self._take(unit)
        p.state = "holding"
        self.env.process(self.hold(p, unit))
        return True

    def seek(self, p: Person) -> None:
        if not self.attempt(p):
            self.join_waiting(p)

    def join_waiting(self, p: Person) -> None:
        p.state = "waiting"
        key = (-URGENCY_ORDER.get(self.calibration.streams[p.stream].needs.urgency, 1), p.arrived)
        pos = len(self.waiting)
        for i, q in enumerate(self.waiting):
            other = (
                -URGENCY_ORDER.get(self.calibration.streams[q.stream].needs.urgency, 1),
                q.arrived,
            )
            if key < other:
                pos = i
                break
        self.waiting.insert(pos, p)
        rate = self.calibration.withdraw_rate
        if rate > 0 and not p.follow_up:
            self.env.process(self.withdraw(p, -np.log(max(p.draws[3], 1e-12)) / rate))

    def withdraw(self, p: Person, after: float):
        yield self.env.timeout(after)
        if p.state == "waiting" and p in self.waiting:
            self.waiting.remove(p)
            p.state = "left"

    def wake(self) -> None:
        """A bed freed: offer it down the waiting list, in order."""
        for p in list(self.waiting):
            if not any(self.free.values()):
                return
            if self.best_place(p) is not None:
                self.waiting.remove(p)
                self.attempt(p)

    def referral(self, p: Person):
        yield self.env.timeout(p.arrived - self.env.now)
        yield self.env.timeout(_pick(self.draws.search, p.draws[0]))
        self.seek(p)

    def hold(self, p: Person, unit: int):
        k = min(p.attempts, ATTEMPTS - 1)
        p.attempts += 1
        yield self.env.timeout(_pick(self.draws.response, p.draws[4 + ATTEMPTS + k]))
        refused = p.draws[4 + k] < self.draws.refusal.get(self.profile(p), 0.0)
        if refused:
            p.refused.add(unit)
            self._release(unit)
            self.seek(p)
            return
        previous = p.unit
        p.unit, p.state = unit, "placed"
        if p.placed_at is None:
            p.placed_at = self.env.now
        if previous is not None:
            self._release(previous)  # the first-reception bed, after the fitting place
        self.env.process(self.stay(p, unit))

    def stay(self, p: Person, unit: int):
        place_type = self.places[unit].type
        samples = self.draws.stays.get(place_type, self.draws.stays["*"])
        days = _pick(samples, p.draws[1] if not p.follow_up else 1.0 - p.draws[1])
        yield self.env.timeout(days)
        if unit in self.first_reception and not p.follow_up and p.draws[2] < self.draws.follow_up:
            p.follow_up = True
            p.attempts = 0
            self.seek(p)  # keeps the first-reception bed until a fitting place is found
            return
        self.stays.append(days)
        p.state, p.unit = "done", None
        self._release(unit)

    def daily(self):
        while True:
            yield self.env.timeout(1.0)
            if self.env.now <= self.warmup:
                continue
            unplaced = [p for p in self.waiting if p.unit is None]
            if unplaced:
                self.overflow_days += 1
                for region in {self.calibration.streams[p.stream].needs.region for p in unplaced}:
                    self.overflow_by_region[region] = self.overflow_by_region.get(region, 0) + 1
            if self.first_reception and not any(self.free[u] for u in self.first_reception):
                self.fr_full_days += 1

    def snapshot(self):
        yield self.env.timeout(self.warmup)
        for unit in self.beds:
            self._flush(unit)
        self.area_at_warmup = dict(self.area)
        self.stays.clear()

    def run(self) -> RunResult:
        for p in self.people:
            self.env.process(self.referral(p))
        self.env.process(self.daily())
        self.env.process(self.snapshot())
        end = self.warmup + self.days
        self.env.run(until=end)
        for unit in self.beds:
            self._flush(unit)
        measured = [p for p in self.people if p.measured]
        placed = [p for p in measured if p.placed_at is not None]
        before = self.area_at_warmup or dict.fromkeys(self.beds, 0.0)
        return RunResult(
            arrivals=len(measured),
            placed=len(placed),
            waiting=sum(1 for p in measured if p.placed_at is None and p.state != "left"),
            left=sum(1 for p in measured if p.state == "left"),
            waits=np.array([p.placed_at - p.arrived for p in placed]),
            wait_regions=tuple(self.calibration.streams[p.stream].needs.region for p in placed),
            overflow_days=self.overflow_days,
            overflow_days_by_region=dict(self.overflow_by_region),
            first_reception_full_days=self.fr_full_days,
            occupied={u: (self.area[u] - before[u]) / self.days for u in self.beds},
            beds=dict(self.beds),
            stays=np.array(self.stays),
            days=self.days,
        )


def simulate(
    calibration: Calibration,
    units: tuple[Unit, ...],
    scenario: Scenario | None = None,
    *,
    days: float = 365.0,
    warmup: float = 180.0,
    seed: int = 1,
    replication: int = 0,
    rankings: Rankings | None = None,
) -> RunResult:
    """One replication. The same (seed, replication) gives the same result, and the same
    parameters and people whatever the scenario's capacity."""
    scenario = scenario or Scenario()
    params = np.random.default_rng([seed, replication, 0])
    people = np.random.default_rng([seed, replication, 1])
    draws = draw_parameters(calibration, params)
    sim = Simulation(
        calibration,
        apply_scenario(units, scenario),
        draws,
        scenario,
        days=days,
        warmup=warmup,
        rng=people,
        rankings=rankings,
    )
    return sim.run()


def replicate(
    calibration: Calibration,
    units: tuple[Unit, ...],
    scenario: Scenario | None = None,
    *,
    replications: int = 100,
    days: float = 365.0,
    warmup: float = 180.0,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[RunResult]:
    scenario = scenario or Scenario()
    rankings = Rankings(apply_scenario(units, scenario))
    results = []
    for r in range(replications):
        results.append(
            simulate(
                calibration,
                units,
                scenario,
                days=days,
                warmup=warmup,
                seed=seed,
                replication=r,
                rankings=rankings,
            )
        )
        if progress is not None:
            progress(r + 1, replications)
    return results
