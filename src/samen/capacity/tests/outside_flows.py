"""An independent generator of shelter flows, for back-testing the capacity model from outside.

Written by another hand than the capacity engine, and on purpose without any of it: it imports
nothing of ``samen.capacity`` and nothing of ``samen.shelter.matching``. It runs its own
event-driven queue (a heap, plain rules: own region first, then any region with a free bed of
the person's kind of place, else a first-come-first-served waiting list per kind), writes what
happened into the register's tables (persons, cases, referrals, holds, placements, and the
offers of a freed place to a waiting referral, as the platform records them) and keeps its
own tally of what it realised, computed from its own events, not read back from the database.

The volumes and mixes come from published yearly figures (facts only):

- CoMensha registrations of possible victims, as reported by the Nationaal Rapporteur
  Mensenhandel and the Nederlands Jeugdinstituut (nji.nl/cijfers/mensenhandel): 1,334 in 2019,
  984 in 2020 (of whom 152, about 15%, minors; 227 minors, 24%, in 2016); 791 in 2021
  ("Slachtoffers van mensenhandel in beeld bij CoMensha 2017-2021", nationaalrapporteur.nl).
  Of 659 minors of 2016-2020 with a known form, 341 (52%) were sexual exploitation. Most
  registered victims are women (WODC, "Evaluatie van de pilot Categorale Opvang voor
  Slachtoffers van Mensenhandel", 2012).
- Categorial shelter: the COSM pilot opened with 50 places (2010), made permanent with 70;
  COSM stays are meant to last three months, and in 2018 the COSMs were "structurally full"
  (CoMensha, "JenV verhoogt aantal bedden bij COSM", 2018: +15%, eight beds).

Only a part of the registered victims is referred to shelter; ``scale`` sets that part. The
share of adult women versus men among the non-minors, the refusal and answer times and the
spread of stays are assumptions of this generator, stated in ``OutsideWorld``.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from samen.cases.models import Case, ExploitationForm, Person
from samen.organisations.models import Municipality, Organisation, OrganisationType, SafetyRegion
from samen.shelter.models import (
    Hold,
    HoldStatus,
    Location,
    Place,
    Placement,
    PlaceType,
    Provider,
    Referral,
    ReferralStatus,
    TargetGroup,
    WaitingOffer,
)

AMS = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class YearFigures:
    """One year as published: registered possible victims, the share of minors, the forms."""

    registered: int
    minors: float
    forms: tuple[tuple[str, float], ...] = (("sexual", 0.52), ("labour", 0.3), ("criminal", 0.18))


#: CoMensha yearly figures (see the module's sources).
PUBLISHED = {
    2016: YearFigures(943, 0.24),
    2019: YearFigures(1334, 0.16),
    2020: YearFigures(984, 0.15),
    2021: YearFigures(791, 0.17),
}
KINDS = {  # kind of place -> (place type, target group, ages)
    "women": (PlaceType.SPECIALISED, TargetGroup.WOMEN, (18, None)),
    "men": (PlaceType.SPECIALISED, TargetGroup.MEN, (18, None)),
    "minors": (PlaceType.PROTECTED_MINORS, TargetGroup.MINORS, (12, 17)),
}


@dataclass(frozen=True)
class OutsideWorld:
    """What the generator assumes on top of the published figures."""

    years: dict[int, YearFigures]  # the calendar years to generate, with their figures
    scale: float = 0.12  # part of the registered victims referred to shelter
    regions: tuple[tuple[str, float], ...] = (("VR09", 0.5), ("VR13", 0.3), ("VR01", 0.2))
    beds: tuple[tuple[str, str, int], ...] = (  # (region, kind, beds)
        ("VR09", "women", 14), ("VR13", "women", 9), ("VR01", "women", 6),
        ("VR09", "men", 5), ("VR13", "men", 3),
        ("VR09", "minors", 4), ("VR01", "minors", 1),
    )  # fmt: skip
    female_adults: float = 0.7
    stay_median: dict[str, float] = field(
        default_factory=lambda: {"women": 90.0, "men": 75.0, "minors": 150.0}
    )
    stay_sigma: float = 0.5  # lognormal spread of a stay
    search_mean: float = 0.75  # days from referral to the first place asked
    answer_mean: float = 0.3  # days a shelter takes to answer
    refuse: dict[str, float] = field(
        default_factory=lambda: {"women": 0.1, "men": 0.25, "minors": 0.3}
    )
    patience: float = 120.0  # mean days a waiting person stays on the list before withdrawing


@dataclass
class _Person:
    idx: int
    year: int
    region: str
    kind: str
    female: bool
    form: str
    arrived: float
    refused: set[int] = field(default_factory=set)
    holds: list[tuple[int, float, float, bool]] = field(default_factory=list)  # place, at, ans, ok
    stays: list[tuple[int, float, float | None]] = field(default_factory=list)  # place, in, out
    withdrawn_at: float | None = None
    offers: list[tuple[int, float, int]] = field(default_factory=list)  # place, at, rank
    asking: float = 0.0  # when the place now held was asked
    queued_since: float | None = None
    queued: float = 0.0  # days on the waiting list, without any place


@dataclass
class Realised:
    """The generator's own figures of one year, from its own events."""

    referrals: int
    minors: int
    median_wait: float | None  # referral to first placement, of the year's referrals placed
    mean_occupied: float  # bed-days taken in the year / days of the year
    unplaced_share: float  # referrals of the year without a place at the end of the data
    withdraw_rate: float  # withdrawals per day on the waiting list, of the year's referrals
    by_region: dict[str, int]


@dataclass
class Generated:
    world: OutsideWorld
    start: datetime
    people: list[_Person]
    beds: list[tuple[str, str, int]]  # unit index -> (region, kind, beds)
    realised: dict[int, Realised]

    def realised_queue(self, year: int) -> list[float]:
        """Days each referral of the year spent on the waiting list."""
        return [p.queued for p in self.people if p.year == year]


def _day(start: datetime, t: float) -> datetime:
    # Elapsed time, in UTC: adding to an Amsterdam datetime adds wall-clock time, so a wait
    # across a daylight-saving change was written an hour longer or shorter than the generator
    # counted it, and the register's median wait (elapsed) missed the realised one in years
    # where a median wait spans the change (2029, by faketime).
    return start.astimezone(UTC) + timedelta(days=t)


def generate(world: OutsideWorld, *, seed: int) -> Generated:
    """Runs the years in order from an empty directory; the first year is the warm-up."""
    rng = random.Random(seed)
    years = sorted(world.years)
    start = datetime(years[0], 1, 1, tzinfo=AMS)
    end_t = (datetime(years[-1] + 1, 1, 1, tzinfo=AMS) - start).days
    units = list(world.beds)
    free = [b for _, _, b in units]
    people: list[_Person] = []
    events: list[tuple[float, int, str, int, int]] = []  # time, seq, what, person, unit
    seq = 0

    def push(t: float, what: str, who: int, unit: int = -1) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, what, who, unit))

    # Arrivals: a Poisson process per year at the published rate, scaled.
    for year in years:
        figures = world.years[year]
        y0 = (datetime(year, 1, 1, tzinfo=AMS) - start).days
        y1 = (datetime(year + 1, 1, 1, tzinfo=AMS) - start).days
        rate = figures.registered * world.scale / (y1 - y0)
        t = y0 + rng.expovariate(rate)
        while t < y1:
            region = rng.choices([r for r, _ in world.regions], [w for _, w in world.regions])[0]
            minor = rng.random() < figures.minors
            female = rng.random() < (0.8 if minor else world.female_adults)
            kind = "minors" if minor else ("women" if female else "men")
            form = rng.choices([f for f, _ in figures.forms], [w for _, w in figures.forms])[0]
            person = _Person(len(people), year, region, kind, female, form, t)
            people.append(person)
            push(t + rng.expovariate(1 / world.search_mean), "seek", person.idx)
            t += rng.expovariate(rate)
    waiting: dict[str, list[int]] = {k: [] for k in KINDS}

    def free_unit(p: _Person) -> int | None:
        fits = [
            i
            for i, (r, k, _) in enumerate(units)
            if k == p.kind and free[i] > 0 and i not in p.refused
        ]
        own = [i for i in fits if units[i][0] == p.region]
        return (own or fits or [None])[0]

    def seek(p: _Person, now: float) -> None:
        unit = free_unit(p)
        if unit is None:
            waiting[p.kind].append(p.idx)
            p.queued_since = now
            push(now + rng.expovariate(1 / world.patience), "withdraw", p.idx)
            return
        free[unit] -= 1
        p.asking = now
        push(now + rng.expovariate(1 / world.answer_mean), "answer", p.idx, unit)

    def offer(kind: str, now: float) -> None:
        for rank, idx in enumerate(list(waiting[kind]), start=1):
            unit = free_unit(people[idx])
            if unit is None:
                continue
            # The platform offers the freed place to the waiting referral (a WaitingOffer).
            people[idx].offers.append((unit, now, rank))
            waiting[kind].remove(idx)
            _unqueue(people[idx], now)
            seek(people[idx], now)

    while events:
        now, _, what, who, unit = heapq.heappop(events)
        if now >= end_t:
            break
        p = people[who]
        if what == "seek":
            seek(p, now)
        elif what == "withdraw":
            if who in waiting[p.kind] and not p.stays:
                waiting[p.kind].remove(who)
                _unqueue(p, now)
                p.withdrawn_at = now
        elif what == "answer":
            ok = rng.random() >= world.refuse[p.kind]
            p.holds.append((unit, p.asking, now, ok))
            if not ok:
                p.refused.add(unit)
                free[unit] += 1
                offer(units[unit][1], now)
                seek(p, now)
                continue
            median = world.stay_median[p.kind]
            stay = median * math.exp(rng.gauss(0.0, world.stay_sigma))
            p.stays.append((unit, now, None))
            push(now + stay, "leave", who, unit)
        elif what == "leave":
            place, began, _ = p.stays[-1]
            p.stays[-1] = (place, began, now)
            free[unit] += 1
            offer(units[unit][1], now)
    for p in people:
        _unqueue(p, end_t)
    realised = {year: _realise(world, start, people, year, end_t) for year in years}
    return Generated(world, start, people, units, realised)


def _unqueue(p: _Person, now: float) -> None:
    if p.queued_since is not None:
        p.queued += now - p.queued_since
        p.queued_since = None


def _realise(
    world: OutsideWorld, start: datetime, people: list[_Person], year: int, end_t: float
) -> Realised:
    y0 = (datetime(year, 1, 1, tzinfo=AMS) - start).days
    y1 = (datetime(year + 1, 1, 1, tzinfo=AMS) - start).days
    mine = [p for p in people if p.year == year]
    waits = [p.stays[0][1] - p.arrived for p in mine if p.stays and p.stays[0][1] < end_t]
    taken = 0.0
    for p in people:
        for _, began, left in p.stays:
            taken += max(0.0, min(left if left is not None else end_t, y1) - max(began, y0))
    by_region: dict[str, int] = {}
    for p in mine:
        by_region[p.region] = by_region.get(p.region, 0) + 1
    return Realised(
        referrals=len(mine),
        minors=sum(1 for p in mine if p.kind == "minors"),
        median_wait=statistics.median(waits) if waits else None,
        mean_occupied=taken / (y1 - y0),
        unplaced_share=(len(mine) - len(waits)) / len(mine) if mine else 0.0,
        by_region=by_region,
        withdraw_rate=sum(p.withdrawn_at is not None for p in mine)
        / max(sum(p.queued for p in mine), 1.0),
    )


def write(generated: Generated) -> dict[int, Place]:
    """The directory and the flows into the register's tables (bulk, synthetic rows)."""
    start = generated.start
    codes = {r for r, _, _ in generated.beds} | {r for r, _ in generated.world.regions}
    regions = {r.code: r for r in SafetyRegion.objects.filter(code__in=codes)}
    munis = {
        code: Municipality.objects.filter(region=r).order_by("code").first()
        for code, r in regions.items()
    }
    shelter = Organisation.objects.filter(type=OrganisationType.SHELTER).order_by("pk").first()
    referrer = Organisation.objects.filter(type=OrganisationType.CARE_COORDINATION).first()
    provider, _ = Provider.objects.get_or_create(
        organisation=shelter, defaults={"name": "Buitenopvang (test)", "is_synthetic": True}
    )
    places: dict[int, Place] = {}
    for i, (region, kind, beds) in enumerate(generated.beds):
        place_type, group, (low, high) = KINDS[kind]
        location = Location.objects.create(
            provider=provider, name=f"Locatie {i}", municipality=munis[region]
        )
        places[i] = Place.objects.create(
            location=location,
            name=f"Buiten {kind} {region} {i}",
            type=place_type,
            target_group=group,
            municipality=munis[region],
            funding_municipality=munis[region],
            capacity=beds,
            free=beds,
            min_age=low,
            max_age=high,
            is_synthetic=True,
            availability_at=_day(start, 0),
        )
    forms = {f.code: f for f in ExploitationForm.objects.all()}
    people = generated.people
    persons = Person.objects.bulk_create(
        Person(
            gender="female" if p.female else "male",
            age_band="12-17" if p.kind == "minors" else "23-29",
            is_minor=p.kind == "minors",
            is_synthetic=True,
        )
        for p in people
    )
    cases = Case.objects.bulk_create(
        Case(
            number=f"O{p.year}-{p.idx:05d}",
            person=persons[p.idx],
            responsible_organisation=referrer,
            municipality=munis[p.region],
            region=regions[p.region],
            opened_at=_day(start, p.arrived),
            is_synthetic=True,
        )
        for p in people
    )
    Case.forms.through.objects.bulk_create(
        Case.forms.through(case_id=cases[p.idx].pk, exploitationform_id=forms[p.form].pk)
        for p in people
    )

    def status(p: _Person) -> str:
        if p.withdrawn_at is not None:
            return ReferralStatus.WITHDRAWN
        if p.stays:
            return ReferralStatus.ENDED if p.stays[-1][2] is not None else ReferralStatus.PLACED
        return ReferralStatus.OPEN

    referrals = Referral.objects.bulk_create(
        Referral(
            case=cases[p.idx],
            organisation=referrer,
            created_at=_day(start, p.arrived),
            status=status(p),
        )
        for p in people
    )
    holds, placements = [], []
    for p in people:
        for unit, asked, answered, ok in p.holds:
            at = _day(start, asked)
            holds.append(
                Hold(
                    referral=referrals[p.idx],
                    place=places[unit],
                    created_at=at,
                    expires_at=at + timedelta(hours=3),
                    status=HoldStatus.ACCEPTED if ok else HoldStatus.DECLINED,
                    responded_at=_day(start, answered),
                    decline_reason="" if ok else "no_fit",
                )
            )
    Hold.objects.bulk_create(holds)
    WaitingOffer.objects.bulk_create(
        WaitingOffer(
            referral=referrals[p.idx],
            place=places[unit],
            rank=rank,
            created_at=_day(start, at),
            read_at=_day(start, at),
        )
        for p in people
        for unit, at, rank in p.offers
    )
    for p in people:
        for unit, began, left in p.stays:
            ended = None if left is None else _day(start, left)
            placements.append(
                Placement(
                    referral=referrals[p.idx],
                    place=places[unit],
                    started_at=_day(start, began),
                    ended_at=ended,
                )
            )
    Placement.objects.bulk_create(placements)
    return places
