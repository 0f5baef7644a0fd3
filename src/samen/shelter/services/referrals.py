"""Referrals: a care coordinator asks for a place, the needs filled from the case."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.cases.services import event_add
from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.identification.services import guardian_ensure
from samen.shelter.models import (
    Referral,
    SecurityLevel,
    Urgency,
)
from samen.shelter.services.common import (
    CARE_KINDS,
    NEEDS_CATEGORIES,
    NEEDS_FIELDS,
    organisation_of,
    reach_case,
)
from samen.shelter.services.needs import case_facts, via_centre


@dataclass
class NeedsInput:
    """What the coordinator adds to what the case already knows. None: take it from the case."""

    gender: str | None = None
    age_band: str | None = None
    minor: bool | None = None
    forms: list[str] | None = None
    languages: list[str] | None = None
    addiction: bool = False
    network_risk: bool = False
    security: str = SecurityLevel.STANDARD
    care: list[str] | None = None
    accessibility: bool = False
    region: str | None = None
    urgency: str = Urgency.NORMAL


def _needs_profile(case: Case, data: NeedsInput) -> dict:
    errors: dict[str, list[str]] = {}
    if data.security not in SecurityLevel.values:
        errors["security"] = [_("Choose a security level from the list.")]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency from the list.")]
    care = sorted(set(data.care or []))
    if set(care) - set(CARE_KINDS):
        errors["care"] = [_("Choose care needs from the list.")]
    if errors:
        raise ValidationError(errors)
    facts = case_facts(case, on=timezone.localdate())
    known_gender = facts["gender"] if facts["gender"] != "unknown" else None
    known_band = facts["age_band"] if facts["age_band"] != "unknown" else None
    return {
        # The case wins where it knows; the coordinator fills what it does not. These are a
        # snapshot for the record: matching derives them again from the case on the day of use.
        "gender": known_gender or data.gender or "unknown",
        "age_band": known_band or data.age_band or "unknown",
        "minor": bool(facts["minor"] or data.minor),
        "forms": sorted(set(facts["forms"]) | set(data.forms or [])),
        "stated": {
            "gender": data.gender or "",
            "age_band": data.age_band or "",
            "minor": bool(data.minor),
            "forms": sorted(set(data.forms or [])),
        },
        "languages": sorted({lang.strip().lower() for lang in data.languages or [] if lang}),
        "addiction": data.addiction or "addiction" in care,
        "network_risk": data.network_risk,
        "security": data.security,
        "care": care,
        "accessibility": data.accessibility,
        "region": data.region or case.region.code,
        "province": str(case.municipality.province_id),
    }


@audit.atomic
def referral_create(*, actor: Actor, case: Case, data: NeedsInput) -> Referral:
    """A care coordinator asks for a place; the needs profile is filled from the case."""
    policy.require(actor, "referral.create", object_type="case", object_id=case.number)
    reach_case(actor, case, "referral.create")
    needs = _needs_profile(case, data)
    needs["via_national_centre"] = via_centre(actor)
    now = timezone.now()
    referral = Referral.objects.create(
        case=case,
        organisation=organisation_of(actor),
        membership=actor.membership,
        created_by=actor.user,
        created_at=now,
        needs=needs,
        urgency=data.urgency,
    )
    event_add(
        case=case,
        kind="shelter_referral",
        actor=actor,
        at=now,
        referral=referral.pk,
        urgency=data.urgency,
    )
    if needs["minor"]:
        # A minor's referral, or the coordinator states a minor the case did not know: that is
        # a presumption until the age is established, and the guardian follows it.
        guardian_ensure(case=case, presumed=bool(data.minor))
    audited.record(
        actor,
        "referral.create",
        object_type="case",
        object_id=case.number,
        fields=NEEDS_FIELDS,
        categories=NEEDS_CATEGORIES,
        detail={"referral": referral.pk},
    )
    return referral
