"""Placements: arrival and departure of a person at a place."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.lifecycle import case_status_follow
from samen.cases.services import event_add
from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.shelter.models import (
    Hold,
    HoldStatus,
    OutflowDestination,
    Placement,
    ReferralStatus,
)
from samen.shelter.services.common import require_own_place
from samen.shelter.services.waiting import bed_release


@audit.atomic
def placement_start(*, actor: Actor, hold: Hold, at: datetime | None = None) -> Placement:
    """The person arrived: the accepted hold becomes a placement (the bed was already taken)."""
    policy.require(actor, "referral.respond", object_type="hold", object_id=str(hold.pk))
    require_own_place(actor, hold.place, "referral.respond")
    at = at or timezone.now()
    hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=hold.pk)
    if hold.status != HoldStatus.ACCEPTED or Placement.objects.filter(hold=hold).exists():
        raise ValidationError({"hold": [_("Only an accepted hold can start a placement.")]})
    referral = hold.referral
    if Placement.objects.filter(referral=referral, ended_at__isnull=True).exists():
        raise ValidationError({"hold": [_("This referral already has a running placement.")]})
    placement = Placement.objects.create(
        referral=referral, place=hold.place, hold=hold, started_at=at
    )
    referral.status = ReferralStatus.PLACED
    referral.save(update_fields=["status"])
    # The case's status follows the shelter: a placed person is in care (issue #14).
    case_status_follow(case=referral.case, in_care=True, actor=actor)
    event_add(
        case=referral.case,
        kind="placement_started",
        actor=actor,
        at=at,
        placement=placement.pk,
        place=hold.place_id,
    )
    audited.record(
        actor,
        "placement.create",
        object_type="case",
        object_id=referral.case.number,
        fields=["placement"],
        categories={"location"},
        detail={"placement": placement.pk},
    )
    return placement


@audit.atomic
def placement_end(
    *, actor: Actor, placement: Placement, outflow: str, at: datetime | None = None
) -> Placement:
    """Departure: the placement ends with a destination, and the bed is free again."""
    policy.require(actor, "referral.respond", object_type="placement", object_id=str(placement.pk))
    require_own_place(actor, placement.place, "referral.respond")
    at = at or timezone.now()
    if outflow not in OutflowDestination.values:
        raise ValidationError({"outflow": [_("Choose a destination from the list.")]})
    placement = (
        Placement.objects.select_for_update().select_related("referral__case").get(pk=placement.pk)
    )
    if placement.ended_at is not None:
        raise ValidationError({"placement": [_("This placement has already ended.")]})
    if at < placement.started_at:
        raise ValidationError({"at": [_("The departure cannot be before the arrival.")]})
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": [_("The departure cannot be in the future.")]})
    placement.ended_at, placement.outflow = at, outflow
    placement.save(update_fields=["ended_at", "outflow"])
    bed_release(placement.place_id, cause="placement_end", actor=actor, at=at)
    referral = placement.referral
    referral.status = ReferralStatus.ENDED
    referral.save(update_fields=["status"])
    event_add(
        case=referral.case,
        kind="placement_ended",
        actor=actor,
        at=at,
        placement=placement.pk,
        outflow=outflow,
    )
    audited.record(
        actor,
        "placement.update",
        object_type="case",
        object_id=referral.case.number,
        fields=["placement"],
        categories={"location"},
        detail={"placement": placement.pk, "outflow": outflow},
    )
    return placement
