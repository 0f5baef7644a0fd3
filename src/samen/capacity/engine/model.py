"""The inputs of the capacity simulation, as plain data: what arrives (streams of referrals with
a needs profile), how the chain responds (refusal rates, lead times, lengths of stay, outflow),
what there is (units of beds) and what a scenario changes. No Django: the calibration on the
Django side fills these from the register, tests and benchmarks fill them by hand.

Times are in days. Uncertainty is carried as distributions, not point estimates: a stream's
rate is a Gamma posterior (shape, rate) from a Poisson count, a refusal rate a Beta posterior,
lengths of stay and lead times are observed samples that each replication bootstraps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from samen.shelter.matching import FIRST_RECEPTION_TYPES, Needs, PlaceInfo

#: Gamma prior for the total arrival rate (shape 0.5: Jeffreys' prior for a Poisson rate).
PRIOR_SHAPE = 0.5
#: Beta prior for a refusal rate (a, b): one refusal in ten attempts, weight of ten attempts.
PRIOR_REFUSAL = (1.0, 9.0)


@dataclass(frozen=True)
class Stream:
    """Referrals of one profile from one region: ``count`` observed over ``days`` days. The
    simulation draws the streams' rates jointly (see sim.arrival_rates)."""

    needs: Needs  # the profile the matching engine sees (region, minor, gender, forms, ...)
    profile: str  # the refusal-rate key of this profile (see ``profile_key``)
    count: int
    days: float

    @property
    def mean_rate(self) -> float:
        return self.count / self.days if self.days > 0 else 0.0


def profile_key(needs: Needs) -> str:
    """The coarse profile refusal rates are estimated for: minor or adult, gender, and the two
    flags that most often close a shelter's door (only present when calibrated)."""
    parts = ["minor" if needs.minor else "adult", needs.gender or "unknown"]
    if needs.network_risk:
        parts.append("network")
    if needs.addiction:
        parts.append("addiction")
    return "/".join(parts)


@dataclass(frozen=True)
class Calibration:
    """Everything the simulation draws from, estimated for one period."""

    streams: tuple[Stream, ...]
    #: profile key -> (refusals, attempts) observed; the posterior adds PRIOR_REFUSAL.
    refusals: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    #: place type -> observed lengths of stay in days (a histogram expanded; bootstrapped).
    stays: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    #: days from the referral to the first place held (search, no capacity wait in it).
    search_days: tuple[float, ...] = (0.0,)
    #: days a shelter takes to answer a hold.
    response_days: tuple[float, ...] = (0.0,)
    #: share of first-reception stays followed by a fitting place (else the person leaves).
    follow_up: tuple[int, int] = (0, 0)
    #: withdrawals per day of waiting (referrals that leave the waiting list unplaced).
    withdraw_rate: float = 0.0
    days: float = 365.0

    def refusal_prior(self, profile: str) -> tuple[float, float]:
        refused, attempts = self.refusals.get(profile, (0, 0))
        return PRIOR_REFUSAL[0] + refused, PRIOR_REFUSAL[1] + attempts - refused

    def stay_samples(self, place_type: str) -> tuple[float, ...]:
        own = self.stays.get(place_type)
        if own:
            return own
        pooled = tuple(d for samples in self.stays.values() for d in samples)
        return pooled or (90.0,)


@dataclass(frozen=True)
class Unit:
    """Beds with one intake profile (a shelter place in the directory)."""

    place: PlaceInfo
    beds: int

    @property
    def first_reception(self) -> bool:
        return self.place.type in FIRST_RECEPTION_TYPES


@dataclass(frozen=True)
class PlaceChange:
    """Add (delta > 0) or remove beds of a place type in a safety region."""

    region: str
    place_type: str
    delta: int


@dataclass(frozen=True)
class Scenario:
    label: str = "baseline"
    changes: tuple[PlaceChange, ...] = ()
    #: Multiplies the beds of first reception (1.0: as today).
    first_reception_factor: float = 1.0
    #: Growth of arrivals: overall and, on top of it, of minors (0.52 = +52%).
    growth_all: float = 0.0
    growth_minors: float = 0.0

    def growth_of(self, needs: Needs) -> float:
        factor = 1.0 + self.growth_all
        if needs.minor:
            factor *= 1.0 + self.growth_minors
        return max(factor, 0.0)
