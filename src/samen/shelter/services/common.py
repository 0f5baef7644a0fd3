"""Settings, constants, the refusal a hold can meet, and the access checks every shelter
write shares."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.core import policy
from samen.core.actor import Actor
from samen.organisations.models import Organisation, Role
from samen.shelter import matching
from samen.shelter.models import (
    Place,
    PlaceAvailability,
    Referral,
)

# Settings read with defaults here, so the feature works before conf/base.py documents them:
# SHELTER_HOLD_HOURS (default 3) and SHELTER_STALE_HOURS (default 24).
CARE_KINDS = ("addiction", "psychiatric", "medical")
# What a shelter learns on acceptance, within what the register lets a coordinator share.
ACCEPT_SHARE_CATEGORIES = ["identity", "contact", "demographics", "health", "exploitation"]
NEEDS_FIELDS = ["gender", "age_band", "minor", "forms", "needs.health", "needs.security"]
NEEDS_CATEGORIES = {"demographics", "exploitation", "health"}


def hold_duration() -> timedelta:
    return timedelta(hours=float(getattr(settings, "SHELTER_HOLD_HOURS", 3)))


def stale_after() -> timedelta:
    return timedelta(hours=float(getattr(settings, "SHELTER_STALE_HOURS", 24)))


class PlaceTaken(ValidationError):
    """The place had no free bed left when the hold was tried; names the next-best places."""

    def __init__(self, place: Place, alternatives: list[matching.Match]):
        self.place = place
        self.alternatives = alternatives
        names = ", ".join(m.place.name for m in alternatives) or _("none right now")
        super().__init__(
            {
                "place": [
                    _("%(place)s has just been taken. Next best places: %(names)s.")
                    % {"place": place.name, "names": names}
                ]
            }
        )


# --- helpers ---------------------------------------------------------------------------------


def organisation_of(actor: Actor) -> Organisation:
    """The actor's organisation, where `policy.require` has made sure there is one (a permission
    needs a membership)."""
    if actor.organisation is None:  # pragma: no cover - policy.require refused it already
        raise PermissionDenied
    return actor.organisation


def is_national(actor: Actor) -> bool:
    return actor.role == Role.NATIONAL_REGISTRAR


def require_own_place(actor: Actor, place: Place, permission: str) -> None:
    """Shelter staff act only on their own organisation's places; others' answer 404. The
    registrar keeps the national directory, so may change any place's description and rules."""
    org_id = actor.organisation.pk if actor.organisation else None
    if permission == "shelter.directory" and is_national(actor):
        return
    if place.location.provider.organisation_id != org_id:
        raise policy.not_visible(
            actor, permission, object_type="shelter_place", object_id=str(place.pk)
        )


def reach_case(actor: Actor, case: Case, permission: str) -> None:
    if not policy.case_access(actor, [case.pk]):
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)


def require_own_referral(actor: Actor, referral: Referral, permission: str) -> None:
    """A referral is handled by the coordinator's organisation (or the national registrar, who
    confirms the national allocation proposal), and only on a reachable case."""
    org_id = actor.organisation.pk if actor.organisation else None
    own = referral.organisation_id == org_id or is_national(actor)
    if not own or not policy.case_access(actor, [referral.case_id]):
        raise policy.not_visible(
            actor, permission, object_type="referral", object_id=str(referral.pk)
        )


def count_errors(capacity: int, free: int) -> dict[str, list[str]]:
    """What is wrong with a reported count of places, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    if capacity < 0:
        errors["capacity"] = [_("Capacity cannot be negative.")]
    if free < 0:
        errors["free"] = [_("Free places cannot be negative.")]
    elif free > capacity:
        errors["free"] = [_("Free places cannot exceed the capacity.")]
    return errors


def move_free(place: Place, delta: int, *, cause: str, actor: Actor | None, at: datetime) -> None:
    """Change the free count of a locked place and keep the history. The freshness stamp is left
    alone: only a shelter's own report says the count was checked."""
    place.free = max(0, min(place.capacity, place.free + delta))
    place.save(update_fields=["free"])
    count_kept(place, cause=cause, actor=actor, at=at)


def count_kept(place: Place, *, cause: str, actor: Actor | None, at: datetime) -> None:
    """Keep the place's current capacity and free count in its history, with who and why."""
    PlaceAvailability.objects.create(
        place=place,
        capacity=place.capacity,
        free=place.free,
        reported_at=at,
        reported_by=actor.user if actor and actor.is_authenticated else None,
        organisation=actor.organisation if actor else None,
        cause=cause,
    )
