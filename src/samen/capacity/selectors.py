"""Reads for capacity planning: the calibration of the simulation from the register, the
observed figures of a period for the back-test, and the directory's beds.

Only through the statistics purpose and its register grants: the actor is checked for the
statistics permission, read as acting for statistics (as the statistics page does), and every
read is one audit entry naming the data categories it used. Never identity: the profile is
built from the categories the register grants statistics (demographics: gender and minor;
exploitation: the form; location: the safety region; health and criminal data, which the
contra-indication flags and the security need are, only when granted). Row-level values
(durations) never leave this module: they are turned into histograms here.
"""

from __future__ import annotations

import math
import statistics as stats
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Case as DbCase
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Value, When

from samen.capacity.engine import Calibration, Stream, Unit, profile_key
from samen.cases.models import Case
from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.shelter import services as shelter_services
from samen.shelter.matching import MINOR_BANDS, Needs
from samen.shelter.models import Hold, HoldStatus, Placement, Referral, ReferralStatus
from samen.statistics.selectors import FORM_RANKS, PURPOSE, Period
from samen.statistics.selectors import region_names as statistics_region_names
from samen.statistics.services import statistics_actor

#: Which register category each part of the profile needs (rules as data: a grant added to the
#: register for statistics brings the part into the model, without a code change).
PROFILE_CATEGORIES = {
    "gender": "demographics",
    "minor": "demographics",
    "form": "exploitation",
    "region": "location",
    "network_risk": "criminal",
    "security": "criminal",
    "addiction": "health",
}
DAY = 86400.0


@dataclass(frozen=True)
class Observed:
    """The register's own figures of a period, for the back-test."""

    referrals: int
    placements: int
    median_wait: float | None  # days from referral to the first placement
    mean_occupied: float  # beds taken by the chain's placements, averaged over the days
    by_region: dict[str, int] = field(default_factory=dict)  # referrals per safety region
    by_region_type: dict[tuple[str, str], int] = field(default_factory=dict)  # placements


@dataclass(frozen=True)
class CalibrationRead:
    calibration: Calibration
    observed: Observed
    modelled: tuple[str, ...]  # profile parts in the model
    withheld: tuple[str, ...]  # profile parts the register does not grant statistics


def _statistics(actor: Actor, action: str) -> tuple[Actor, frozenset[str]]:
    policy.require(actor, "statistics.export", object_type="capacity", object_id="*")
    actor = statistics_actor(actor)
    if policy.purpose_of(actor) != PURPOSE:  # pragma: no cover - statistics_actor sets it
        audited.record(
            actor,
            action,
            object_type="capacity",
            object_id="*",
            result="denied",
        )
        raise PermissionDenied("statistics purpose required")
    return actor, frozenset(policy.grants(actor)) - {"identity", "contact", "free_text"}


def _best_form() -> Subquery:
    """The case's best-ranked form, in the order of the statistics tables."""
    through = Case.forms.through
    rank = DbCase(
        *(When(exploitationform__code=code, then=Value(i)) for i, code in enumerate(FORM_RANKS)),
        default=Value(len(FORM_RANKS)),
    )
    return Subquery(
        through.objects.filter(case_id=OuterRef("case_id"))
        .annotate(rank=rank)
        .order_by("rank", "exploitationform__code")
        .values("exploitationform__code")[:1]
    )


def _profile_fields(prefix: str, granted: frozenset[str]) -> dict:
    fields: dict = {}
    if "demographics" in granted:
        fields["p_gender"] = F(f"{prefix}case__person__gender")
        fields["p_minor"] = F(f"{prefix}case__person__is_minor")
        fields["p_band"] = F(f"{prefix}case__person__age_band")
    if "location" in granted:
        fields["p_region"] = F(f"{prefix}case__region__code")
    return fields


def _needs(row: dict, granted: frozenset[str]) -> Needs:
    minor = bool(row.get("p_minor")) or row.get("p_band") in MINOR_BANDS
    stated = row.get("p_needs") or {}
    return Needs(
        gender=row.get("p_gender") or "unknown",
        minor=minor,
        age_band=row.get("p_band") if minor and row.get("p_band") in MINOR_BANDS else "unknown",
        forms=frozenset([row["p_form"]]) if row.get("p_form") else frozenset(),
        region=row.get("p_region") or "",
        urgency=row.get("p_urgency") or "normal",
        network_risk="criminal" in granted and bool(stated.get("network_risk")),
        addiction="health" in granted and bool(stated.get("addiction")),
        security=(stated.get("security") or "standard") if "criminal" in granted else "standard",
        foreign=None,
    )


def _days(delta) -> float:
    return max(delta.total_seconds(), 0.0) / DAY


def _histogram(values: list[float], step: float) -> tuple[float, ...]:
    """Observed durations rounded to ``step`` days: the bootstrap draws from this histogram."""
    return tuple(sorted(round(v / step) * step for v in values))


def calibrate(*, actor: Actor, period: Period) -> CalibrationRead:
    """The simulation's inputs for ``period``, and the observed figures of that period."""
    actor, granted = _statistics(actor, "capacity.calibrate")
    start, end = period.bounds()
    days = (end - start).total_seconds() / DAY
    referrals = Referral.objects.filter(created_at__gte=start, created_at__lt=end)
    fields = _profile_fields("", granted)
    if "exploitation" in granted:
        fields["p_form"] = _best_form()
    if granted & {"criminal", "health"}:
        fields["p_needs"] = F("needs")
    rows = (
        referrals.annotate(p_urgency=F("urgency"), **fields)
        .values("p_urgency", *fields)
        .annotate(n=Count("id"))
        .order_by()
    )
    grouped: Counter = Counter()
    for row in rows:
        needs = _needs(row, granted)
        grouped[needs] += row["n"]
    streams = tuple(
        Stream(needs, profile_key(needs), n, days)
        for needs, n in sorted(grouped.items(), key=lambda kv: repr(kv[0]))
    )
    # Refusals by profile: holds answered in the period.
    hold_fields = _profile_fields("referral__", granted)
    if granted & {"criminal", "health"}:
        hold_fields["p_needs"] = F("referral__needs")
    refusals: Counter = Counter()
    attempts: Counter = Counter()
    holds = Hold.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=HoldStatus.ACTIVE
    )
    for row in (
        holds.annotate(**hold_fields)
        .values(*hold_fields)
        .annotate(n=Count("id"), refused=Count("id", filter=Q(status=HoldStatus.DECLINED)))
        .order_by()
    ):
        key = profile_key(_needs(row, granted))
        attempts[key] += row["n"]
        refusals[key] += row["refused"]
    # Lengths of stay of the stays that ended in the period, per type of place.
    stays: dict[str, list[float]] = {}
    for place_type, started, ended in Placement.objects.filter(
        ended_at__gte=start, ended_at__lt=end
    ).values_list("place__type", "started_at", "ended_at"):
        stays.setdefault(place_type, []).append(_days(ended - started))
    # Search: referral to its first hold, of the referrals that never waited on the waiting
    # list (no freed place was offered to them): a queued referral's first hold comes after
    # its queue, which the simulation adds itself (counted twice before: the outside
    # back-test's median wait ran a day high). Response: a hold to its answer.
    never_queued = referrals.filter(offers__isnull=True)
    searched = never_queued if never_queued.filter(holds__isnull=False).exists() else referrals
    search = [
        _days(first - created)
        for created, first in searched.annotate(first=Min("holds__created_at"))
        .filter(first__isnull=False)
        .values_list("created_at", "first")
    ]
    response = [
        _days(answered - created)
        for created, answered in holds.filter(responded_at__isnull=False).values_list(
            "created_at", "responded_at"
        )
    ]
    first_reception = (
        Placement.objects.filter(started_at__gte=start, started_at__lt=end)
        .filter(place__type__in=["first_reception", "first_reception_minors"])
        .values("referral_id")
        .annotate(n=Count("referral__placements"))
    )
    followed = sum(1 for r in first_reception if r["n"] > 1)
    observed = _observed(start, end, days, granted)
    withdrawn = referrals.filter(status=ReferralStatus.WITHDRAWN).count()
    waiting_days = _waiting_exposure(referrals, end, withdrawn)
    calibration = Calibration(
        streams=streams,
        refusals={k: (refusals[k], attempts[k]) for k in attempts},
        stays={t: _histogram(v, 1.0) for t, v in stays.items()},
        search_days=_histogram(search, 1 / 24) or (0.0,),
        response_days=_histogram(response, 1 / 24) or (0.0,),
        follow_up=(followed, len(first_reception)),
        withdraw_rate=withdrawn / waiting_days,
        days=days,
    )
    parts = [p for p, c in PROFILE_CATEGORIES.items() if c in granted]
    withheld = [p for p, c in PROFILE_CATEGORIES.items() if c not in granted]
    audit.record(
        actor,
        "capacity.calibrate",
        object_type="capacity",
        object_id="*",
        fields=sorted(granted & set(PROFILE_CATEGORIES.values())),
        purpose=PURPOSE,
        legal_basis=policy.legal_basis(actor, granted),
        detail={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "referrals": observed.referrals,
            "format": "aggregate",
        },
    )
    return CalibrationRead(calibration, observed, tuple(parts), tuple(withheld))


def _waiting_exposure(referrals, end: datetime, withdrawn: int) -> float:
    """Days the period's referrals spent without a place: the withdrawal rate's denominator.

    Placed referrals count their wait to the first placement; open ones count to the end of the
    period; withdrawn ones (the register keeps no withdrawal time) count the mean wait of the
    placed who waited longer than the median (those who queued: in the model only a queued
    referral withdraws). The median wait times the referrals, used before, made the rate
    several times too high whenever some waited long (a queue for minors): the outside
    back-test showed it. The withdrawal time is not in the register, so this stays an
    estimate (ADR 0022)."""
    waits = [
        _days(first - created)
        for created, first in referrals.annotate(first=Min("placements__started_at"))
        .filter(first__isnull=False)
        .values_list("created_at", "first")
    ]
    open_days = [
        _days(end - created)
        for created in referrals.filter(placements__isnull=True)
        .exclude(status=ReferralStatus.WITHDRAWN)
        .values_list("created_at", flat=True)
    ]
    median = stats.median(waits) if waits else 0.0
    queued = [w for w in waits if w > median]
    mean_wait = stats.fmean(queued) if queued else (stats.fmean(waits) if waits else 1.0)
    return max(sum(waits) + sum(open_days) + withdrawn * mean_wait, 1.0)


def _observed(start: datetime, end: datetime, days: float, granted: frozenset[str]) -> Observed:
    referrals = Referral.objects.filter(created_at__gte=start, created_at__lt=end)
    by_region: dict[str, int] = {}
    if "location" in granted:
        by_region = {
            r["case__region__code"] or "": r["n"]
            for r in referrals.values("case__region__code").annotate(n=Count("id")).order_by()
        }
    waits = [
        _days(first - created)
        for created, first in referrals.annotate(first=Min("placements__started_at"))
        .filter(first__isnull=False)
        .values_list("created_at", "first")
    ]
    running = Placement.objects.filter(started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    taken = 0.0
    for started, ended in running.values_list("started_at", "ended_at"):
        taken += _days(min(ended or end, end) - max(started, start))
    by_type: dict[tuple[str, str], int] = {}
    if "location" in granted:
        for r in (
            Placement.objects.filter(started_at__gte=start, started_at__lt=end)
            .values("place__municipality__region__code", "place__type")
            .annotate(n=Count("id"))
            .order_by()
        ):
            by_type[(r["place__municipality__region__code"], r["place__type"])] = r["n"]
    return Observed(
        referrals=referrals.count(),
        placements=len(waits),
        median_wait=stats.median(waits) if waits else None,
        mean_occupied=taken / days if days else 0.0,
        by_region=by_region,
        by_region_type=by_type,
    )


#: Share of a place type's beds the chain can count on (rules as data). Combined places are
#: women's or social shelter shared with other groups (victims of domestic violence, homeless
#: people): most of their beds are taken by those, so only a part counts for the chain. An
#: assumption (ADR 0022); a type not listed counts wholly.
CHAIN_SHARE = {"combined": 0.2}


def chain_beds(place_type: str, capacity: int, share: Mapping[str, float] = CHAIN_SHARE) -> int:
    """The beds of a place the simulation counts: its capacity times the chain's share,
    rounded half up (a small shared place may count as none)."""
    return max(0, math.floor(capacity * share.get(place_type, 1.0) + 0.5))


def directory_units(share: Mapping[str, float] = CHAIN_SHARE) -> tuple[Unit, ...]:
    """The directory's active places as the engine's units: reference data (no person), read
    through the shelter app's own conversion so the simulation matches on the same profile.
    Shared places count with the chain's share of their beds (``CHAIN_SHARE``)."""
    units = (
        Unit(shelter_services.place_info(p), chain_beds(p.type, p.capacity, share))
        for p in shelter_services.places_for_matching().order_by("pk")
    )
    return tuple(u for u in units if u.beds > 0)


def region_names() -> dict[str, str]:
    return statistics_region_names()
