"""Reads of the shelter app, policy-checked; reads of a needs profile are audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone

from samen.core import audited, policy
from samen.core.actor import Actor
from samen.organisations.models import Role
from samen.shelter import matching
from samen.shelter.allocation import allocate
from samen.shelter.models import (
    CapacityAlarm,
    ContraIndication,
    DeclineReason,
    Hold,
    HoldStatus,
    Location,
    Place,
    Placement,
    PlaceType,
    Provider,
    Referral,
    ReferralStatus,
    ShelterNotice,
    WaitingOffer,
)
from samen.shelter.services import (
    NEEDS_CATEGORIES,
    NEEDS_FIELDS,
    URGENCY_RANK,
    alarm_text,
    match_referral,
    needs_of,
    needs_profile,
    organisation_of,
    place_info,
    places_for_matching,
    referrals_for_matching,
    require_own_referral,
    stale_after,
    via_centre,
)
from samen.shelter.texts import exclusion_text, reason_text


def referral_matches(
    *, actor: Actor, referral: Referral, now: datetime | None = None
) -> dict[str, list[dict]]:
    """Ranked suitable places with why, and excluded places with the rule that excluded them."""
    policy.require(actor, "referral.create", object_type="referral", object_id=str(referral.pk))
    require_own_referral(actor, referral, "referral.create")
    result = match_referral(referral, now=now, via_national_centre=via_centre(actor))
    audited.record(
        actor,
        "referral.read",
        object_type="case",
        object_id=referral.case.number,
        fields=NEEDS_FIELDS,
        categories=NEEDS_CATEGORIES,
        detail={"referral": referral.pk, "matches": len(result.matches)},
    )
    providers = dict(
        Place.objects.filter(pk__in=[m.place.id for m in result.matches]).values_list(
            "pk", "location__provider__name"
        )
    )
    return present_result(result, providers)


def present_result(
    result: matching.Result, providers: dict[int, str] | None = None
) -> dict[str, list[dict]]:
    providers = providers or {}
    return {
        "matches": [
            {
                "place": m.place.id,
                "name": m.place.name,
                "provider": providers.get(m.place.id, ""),
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


def referrals_of_case(*, actor: Actor, number: str) -> list[Referral]:
    """The case's last referrals (status and date) for the shelter block of the case page, to
    someone who may refer; the page itself checked that the viewer reaches the case. A read of
    the case's referrals like any other: audited, indexed to the case."""
    if not policy.allows(actor, "referral.create"):
        return []
    referrals = list(
        Referral.objects.filter(case__number=number).order_by("-created_at", "-id")[:20]
    )
    if referrals:
        audited.record(
            actor,
            "referral.list",
            object_type="case",
            object_id=number,
            fields=["referral.status", "referral.created_at"],
            detail={"referrals": [r.pk for r in referrals]},
        )
    return referrals


def holds_for_shelter(*, actor: Actor) -> list[dict]:
    """Active holds on the actor's places: the needs profile only, no case number or identity;
    the shelter learns who it is about when it accepts (a share is made then)."""
    policy.require(actor, "referral.respond", object_type="hold", object_id="*")
    org_id = organisation_of(actor).pk
    holds = list(
        Hold.objects.filter(
            place__location__provider__organisation_id=org_id, status=HoldStatus.ACTIVE
        ).select_related("referral__case__person", "place")
    )
    audited.record(
        actor,
        "referral_hold.list",
        object_type="hold",
        object_id="*",
        fields=NEEDS_FIELDS if holds else [],
        categories=NEEDS_CATEGORIES if holds else None,
        # The shelter sees no case number, but the read is the person's: indexed to the case.
        detail={
            "holds": [h.pk for h in holds],
            "cases": sorted({h.referral.case.number for h in holds}),
        },
    )
    return [
        {
            "hold": h.pk,
            "place": h.place_id,
            "place_name": h.place.name,
            "expires_at": h.expires_at,
            "urgency": h.referral.urgency,
            # Today's profile from the case, without the region, the exact age or the inputs.
            "needs": {
                k: v
                for k, v in needs_profile(h.referral).items()
                if k not in ("region", "province", "age", "stated", "via_national_centre")
            },
        }
        for h in holds
    ]


def refusals_for_shelter(*, actor: Actor) -> list[dict]:
    """The actor's organisation's standing refusals (declined, not withdrawn), newest first:
    the place, when and why. No needs profile, case number or identity; the read is indexed to
    the cases in the trail like the requests are."""
    policy.require(actor, "referral.respond", object_type="hold", object_id="*")
    org_id = organisation_of(actor).pk
    holds = list(
        Hold.objects.filter(
            place__location__provider__organisation_id=org_id,
            status=HoldStatus.DECLINED,
            decline_withdrawn_at__isnull=True,
        )
        .select_related("referral__case", "place")
        .order_by("-responded_at", "-pk")
    )
    audited.record(
        actor,
        "referral_hold.list",
        object_type="hold",
        object_id="*",
        fields=["decline"] if holds else [],
        detail={
            "holds": [h.pk for h in holds],
            "cases": sorted({h.referral.case.number for h in holds}),
            "declined": True,
        },
    )
    labels = dict(DeclineReason.choices)
    return [
        {
            "hold": h.pk,
            "place": h.place_id,
            "place_name": h.place.name,
            "declined_at": h.responded_at,
            "reason": h.decline_reason,
            "reason_display": str(labels.get(h.decline_reason, h.decline_reason)),
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


# --- referrals the actor handles: waiting list and allocation proposal -----------------------


def handled_referrals(actor: Actor, *, statuses: tuple[str, ...] = (ReferralStatus.OPEN,)):
    """Referrals the actor may act on: the registrar's reach is national, a coordinator's her own
    organisation's referrals on cases she still reaches (her region's)."""
    qs = referrals_for_matching().filter(status__in=statuses)
    if actor.role != Role.NATIONAL_REGISTRAR:
        qs = qs.filter(organisation=actor.organisation)
    rows = list(qs.order_by("created_at", "pk"))
    reach = policy.case_access(actor, [r.case_id for r in rows])
    return [r for r in rows if r.case_id in reach]


def days_waited(referral: Referral, now: datetime) -> int:
    return max(0, (now - referral.created_at).days)


def waiting_list(*, actor: Actor, now: datetime | None = None) -> list[dict]:
    """The actor's waiting referrals, longest waiting first within urgency, with the offers made
    when a fitting place freed up."""
    policy.require(actor, "referral.create", object_type="referral", object_id="*")
    now = now or timezone.now()
    referrals = handled_referrals(actor)
    referrals.sort(key=lambda r: (URGENCY_RANK.get(r.urgency, 9), r.created_at, r.pk))
    offers: dict[int, list[WaitingOffer]] = {}
    for offer in WaitingOffer.objects.filter(referral__in=referrals).select_related("place"):
        offers.setdefault(offer.referral_id, []).append(offer)
    audited.record(
        actor,
        "referral.list",
        object_type="referral",
        object_id="*",
        fields=["urgency"] if referrals else [],
        detail={"cases": sorted({r.case.number for r in referrals})},
    )
    return [
        {
            "referral": r,
            "pk": r.pk,
            "case": r.case.number,
            "urgency": r.urgency,
            "urgency_label": r.get_urgency_display(),
            "created_at": r.created_at,
            "days_waited": days_waited(r, now),
            "offers": [
                {
                    "id": o.pk,
                    "place": o.place_id,
                    "place_name": o.place.name,
                    "free": o.place.free,
                    "rank": o.rank,
                    "created_at": o.created_at,
                    "unread": o.read_at is None,
                }
                for o in offers.get(r.pk, [])
            ],
        }
        for r in referrals
    ]


def allocation_proposal(*, actor: Actor, now: datetime | None = None) -> dict:
    """The proposal for all waiting referrals the actor handles over all free places: as many
    placed as possible, with the best fit. A person confirms it place by place (hold_place)."""
    policy.require(actor, "referral.create", object_type="referral", object_id="*")
    now = now or timezone.now()
    referrals = handled_referrals(actor)
    by_pk = {r.pk: r for r in referrals}
    places = {p.pk: p for p in places_for_matching().filter(free__gt=0)}
    infos = {pk: place_info(p) for pk, p in places.items()}
    weights = matching.Weights(stale_after=stale_after())
    on = timezone.localdate(now)
    needs = {r.pk: needs_of(r, on=on, via_national_centre=via_centre(actor)) for r in referrals}
    proposal = allocate(list(needs.items()), list(infos.values()), now=now, weights=weights)
    audited.record(
        actor,
        "referral.read",
        object_type="referral",
        object_id="*",
        fields=NEEDS_FIELDS if referrals else [],
        categories=NEEDS_CATEGORIES if referrals else None,
        detail={"cases": sorted({r.case.number for r in referrals}), "proposal": len(proposal)},
    )
    rows = []
    for p in proposal:
        referral, place = by_pk[p.referral], places[p.place]
        fit = matching.score(infos[p.place], needs[p.referral], now, weights)
        rows.append(
            {
                "referral": referral.pk,
                "case": referral.case.number,
                "urgency": referral.urgency,
                "urgency_label": referral.get_urgency_display(),
                "days_waited": days_waited(referral, now),
                "place": place.pk,
                "place_name": place.name,
                "provider": place.location.provider.name,
                "region": infos[p.place].region,
                "free": place.free,
                "score": p.score,
                "stale": fit.stale,
                "reasons": [reason_text(code) for code in fit.reasons],
            }
        )
    rows.sort(key=lambda r: (URGENCY_RANK.get(r["urgency"], 9), -r["days_waited"], r["referral"]))
    placed = {r["referral"] for r in rows}
    return {
        "rows": rows,
        "waiting": len(referrals),
        "placed": len(placed),
        "unplaced": [
            {"referral": r.pk, "case": r.case.number, "days_waited": days_waited(r, now)}
            for r in referrals
            if r.pk not in placed
        ],
        "free_beds": sum(p.free for p in places.values()),
    }


# --- shelter staff: arrivals and residents ---------------------------------------------------


def placements_for_shelter(*, actor: Actor) -> dict[str, list[dict]]:
    """Accepted holds awaiting arrival and running placements on the actor's places. Ids and
    places only: what the shelter knows about the person it reads in the shared case."""
    policy.require(actor, "referral.respond", object_type="placement", object_id="*")
    org_id = organisation_of(actor).pk
    arriving = list(
        Hold.objects.filter(
            place__location__provider__organisation_id=org_id,
            status=HoldStatus.ACCEPTED,
            placement__isnull=True,
        ).select_related("place", "referral__case")
    )
    running = list(
        Placement.objects.filter(
            place__location__provider__organisation_id=org_id, ended_at__isnull=True
        ).select_related("place", "referral__case")
    )
    # Which case a resident belongs to, where the share made on acceptance reaches it: the
    # shelter reads the rest in the shared case (issue #16).
    referrals = [r.referral for r in arriving] + [p.referral for p in running]
    reach = policy.case_access(actor, list({r.case_id for r in referrals}))

    def case_of(referral: Referral) -> str:
        return referral.case.number if referral.case_id in reach else ""

    audited.record(
        actor,
        "placement.list",
        object_type="placement",
        object_id="*",
        fields=["placements"] if arriving or running else [],
        detail={
            "holds": [h.pk for h in arriving],
            "placements": [p.pk for p in running],
            "cases": sorted({r.case.number for r in referrals}),
        },
    )
    return {
        "arriving": [
            {
                "hold": h.pk,
                "referral": h.referral_id,
                "case": case_of(h.referral),
                "place_name": h.place.name,
                "accepted_at": h.responded_at,
            }
            for h in arriving
        ],
        "running": [
            {
                "placement": p.pk,
                "referral": p.referral_id,
                "case": case_of(p.referral),
                "place_name": p.place.name,
                "started_at": p.started_at,
            }
            for p in running
        ],
    }


# --- notices ---------------------------------------------------------------------------------


def unread_notices(*, user) -> int:
    """How many capacity alarms and waiting-list offers the user has not yet seen."""
    return (
        ShelterNotice.objects.filter(user=user, read_at__isnull=True).count()
        + WaitingOffer.objects.filter(user=user, read_at__isnull=True).count()
    )


def notices_for(*, user) -> dict[str, list]:
    """The user's in-app shelter notices: capacity alarms and waiting-list offers."""
    return {
        "alarms": list(
            ShelterNotice.objects.filter(user=user)
            .select_related("alarm")
            .order_by("-created_at")[:50]
        ),
        "offers": list(
            WaitingOffer.objects.filter(user=user)
            .select_related("place", "referral")
            .order_by("-created_at")[:50]
        ),
    }


# --- rows by id, for the pages (views and API views query no models) --------------------------


def _row_or_404(model: type[Model], pk: int) -> Any:
    # A missing row and one the caller may not reach answer alike: the services decide (and
    # audit) the latter.
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def referral_or_404(*, pk: int) -> Referral:
    return _row_or_404(Referral, pk)


def place_or_404(*, pk: int) -> Place:
    return _row_or_404(Place, pk)


def hold_or_404(*, pk: int) -> Hold:
    return _row_or_404(Hold, pk)


def placement_or_404(*, pk: int) -> Placement:
    return _row_or_404(Placement, pk)


def location_or_404(*, pk: int) -> Location:
    return _row_or_404(Location, pk)


def contra_indication_or_404(*, pk: int) -> ContraIndication:
    return _row_or_404(ContraIndication, pk)


def providers_all() -> QuerySet[Provider]:
    """Every provider: what a registrar may name as a location's provider (the API field's
    choices; the service checks who may)."""
    return Provider.objects.all()


def locations_all() -> QuerySet[Location]:
    """Every location: what a new place may name (the service checks the caller owns it)."""
    return Location.objects.all()


def alarm_texts(*, regions: list[str]) -> list[str]:
    """The words of the capacity alarms open in these regions ("" for the whole country)."""
    return [alarm_text(CapacityAlarm(region=region)) for region in regions]
