"""The national directory: providers' locations and places, kept by shelter staff and the
registrar."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.shelter.models import (
    Location,
    Place,
    Provider,
)
from samen.shelter.services.common import (
    count_errors,
    count_kept,
    is_national,
    require_own_place,
)
from samen.shelter.services.waiting import offer_after_commit

PLACE_FIELDS = [
    "name", "type", "target_group", "min_age", "max_age", "security_level", "care_addiction",
    "care_psychiatric", "care_medical", "languages", "wheelchair_accessible", "municipality",
    "funding_municipality", "is_active",
]  # fmt: skip


def _provider_for(actor: Actor, provider: Provider | None) -> Provider:
    """Shelter staff manage their own provider; the registrar names the provider."""
    if is_national(actor):
        if provider is None:
            raise ValidationError({"provider": [_("Choose the provider.")]})
        return provider
    own = Provider.objects.filter(organisation=actor.organisation).first()
    if own is None or (provider is not None and provider.pk != own.pk):
        raise policy.not_visible(
            actor,
            "shelter.directory",
            object_type="shelter_provider",
            object_id=str(provider.pk if provider else "-"),
        )
    return own


def _directory_audit(actor: Actor, action: str, object_type: str, pk: int, fields: list[str]):
    # Not personal data, but the trail shows who changed the national directory, and when.
    audited.record(
        actor,
        action,
        object_type=object_type,
        object_id=str(pk),
        fields=fields,
    )


@audit.atomic
def location_save(
    *, actor: Actor, data: dict, location: Location | None = None, provider: Provider | None = None
) -> Location:
    """Create a location (for the actor's provider, or the named one) or update its fields."""
    policy.require(actor, "shelter.directory", object_type="shelter_location", object_id="*")
    if location is None:
        location = Location(provider=_provider_for(actor, provider))
    else:
        # Locked and read afresh: save() writes every field, so a copy read before a parallel
        # edit committed would put that edit's fields back.
        location = Location.objects.select_for_update().get(pk=location.pk)
        _provider_for(actor, location.provider)
    for key in ("name", "municipality"):
        if key in data:
            setattr(location, key, data[key])
    location.full_clean()
    created = location.pk is None
    location.save()
    _directory_audit(
        actor,
        "shelter_location.create" if created else "shelter_location.update",
        "shelter_location",
        location.pk,
        sorted(data),
    )
    return location


@audit.atomic
def place_save(
    *, actor: Actor, data: dict, place: Place | None = None, location: Location | None = None
) -> Place:
    """Create a place in one of the actor's locations or update its description. Capacity and
    free places go through the same checks as a report and are stamped as one."""
    policy.require(actor, "shelter.directory", object_type="shelter_place", object_id="*")
    if place is None:
        if location is None:
            raise ValidationError({"location": [_("Choose the location.")]})
        _provider_for(actor, location.provider)
        place = Place(location=location, municipality=location.municipality)
        place.funding_municipality = location.municipality
    else:
        place = Place.objects.select_for_update().get(pk=place.pk)
        require_own_place(actor, place, "shelter.directory")
    forms = data.pop("forms", None)
    for key in PLACE_FIELDS:
        if key in data:
            setattr(place, key, data[key])
    capacity = data.get("capacity", place.capacity)
    free = data.get("free", place.free)
    errors = count_errors(capacity, free)
    if errors:
        raise ValidationError(errors)
    count_changed = place.pk is None or (capacity, free) != (place.capacity, place.free)
    place.capacity, place.free = capacity, free
    now = timezone.now()
    if count_changed:
        place.availability_at, place.availability_by = now, actor.user
    place.full_clean(exclude=["forms"])
    created = place.pk is None
    place.save()
    if forms is not None:
        place.forms.set(forms)
    if count_changed:
        count_kept(place, cause="report", actor=actor, at=now)
        offer_after_commit(place.pk)
    _directory_audit(
        actor,
        "shelter_place.create" if created else "shelter_place.update",
        "shelter_place",
        place.pk,
        sorted([*data, *(["forms"] if forms is not None else [])]),
    )
    return place
