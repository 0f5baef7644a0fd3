"""The matching engine: a needs profile and places in, ranked places and excluded places out.

Plain Python on purpose (no Django): it is benchmarked against 10,000 places and reused by the
allocation proposal, and every rule can be tested without a database. Results carry codes, not
texts; the Django side (samen.shelter.texts) turns codes into translated sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Place types (mirrors samen.shelter.models.PlaceType; kept as strings so this stays Django-free).
FIRST_RECEPTION = "first_reception"
COSM = "cosm"
SPECIALISED = "specialised"
PROTECTED_MINORS = "protected_minors"
COMBINED = "combined"

SECURITY_ORDER = {"standard": 0, "elevated": 1, "high": 2}
URGENCY_ORDER = {"low": 0, "normal": 1, "high": 2, "immediate": 3}
MINOR_BANDS = frozenset({"0-11", "12-17"})


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


def _target_group_refuses(place: PlaceInfo, needs: Needs) -> bool:
    group = place.target_group
    if group == "all":
        return False
    if group == "minors":
        return not needs.minor
    if needs.minor:
        return True  # adult places never take minors; protection comes first for them
    if group == "women":
        return needs.gender not in ("female", "unknown")
    if group == "men":
        return needs.gender not in ("male", "unknown")
    return False  # families: adults of any gender


def exclusion_for(place: PlaceInfo, needs: Needs) -> Exclusion | None:
    """The first rule that excludes the place, or None. Order: capacity, then the hard rules."""
    if place.free < 1:
        return Exclusion(place, "no_free_place")
    if place.type == FIRST_RECEPTION:
        # The design of first reception: no intake criteria. Only a free bed is needed.
        return None
    if _target_group_refuses(place, needs):
        return Exclusion(place, "target_group")
    if place.type == PROTECTED_MINORS and not needs.minor:
        return Exclusion(place, "target_group")
    if place.forms and needs.forms and not (place.forms & needs.forms):
        return Exclusion(place, "form_not_served")
    if SECURITY_ORDER.get(place.security, 0) < SECURITY_ORDER.get(needs.security, 0):
        return Exclusion(place, "security_too_low")
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

    urgency = URGENCY_ORDER.get(needs.urgency, 1)
    region_factor = weights.urgent_region_factor if urgency >= 2 else 1.0
    total = weights.fit * fit
    if needs.region and place.region == needs.region:
        total += weights.same_region * region_factor
        reasons.append("same_region")
    elif needs.province and place.province == needs.province:
        total += weights.same_province * region_factor
        reasons.append("same_province")
    if urgency >= 3 and place.type == FIRST_RECEPTION:
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
