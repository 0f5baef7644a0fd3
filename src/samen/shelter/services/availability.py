"""Availability reports and contra-indications: what a shelter says about its own places."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.shelter.models import (
    ContraCode,
    ContraIndication,
    Place,
    PlaceType,
)
from samen.shelter.services.alarms import capacity_alarm_check
from samen.shelter.services.common import (
    count_errors,
    count_kept,
    require_own_place,
    stale_after,
)
from samen.shelter.services.waiting import offer_after_commit


@audit.atomic
def availability_update(
    *, actor: Actor, place: Place, capacity: int, free: int, reported_at: datetime | None = None
) -> Place:
    """A shelter reports capacity and free places; the report is stamped and kept. A count
    counted earlier (`reported_at`, e.g. from a provider's own system) must not be older than
    the one already known or the stale threshold, nor in the future."""
    policy.require(actor, "shelter.update", object_type="shelter_place", object_id=str(place.pk))
    require_own_place(actor, place, "shelter.update")
    errors = count_errors(capacity, free)
    now = timezone.now()
    place = Place.objects.select_for_update().get(pk=place.pk)
    if reported_at is not None:
        if reported_at > now + timedelta(minutes=5):
            errors["reported_at"] = [_("A count cannot be reported from the future.")]
        elif now - reported_at > stale_after():
            errors["reported_at"] = [_("This count is already stale: count again and report.")]
        elif place.availability_at and reported_at < place.availability_at:
            errors["reported_at"] = [_("A newer count was already reported for this place.")]
        else:
            now = min(reported_at, now)
    if errors:
        raise ValidationError(errors)
    place.capacity, place.free = capacity, free
    place.availability_at, place.availability_by = now, actor.user
    place.save(update_fields=["capacity", "free", "availability_at", "availability_by"])
    count_kept(place, cause="report", actor=actor, at=now)
    if free > 0:
        offer_after_commit(place.pk)
    else:
        transaction.on_commit(lambda: capacity_alarm_check())
    # Not personal data, but the trail shows who changed the national picture, and when.
    audited.record(
        actor,
        "shelter_place.update",
        object_type="shelter_place",
        object_id=str(place.pk),
        fields=["capacity", "free"],
        detail={"capacity": capacity, "free": free},
    )
    return place


@audit.atomic
def contra_indication_set(
    *, actor: Actor, place: Place, code: str, reason: str
) -> ContraIndication:
    """Add a rule, or a new version of it; the previous version is closed, never changed."""
    policy.require(actor, "shelter.directory", object_type="shelter_place", object_id=str(place.pk))
    require_own_place(actor, place, "shelter.directory")
    if place.type in (PlaceType.FIRST_RECEPTION, PlaceType.FIRST_RECEPTION_MINORS):
        raise ValidationError(
            {"code": [_("First reception takes everyone: it may not apply contra-indications.")]}
        )
    if code not in ContraCode.values:
        raise ValidationError({"code": [_("Choose a rule from the list.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for this rule.")]})
    now = timezone.now()
    Place.objects.select_for_update().get(pk=place.pk)  # versions of one place in order
    previous = ContraIndication.objects.filter(place=place, code=code).order_by("-version").first()
    if previous and previous.superseded_at is None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    rule = ContraIndication(
        place=place,
        code=code,
        reason=reason.strip()[:500],
        version=(previous.version + 1) if previous else 1,
        valid_from=now,
        created_by=actor.user,
    )
    rule.full_clean()
    rule.save()
    audited.record(
        actor,
        "shelter_contra.create",
        object_type="shelter_place",
        object_id=str(place.pk),
        fields=["contra_indications"],
        detail={"code": code, "version": rule.version},
    )
    return rule


@audit.atomic
def contra_indication_end(*, actor: Actor, rule: ContraIndication) -> ContraIndication:
    policy.require(
        actor, "shelter.directory", object_type="shelter_place", object_id=str(rule.place_id)
    )
    require_own_place(actor, rule.place, "shelter.directory")
    # Read afresh under lock: two parallel ends must end (and audit) the rule once.
    rule = ContraIndication.objects.select_for_update().get(pk=rule.pk)
    if rule.superseded_at is None:
        rule.superseded_at = timezone.now()
        rule.save(update_fields=["superseded_at"])
        audited.record(
            actor,
            "shelter_contra.delete",
            object_type="shelter_place",
            object_id=str(rule.place_id),
            fields=["contra_indications"],
            detail={"code": rule.code, "version": rule.version},
        )
    return rule
