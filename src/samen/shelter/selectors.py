"""Reads of the shelter app, policy-checked; reads of a needs profile are audited."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from samen.sharing import audit, policy
from samen.sharing.actor import Actor
from samen.shelter import matching
from samen.shelter.models import Hold, HoldStatus, Place, PlaceType, Referral
from samen.shelter.services import (
    NEEDS_CATEGORIES,
    NEEDS_FIELDS,
    _own_referral,
    match_referral,
    stale_after,
)
from samen.shelter.texts import exclusion_text, reason_text


def referral_matches(
    *, actor: Actor, referral: Referral, now: datetime | None = None
) -> dict[str, list[dict]]:
    """Ranked suitable places with why, and excluded places with the rule that excluded them."""
    policy.require(actor, "referral.create", object_type="referral", object_id=str(referral.pk))
    _own_referral(actor, referral, "referral.create")
    result = match_referral(referral, now=now)
    audit.record(
        actor,
        "referral.read",
        object_type="case",
        object_id=referral.case.number,
        fields=NEEDS_FIELDS,
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, NEEDS_CATEGORIES),
        detail={"referral": referral.pk, "matches": len(result.matches)},
    )
    return present_result(result)


def present_result(result: matching.Result) -> dict[str, list[dict]]:
    return {
        "matches": [
            {
                "place": m.place.id,
                "name": m.place.name,
                "type": m.place.type,
                "region": m.place.region,
                "free": m.place.free,
                "score": m.score,
                "stale": m.stale,
                "availability_at": m.place.availability_at,
                "reasons": [reason_text(code) for code in m.reasons],
                "reason_codes": list(m.reasons),
            }
            for m in result.matches
        ],
        "excluded": [
            {
                "place": e.place.id,
                "name": e.place.name,
                "rule": e.rule,
                "rule_text": exclusion_text(e.rule),
                "reason": e.reason,
                "version": e.version,
            }
            for e in result.excluded
        ],
    }


def holds_for_shelter(*, actor: Actor) -> list[dict]:
    """Active holds on the actor's places: the needs profile only, no case number or identity;
    the shelter learns who it is about when it accepts (a share is made then)."""
    policy.require(actor, "referral.respond", object_type="hold", object_id="*")
    org_id = actor.organisation.pk if actor.organisation else None
    holds = list(
        Hold.objects.filter(
            place__location__provider__organisation_id=org_id, status=HoldStatus.ACTIVE
        ).select_related("referral", "place")
    )
    audit.record(
        actor,
        "referral_hold.list",
        object_type="hold",
        object_id="*",
        fields=NEEDS_FIELDS if holds else [],
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, NEEDS_CATEGORIES) if holds else "",
        detail={"holds": [h.pk for h in holds]},
    )
    return [
        {
            "hold": h.pk,
            "place": h.place_id,
            "place_name": h.place.name,
            "expires_at": h.expires_at,
            "urgency": h.referral.urgency,
            "needs": {k: v for k, v in h.referral.needs.items() if k not in ("region", "province")},
        }
        for h in holds
    ]


def places_overview(*, actor: Actor, region: str = "", now: datetime | None = None) -> list[dict]:
    """The national overview: every active place with its count and how fresh that count is."""
    policy.require(actor, "shelter.read", object_type="shelter_place", object_id="*")
    now = now or timezone.now()
    limit = stale_after()
    qs = Place.objects.filter(is_active=True).select_related(
        "municipality__region", "location__provider"
    )
    if region:
        qs = qs.filter(municipality__region__code=region)
    return [
        {
            "id": p.pk,
            "name": p.name,
            "provider": p.location.provider.name,
            "type": p.type,
            "type_label": p.get_type_display(),
            "target_group": p.target_group,
            "region": p.municipality.region.code,
            "municipality": p.municipality.name,
            "capacity": p.capacity,
            "free": p.free,
            "availability_at": p.availability_at,
            "stale": p.availability_at is None or now - p.availability_at > limit,
        }
        for p in qs.order_by("municipality__region__code", "name", "id")
    ]


def first_reception_alarm(*, region: str = "") -> bool:
    """True when no first-reception place is free in the country (or the region): everyone must
    be able to enter first reception, so this is the alarm the overview raises."""
    qs = Place.objects.filter(is_active=True, type=PlaceType.FIRST_RECEPTION)
    if region:
        qs = qs.filter(municipality__region__code=region)
    return not qs.filter(free__gt=0).exists()
