"""Needs profiles and the matching engine's view of places and referrals: derived from the
case on the day of use."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from samen.cases.models import MINOR_BANDS, Case, NationalityGroup
from samen.cases.services import age_on, band_for_age, identity_read
from samen.core.actor import Actor
from samen.identification.models import IdentificationPath
from samen.organisations.models import OrganisationType
from samen.shelter import matching
from samen.shelter.models import (
    HoldStatus,
    Place,
    Referral,
    SecurityLevel,
)
from samen.shelter.services.common import stale_after


def place_info(place: Place) -> matching.PlaceInfo:
    """The engine's view of a place; expects forms and active contra-indications prefetched."""
    care = {
        kind
        for kind, on in (
            ("addiction", place.care_addiction),
            ("psychiatric", place.care_psychiatric),
            ("medical", place.care_medical),
        )
        if on
    }
    return matching.PlaceInfo(
        id=place.pk,
        name=place.name,
        type=place.type,
        target_group=place.target_group,
        region=place.municipality.region.code,
        province=str(place.municipality.province_id),
        forms=frozenset(f.code for f in place.forms.all()),
        security=place.security_level,
        care=frozenset(care),
        languages=frozenset(place.languages or ()),
        accessible=place.wheelchair_accessible,
        min_age=place.min_age,
        max_age=place.max_age,
        free=place.free,
        availability_at=place.availability_at,
        contra=tuple(
            matching.Contra(c.code, c.reason, c.version)
            for c in place.contra_indications.all()
            if c.superseded_at is None
        ),
    )


def places_for_matching():
    return (
        Place.objects.filter(is_active=True)
        .select_related("municipality__region", "location__provider")
        .prefetch_related("forms", "contra_indications")
    )


REFLECTION_STATES = frozenset({"reflection_offered", "reflection_accepted"})


def case_facts(case: Case, *, on: date) -> dict:
    """What the case says about the person today, for a needs profile: derived at each use, so a
    late-discovered minor counts as one at once and turning 18 is noticed on the day. The date of
    birth is read to compute the age and never leaves this function."""
    person = case.person
    born = identity_read(person).get("date_of_birth", "")
    age = age_on(date.fromisoformat(born), on) if born else None
    path = _path_of(case)
    presumed = bool(path and path.presumed_minor)
    if age is not None:
        minor, band = age < 18, band_for_age(age)
    else:
        band = person.age_band
        minor = person.is_minor or band in MINOR_BANDS
    foreign = path.foreign_national if path and path.foreign_national is not None else None
    if foreign is None and person.nationality_group != NationalityGroup.UNKNOWN:
        foreign = person.nationality_group != NationalityGroup.DUTCH
    return {
        "gender": person.gender,
        "age_band": band,
        "age": age,
        # Doubt counts in favour of protection: a presumed minor is a minor.
        "minor": minor or presumed,
        "forms": sorted(f.code for f in case.forms.all()),
        "foreign": foreign,
        "reflection": bool(path and path.state in REFLECTION_STATES),
    }


def _path_of(case: Case):
    # Queried, not the cached reverse relation: a path started since the case was loaded counts.
    return IdentificationPath.objects.filter(case_id=case.pk).first()


def needs_profile(referral: Referral, *, on: date | None = None) -> dict:
    """The referral's needs profile as of `on` (default today): the case's facts of that day,
    completed by what the coordinator stated where the case does not know."""
    stored = referral.needs
    stated = stored.get("stated") or {}
    facts = case_facts(referral.case, on=on or timezone.localdate())
    known_gender = facts["gender"] if facts["gender"] != "unknown" else None
    known_band = facts["age_band"] if facts["age_band"] != "unknown" else None
    return {
        **stored,
        "gender": known_gender or stated.get("gender") or "unknown",
        "age_band": known_band or stated.get("age_band") or "unknown",
        "minor": bool(facts["minor"] or stated.get("minor")),
        "forms": sorted(set(facts["forms"]) | set(stated.get("forms", []))),
        "age": facts["age"],
        "foreign": facts["foreign"],
        "reflection": facts["reflection"],
    }


def refused_places(referral: Referral) -> frozenset[int]:
    """Places whose shelter declined this referral and did not withdraw the refusal."""
    return frozenset(
        h.place_id
        for h in referral.holds.all()
        if h.status == HoldStatus.DECLINED and h.decline_withdrawn_at is None
    )


def needs_of(
    referral: Referral, *, on: date | None = None, via_national_centre: bool = False
) -> matching.Needs:
    """The engine's view of a referral, derived today from the case. `via_national_centre`: the
    national coordination centre acts on it now (its registrar), besides a referral it made."""
    n = needs_profile(referral, on=on)
    return matching.Needs(
        gender=n.get("gender", "unknown"),
        age_band=n.get("age_band", "unknown"),
        minor=bool(n.get("minor", False)),
        forms=frozenset(n.get("forms", ())),
        languages=frozenset(n.get("languages", ())),
        addiction=bool(n.get("addiction", False)),
        network_risk=bool(n.get("network_risk", False)),
        security=n.get("security", SecurityLevel.STANDARD),
        care=frozenset(n.get("care", ())),
        accessibility=bool(n.get("accessibility", False)),
        region=n.get("region", ""),
        province=n.get("province", ""),
        urgency=referral.urgency,
        age=n.get("age"),
        foreign=n.get("foreign"),
        reflection=bool(n.get("reflection")),
        via_national_centre=via_national_centre or bool(n.get("via_national_centre")),
        refused=refused_places(referral),
    )


def via_centre(actor: Actor) -> bool:
    """The actor acts for the national coordination centre (COSM intake goes through it)."""
    org = actor.organisation
    return bool(org is not None and org.type == OrganisationType.COMENSHA)


def referrals_for_matching():
    return Referral.objects.select_related(
        "case__person__identity", "created_by", "organisation"
    ).prefetch_related("case__forms", "holds")


def match_referral(
    referral: Referral,
    *,
    now: datetime | None = None,
    exclude: set[int] | None = None,
    via_national_centre: bool = False,
) -> matching.Result:
    """Run the engine for a referral (no policy check: callers check)."""
    now = now or timezone.now()
    infos = [place_info(p) for p in places_for_matching() if p.pk not in (exclude or set())]
    weights = matching.Weights(stale_after=stale_after())
    needs = needs_of(referral, on=timezone.localdate(now), via_national_centre=via_national_centre)
    return matching.match(needs, infos, now=now, weights=weights)
