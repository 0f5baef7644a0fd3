"""Holds: a place held for a referral, the shelter's answer, and holds that run out. The place
row is locked so two coordinators racing for the last free bed cannot both get it."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases import hooks as case_hooks
from samen.cases.services import event_add
from samen.core import audit, audited, policy
from samen.core.actor import Actor, actor_for_membership
from samen.shelter import matching
from samen.shelter.models import (
    DeclineReason,
    Hold,
    HoldStatus,
    Place,
    Referral,
    ReferralStatus,
    WithdrawReason,
)
from samen.shelter.services.alarms import capacity_alarm_check
from samen.shelter.services.common import (
    ACCEPT_SHARE_CATEGORIES,
    NEEDS_CATEGORIES,
    NEEDS_FIELDS,
    PlaceTaken,
    hold_duration,
    move_free,
    require_own_place,
    require_own_referral,
)
from samen.shelter.services.needs import (
    match_referral,
    needs_of,
    place_info,
    places_for_matching,
    via_centre,
)
from samen.shelter.services.waiting import bed_release, offer_after_commit
from samen.shelter.texts import exclusion_text


def hold_place(
    *, actor: Actor, referral: Referral, place: Place, now: datetime | None = None
) -> Hold:
    """Hold a place for the referral. The place row is locked: of two coordinators racing for the
    last free bed exactly one wins; the other gets PlaceTaken naming the next-best places."""
    policy.require(actor, "referral.create", object_type="referral", object_id=str(referral.pk))
    require_own_referral(actor, referral, "referral.create")
    now = now or timezone.now()
    alternatives: list[matching.Match] = []
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in (ReferralStatus.OPEN,):
            raise ValidationError(
                {"referral": [_("This referral already has a place held or accepted.")]}
            )
        locked = places_for_matching().select_for_update(of=("self",)).get(pk=place.pk)
        info = place_info(locked)
        if info.free >= 1:
            needs = needs_of(referral, via_national_centre=via_centre(actor))
            excluded = matching.exclusion_for(info, needs)
            if excluded is not None:
                raise ValidationError(
                    {
                        "place": [
                            _("This place does not fit: %(why)s")
                            % {"why": exclusion_text(excluded.rule)}
                        ]
                    }
                )
            move_free(locked, -1, cause="hold", actor=actor, at=now)
            transaction.on_commit(lambda: capacity_alarm_check())
            hold = Hold.objects.create(
                referral=referral,
                place=locked,
                held_by=actor.user,
                created_at=now,
                expires_at=now + hold_duration(),
            )
            referral.status = ReferralStatus.HELD
            referral.save(update_fields=["status"])
            event_add(
                case=referral.case,
                kind="shelter_hold",
                actor=actor,
                at=now,
                referral=referral.pk,
                hold=hold.pk,
                place=locked.pk,
                expires_at=hold.expires_at.isoformat(),
            )
            audited.record(
                actor,
                "referral_hold.create",
                object_type="case",
                object_id=referral.case.number,
                fields=NEEDS_FIELDS,
                categories=NEEDS_CATEGORIES,
                detail={"referral": referral.pk, "hold": hold.pk, "place": locked.pk},
            )
            return hold
        alternatives = match_referral(
            referral, now=now, exclude={place.pk}, via_national_centre=via_centre(actor)
        ).matches[:3]
    # Outside the rolled-back transaction, so the refused attempt stays in the trail.
    audited.record(
        actor,
        "referral_hold.create",
        object_type="case",
        object_id=referral.case.number,
        fields=NEEDS_FIELDS,
        result="conflict",
        categories=NEEDS_CATEGORIES,
        detail={"referral": referral.pk, "place": place.pk},
    )
    raise PlaceTaken(place, alternatives)


def _share_on_accept(hold: Hold) -> str:
    """The coordinator's organisation shares the identity once the shelter accepted; returns the
    outcome code. A refusal by the register leaves the identity hidden and is recorded."""
    membership = hold.referral.membership
    if membership is None:
        return "no_coordinator"
    coordinator = actor_for_membership(membership, origin="system:shelter_accept")
    try:
        case_hooks.case_share_create(
            actor=coordinator,
            case=hold.referral.case,
            recipient=hold.place.location.provider.organisation,
            purpose="shelter_placement",
            categories=ACCEPT_SHARE_CATEGORIES,
            reason="shelter placement accepted",
        )
    except (ValidationError, PermissionDenied, Http404):
        return "share_refused"
    return "shared"


def _answered_at(hold: Hold) -> datetime:
    """When the shelter answered the hold (`_respond` stamps it)."""
    return hold.responded_at or timezone.now()


def _respondable_hold(actor: Actor, hold: Hold, now: datetime) -> Hold:
    policy.require(actor, "referral.respond", object_type="hold", object_id=str(hold.pk))
    require_own_place(actor, hold.place, "referral.respond")
    hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=hold.pk)
    if hold.status != HoldStatus.ACTIVE or hold.expires_at <= now:
        raise ValidationError({"hold": [_("This hold is no longer active.")]})
    return hold


def _respond(
    actor: Actor, hold: Hold, *, status: str, referral_status: str, kind: str, reason: str = ""
) -> Hold:
    """The shelter's answer to a hold, accept or decline: one place for the checks, the
    status change, the case timeline and the audit entry."""
    now = timezone.now()
    hold = _respondable_hold(actor, hold, now)
    hold.status, hold.responded_at, hold.responded_by = status, now, actor.user
    hold.decline_reason = reason
    hold.save(update_fields=["status", "responded_at", "responded_by", "decline_reason"])
    referral = hold.referral
    referral.status = referral_status
    referral.save(update_fields=["status"])
    extra = {"reason": reason} if reason else {}
    event_add(
        case=referral.case,
        kind=kind,
        actor=actor,
        at=now,
        referral=referral.pk,
        hold=hold.pk,
        place=hold.place_id,
        **extra,
    )
    audited.record(
        actor,
        "referral_hold.update",
        object_type="hold",
        object_id=str(hold.pk),
        fields=NEEDS_FIELDS,
        categories=NEEDS_CATEGORIES,
        detail={"case": referral.case.number, "response": status, **extra},
    )
    return hold


@audit.atomic
def hold_accept(*, actor: Actor, hold: Hold) -> Hold:
    """The shelter accepts: the bed stays taken, and the identity is shared with it."""
    hold = _respond(
        actor,
        hold,
        status=HoldStatus.ACCEPTED,
        referral_status=ReferralStatus.ACCEPTED,
        kind="shelter_accepted",
    )
    outcome = _share_on_accept(hold)
    event_add(
        case=hold.referral.case,
        kind="shelter_identity",
        actor=None,
        at=_answered_at(hold),
        hold=hold.pk,
        outcome=outcome,
    )
    return hold


@audit.atomic
def hold_decline(*, actor: Actor, hold: Hold, reason: str) -> Hold:
    """The shelter declines with a reason from the list; the bed is free again."""
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": [_("Choose a reason from the list.")]})
    hold = _respond(
        actor,
        hold,
        status=HoldStatus.DECLINED,
        referral_status=ReferralStatus.OPEN,
        kind="shelter_declined",
        reason=reason,
    )
    bed_release(hold.place_id, cause="hold_declined", actor=actor, at=_answered_at(hold))
    return hold


@audit.atomic
def hold_decline_withdraw(*, actor: Actor, hold: Hold, reason: str) -> Hold:
    """The shelter withdraws its refusal, with a reason from the list: the place may be offered
    to this referral again. Only shelter staff of the place's own provider; a refusal that does
    not stand (never made, or withdrawn already) is refused on the hold, a reason off the list on
    the reason, and nothing is saved."""
    policy.require(actor, "referral.respond", object_type="hold", object_id=str(hold.pk))
    require_own_place(actor, hold.place, "referral.respond")
    errors: dict[str, list[str]] = {}
    if reason not in WithdrawReason.values:
        errors["reason"] = [_("Choose a reason from the list.")]
    hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=hold.pk)
    if hold.status != HoldStatus.DECLINED or hold.decline_withdrawn_at is not None:
        errors["hold"] = [_("Only a standing refusal can be withdrawn.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    hold.decline_withdrawn_at = now
    hold.save(update_fields=["decline_withdrawn_at"])
    audited.record(
        actor,
        "referral_hold.update",
        object_type="hold",
        object_id=str(hold.pk),
        fields=["decline"],
        detail={
            "case": hold.referral.case.number,
            "response": "decline_withdrawn",
            "reason": reason,
        },
    )
    offer_after_commit(hold.place_id)
    return hold


def holds_expire(*, now: datetime | None = None) -> int:
    """Release every active hold past its time; safe to run again (only active holds move)."""
    now = now or timezone.now()
    released = 0
    for pk in Hold.objects.filter(status=HoldStatus.ACTIVE, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=pk)
            if hold.status != HoldStatus.ACTIVE:
                continue  # a shelter answered meanwhile
            hold.status = HoldStatus.EXPIRED
            hold.save(update_fields=["status"])
            bed_release(hold.place_id, cause="hold_expired", actor=None, at=now)
            referral = hold.referral
            if referral.status == ReferralStatus.HELD:
                referral.status = ReferralStatus.OPEN
                referral.save(update_fields=["status"])
            # No audit entry: a timer releasing a bed uses no personal data.
            event_add(
                case=referral.case,
                kind="shelter_hold_expired",
                actor=None,
                at=now,
                referral=referral.pk,
                hold=hold.pk,
                place=hold.place_id,
            )
            released += 1
    return released
