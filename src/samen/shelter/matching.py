"""The matching engine: a needs profile and places in, ranked places and excluded places out.

Plain Python on purpose (no Django): it is benchmarked against 10,000 places and reused by the
allocation proposal, and every rule can be tested without a database. Results carry codes, not
texts; the Django side (samen.shelter.texts) turns codes into translated sentences.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

# Place types (mirrors samen.shelter.models.PlaceType; kept as strings so this stays Django-free).
FIRST_RECEPTION = "first_reception"
COSM = "cosm"
SPECIALISED = "specialised"
PROTECTED_MINORS = "protected_minors"
COMBINED = "combined"
# First reception for minors: first reception (no care criteria) behind a minor's protection.
FIRST_RECEPTION_MINORS = "first_reception_minors"
FIRST_RECEPTION_TYPES = frozenset({FIRST_RECEPTION, FIRST_RECEPTION_MINORS})
MINOR_PLACE_TYPES = frozenset({PROTECTED_MINORS, FIRST_RECEPTION_MINORS})

SECURITY_ORDER = {"standard": 0, "elevated": 1, "high": 2}
URGENCY_ORDER = {"low": 0, "normal": 1, "high": 2, "immediate": 3}
MINOR_BANDS = frozenset({"0-11", "12-17"})
# The ages an age band stands for, when no age in years is known.
BAND_AGES = {"0-11": (0, 11), "12-17": (12, 17), "18-22": (18, 22), "23-29": (23, 29),
             "30-49": (30, 49), "50+": (50, 150)}  # fmt: skip


@dataclass(frozen=True)
class Needs:
    """What the person needs, as codes. Unknown values never exclude a place: they widen."""

    gender: str = "unknown"  # female / male / other / unknown
    age_band: str = "unknown"
    minor: bool = False
    forms: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    addiction: bool = False
    network_risk: bool = False  # an (enforced) active tie to a criminal network
    security: str = "standard"
    care: frozenset[str] = frozenset()  # addiction / psychiatric / medical
    accessibility: bool = False  # needs a wheelchair-accessible place
    region: str = ""  # preferred safety region code
    province: str = ""
    urgency: str = "normal"
    age: int | None = None  # in years on the day of use, when a date of birth is known
    foreign: bool | None = None  # a foreign national (None: not known)
    reflection: bool = False  # in, or offered, the reflection period
    via_national_centre: bool = False  # referred through the national coordination centre
    refused: frozenset[int] = frozenset()  # places whose shelter declined this referral


@dataclass(frozen=True)
class Contra:
    code: str
    reason: str
    version: int = 1


@dataclass(frozen=True)
class PlaceInfo:
    id: int
    name: str
    type: str
    target_group: str  # women / men / minors / families / all
    region: str
    province: str = ""
    forms: frozenset[str] = frozenset()  # empty: every form of exploitation
    security: str = "standard"
    care: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    accessible: bool = False
    min_age: int | None = None
    max_age: int | None = None
    free: int = 0
    availability_at: datetime | None = None
    contra: tuple[Contra, ...] = ()


@dataclass(frozen=True)
class Match:
    place: PlaceInfo
    score: float
    reasons: tuple[str, ...]  # codes, e.g. "same_region", "language:ro"
    stale: bool


@dataclass(frozen=True)
class Exclusion:
    place: PlaceInfo
    rule: str  # code of the rule, e.g. "no_free_place", "contra:no_network_tie"
    reason: str = ""  # the place's own reason text, for contra-indications
    version: int | None = None


@dataclass
class Result:
    matches: list[Match] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    """How much each part counts. Fit and region dominate; staleness and urgency adjust."""

    fit: float = 1.0
    same_region: float = 0.6
    same_province: float = 0.25
    stale_penalty: float = 0.5
    # Under urgency a place near and ready now matters more than a perfect specialised fit.
    urgent_first_reception: float = 0.6
    urgent_region_factor: float = 1.5
    stale_after: timedelta = timedelta(hours=24)


# --- contra-indications: each code tells which needs it refuses -------------------------------
# A code the engine does not know excludes: a place's stated rule must never be ignored silently.
CONTRA_RULES: dict[str, Callable[[Needs], bool]] = {
    "no_network_tie": lambda n: n.network_risk,
    "no_active_addiction": lambda n: n.addiction or "addiction" in n.care,
    "adults_only": lambda n: n.minor,
    "minors_only": lambda n: not n.minor,
    "women_only": lambda n: n.gender not in ("female", "unknown"),
    "men_only": lambda n: n.gender not in ("male", "unknown"),
    "no_psychiatric_care_need": lambda n: "psychiatric" in n.care,
    "no_high_security_need": lambda n: n.security == "high",
}


# --- hard rules: safety, age and eligibility --------------------------------------------------
# They hold for every place, first reception included: first reception has no *care* criteria,
# never no safety. The rules are data (data/hard_rules.json), each versioned like a
# contra-indication, so an exclusion names the rule as it read then. A rule may read only the
# attributes in hard_place_key and hard_needs_key: the allocation matrices evaluate each rule
# once per distinct pair of those keys.


def takes_minors(place: PlaceInfo) -> bool:
    return place.target_group == "minors" or place.type in MINOR_PLACE_TYPES


def age_range(needs: Needs) -> tuple[int, int]:
    """The ages the person may have: the age itself, else the band's, else any minor age for a
    (presumed) minor, else any age."""
    if needs.age is not None:
        return needs.age, needs.age
    if needs.age_band in BAND_AGES:
        return BAND_AGES[needs.age_band]
    return (0, 17) if needs.minor else (0, 150)


def _age_outside(place: PlaceInfo, needs: Needs) -> bool:
    low, high = age_range(needs)
    place_low = place.min_age if place.min_age is not None else 0
    place_high = place.max_age if place.max_age is not None else 150
    return high < place_low or low > place_high


# The named tests a rule in the data file may use. Each reads only attributes in hard_place_key
# and hard_needs_key; a test a rule names that is not here refuses the file.
HARD_TESTS: dict[str, Callable[[PlaceInfo, Needs], object]] = {
    "needs.minor": lambda p, n: n.minor,
    "needs.foreign": lambda p, n: n.foreign is True,  # unknown is not foreign
    "needs.reflection": lambda p, n: n.reflection,
    "needs.via_national_centre": lambda p, n: n.via_national_centre,
    "place.type": lambda p, n: p.type,
    "place.takes_minors": lambda p, n: takes_minors(p),
    "age_outside_place": _age_outside,
    "security_below_need": lambda p, n: (
        SECURITY_ORDER.get(p.security, 0) < SECURITY_ORDER.get(n.security, 0)
    ),
}
HARD_RULES_FILE = Path(__file__).parent / "data" / "hard_rules.json"


@dataclass(frozen=True)
class HardRule:
    code: str
    version: int
    when: tuple[tuple[str, object], ...]  # (test name, value): refuses when all hold
    # The tests resolved once when loaded: matching runs this per place, 10,000 times a referral.
    checks: tuple[tuple[Callable[[PlaceInfo, Needs], object], object], ...] = field(
        default=(), compare=False, repr=False
    )

    def refuses(self, place: PlaceInfo, needs: Needs) -> bool:
        # A plain loop, not all(<generator>): no generator per call on the hot path.
        for test, value in self.checks:  # noqa: SIM110
            if test(place, needs) != value:
                return False
        return True


def parse_hard_rules(raw: Mapping) -> tuple[HardRule, ...]:
    """The rules of a hard-rules file, checked: a rule must name known tests and at least one
    (a rule without a test would refuse every place), and codes are unique."""
    rules: list[HardRule] = []
    for item in raw["rules"]:
        when = dict(item["when"])
        unknown = sorted(set(when) - set(HARD_TESTS))
        if unknown or not when:
            raise ValueError(f"hard rule {item['code']}: unknown or no tests {unknown}")
        checks = tuple((HARD_TESTS[name], value) for name, value in when.items())
        rules.append(HardRule(item["code"], int(item["version"]), tuple(when.items()), checks))
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise ValueError("hard rules: a code is used twice")
    return tuple(rules)


def load_hard_rules(path: Path | None = None) -> tuple[HardRule, ...]:
    return parse_hard_rules(json.loads((path or HARD_RULES_FILE).read_text(encoding="utf-8")))


HARD_RULES: tuple[HardRule, ...] = load_hard_rules()


def hard_place_key(p: PlaceInfo) -> tuple:
    return (p.type, p.target_group, p.min_age, p.max_age, p.security)


def hard_needs_key(n: Needs) -> tuple:
    return (n.minor, n.age, n.age_band, n.security, n.foreign, n.reflection, n.via_national_centre)


def hard_exclusion(
    place: PlaceInfo, needs: Needs, rules: tuple[HardRule, ...] | None = None
) -> HardRule | None:
    for rule in HARD_RULES if rules is None else rules:
        if rule.refuses(place, needs):
            return rule
    return None


def _target_group_refuses(place: PlaceInfo, needs: Needs) -> bool:
    # Minors and adults are kept apart by the hard rules; here only gender.
    if place.target_group == "women":
        return needs.gender not in ("female", "unknown")
    if place.target_group == "men":
        return needs.gender not in ("male", "unknown")
    return False  # all, minors, families


def exclusion_for(place: PlaceInfo, needs: Needs) -> Exclusion | None:
    """The first rule that excludes the place, or None. Order: capacity, a shelter's refusal of
    this referral, the hard rules (every place), then the intake criteria (not first reception)."""
    if place.free < 1:
        return Exclusion(place, "no_free_place")
    if place.id in needs.refused:
        return Exclusion(place, "declined_for_referral")
    hard = hard_exclusion(place, needs)
    if hard is not None:
        return Exclusion(place, hard.code, version=hard.version)
    if place.type in FIRST_RECEPTION_TYPES:
        # The design of first reception: no intake (care) criteria beyond the hard rules.
        return None
    if _target_group_refuses(place, needs):
        return Exclusion(place, "target_group")
    if place.forms and needs.forms and not (place.forms & needs.forms):
        return Exclusion(place, "form_not_served")
    missing_care = needs.care - place.care
    if missing_care:
        return Exclusion(place, "care_not_on_site:" + ",".join(sorted(missing_care)))
    if needs.accessibility and not place.accessible:
        return Exclusion(place, "not_accessible")
    for contra in place.contra:
        rule = CONTRA_RULES.get(contra.code)
        if rule is None or rule(needs):
            return Exclusion(place, f"contra:{contra.code}", contra.reason, contra.version)
    return None


def is_stale(place: PlaceInfo, now: datetime, weights: Weights) -> bool:
    return place.availability_at is None or now - place.availability_at > weights.stale_after


def score(place: PlaceInfo, needs: Needs, now: datetime, weights: Weights) -> Match:
    reasons: list[str] = []
    fit = 0.0
    if needs.forms and place.forms and (place.forms & needs.forms):
        fit += 0.4
        reasons += [f"form:{f}" for f in sorted(place.forms & needs.forms)]
    if needs.care and needs.care <= place.care:
        fit += 0.2
        reasons += [f"care:{c}" for c in sorted(needs.care)]
    common = needs.languages & place.languages
    if common:
        fit += 0.2
        reasons += [f"language:{lang}" for lang in sorted(common)]
    if needs.minor and place.type == PROTECTED_MINORS:
        fit += 0.4
        reasons.append("protected_minors")
    if place.type == SPECIALISED and needs.forms and place.forms:
        fit += 0.1
        reasons.append("specialised")
    if needs.security != "standard" and SECURITY_ORDER.get(place.security, 0) >= SECURITY_ORDER.get(
        needs.security, 0
    ):
        fit += 0.1
        reasons.append(f"security:{place.security}")
    if place.type == FIRST_RECEPTION:
        reasons.append("first_reception_takes_everyone")
    elif place.type == FIRST_RECEPTION_MINORS:
        reasons.append("first_reception_minors")

    urgency = URGENCY_ORDER.get(needs.urgency, 1)
    region_factor = weights.urgent_region_factor if urgency >= 2 else 1.0
    total = weights.fit * fit
    if needs.region and place.region == needs.region:
        total += weights.same_region * region_factor
        reasons.append("same_region")
    elif needs.province and place.province == needs.province:
        total += weights.same_province * region_factor
        reasons.append("same_province")
    if urgency >= 3 and place.type in FIRST_RECEPTION_TYPES:
        total += weights.urgent_first_reception
        reasons.append("urgent_first_reception")
    stale = is_stale(place, now, weights)
    if stale:
        total -= weights.stale_penalty
    reasons.append(f"free:{place.free}")
    return Match(place, round(total, 4), tuple(reasons), stale)


def match(
    needs: Needs,
    places: Iterable[PlaceInfo],
    *,
    now: datetime,
    weights: Weights | None = None,
) -> Result:
    """Rank the suitable places (best first) and explain every excluded one."""
    weights = weights or Weights()
    result = Result()
    for place in places:
        excluded = exclusion_for(place, needs)
        if excluded is not None:
            result.excluded.append(excluded)
        else:
            result.matches.append(score(place, needs, now, weights))
    # Ties go to the fresher count, then more free beds, then id for a stable order.
    result.matches.sort(
        key=lambda m: (
            -m.score,
            m.stale,
            -(m.place.availability_at.timestamp() if m.place.availability_at else 0),
            -m.place.free,
            m.place.id,
        )
    )
    return result
