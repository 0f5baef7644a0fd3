"""Export the directory as Open Referral HSDS 3.0 (organization, service, location,
service_at_location) and live capacity as HSDS 3.1 `service_capacity` with unit "bed".

Identifiers are UUIDv5 over our own keys, so a re-export keeps the same ids. A protected shelter
address is never exported: a location carries its name and municipality only.

What is public depends on the place type (setting `SHELTER_HSDS_PUBLIC`, type -> level):

- "full": the service with its intake rules and security level, linked to its provider and
  location (municipality), and its live count from the last report;
- "protected" (default for minors' places): the service under its type name only, without
  provider, location, municipality or live count, so no public file points to a safe house;
- "hidden": not published.

Freshness tells the truth: `updated` is the time of the shelter's last own report, never the
export time. A place that never reported has no capacity object (HSDS requires `updated`) and an
alert saying so; a count older than the stale threshold says that too.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samen.shelter.models import ContraCode, Location, Place, PlaceType, Provider
from samen.shelter.services import stale_after

NAMESPACE = uuid.UUID("6f0b1c53-2f8e-4c4e-9d0e-5a3c2b7e1d90")  # fixed: ids stay stable
BED_UNIT = {"id": str(uuid.uuid5(NAMESPACE, "unit:bed")), "name": "bed"}
FULL, PROTECTED, HIDDEN = "full", "protected", "hidden"
DEFAULT_PUBLIC: dict[str, str] = {
    PlaceType.FIRST_RECEPTION: FULL,
    PlaceType.FIRST_RECEPTION_MINORS: PROTECTED,
    PlaceType.COSM: FULL,
    PlaceType.SPECIALISED: FULL,
    PlaceType.PROTECTED_MINORS: PROTECTED,
    PlaceType.COMBINED: FULL,
}


def _id(kind: str, pk: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def public_level(place_type: str) -> str:
    """The configured public level of a place type; an unknown type is protected, not full."""
    configured = {**DEFAULT_PUBLIC, **settings.SHELTER_HSDS_PUBLIC}
    level = configured.get(place_type, PROTECTED)
    return level if level in (FULL, PROTECTED, HIDDEN) else PROTECTED


def _stale_after():
    return stale_after()


def _eligibility(p: Place, full: bool) -> str:
    parts = [str(p.get_target_group_display())]
    if p.min_age is not None or p.max_age is not None:
        low = p.min_age if p.min_age is not None else 0
        parts.append(
            _("age %(low)s to %(high)s") % {"low": low, "high": p.max_age}
            if p.max_age is not None
            else _("age %(low)s or older") % {"low": low}
        )
    if full:
        labels = dict(ContraCode.choices)
        parts += [
            str(labels.get(c.code, c.code))
            for c in p.contra_indications.all()
            if c.superseded_at is None
        ]
    return "; ".join(parts)


def _service(p: Place, level: str, now) -> dict:
    full = level == FULL
    service = {
        "id": _id("place", p.pk),
        "name": p.name if full else str(p.get_type_display()),
        "description": str(p.get_type_display()),
        "eligibility_description": _eligibility(p, full),
        "status": "active",
        **({"minimum_age": p.min_age} if p.min_age is not None else {}),
        **({"maximum_age": p.max_age} if p.max_age is not None else {}),
    }
    if full:
        service["organization_id"] = _id("provider", p.location.provider_id)
        service["description"] = _("%(type)s; security level: %(level)s") % {
            "type": p.get_type_display(),
            "level": p.get_security_level_display(),
        }
        if p.availability_at is None:
            service["alert"] = _("No availability reported yet.")
        elif now - p.availability_at > _stale_after():
            service["alert"] = _("Availability last reported on %(at)s: it may be out of date.") % {
                "at": timezone.localtime(p.availability_at).strftime("%Y-%m-%d %H:%M")
            }
    return service


def export_objects() -> dict[str, list[dict]]:
    """Every object by HSDS schema name; only active places are published, each at the public
    level of its type."""
    now = timezone.now()
    places = [
        p
        for p in Place.objects.filter(is_active=True)
        .select_related("location__provider", "municipality")
        .prefetch_related("contra_indications")
        if public_level(p.type) != HIDDEN
    ]
    full = [p for p in places if public_level(p.type) == FULL]
    # Only providers and locations a fully public place links to: a location (or provider) with
    # protected places only is not published at all.
    location_ids = {p.location_id for p in full}
    provider_ids = {p.location.provider_id for p in full}
    locations = Location.objects.filter(pk__in=location_ids).select_related("municipality")
    return {
        "organization": [
            {"id": _id("provider", p.pk), "name": p.name, "description": p.name}
            for p in Provider.objects.filter(pk__in=provider_ids)
        ],
        "location": [
            {
                "id": _id("location", loc.pk),
                "location_type": "physical",
                "organization_id": _id("provider", loc.provider_id),
                "name": loc.name,
                "description": loc.municipality.name,
            }
            for loc in locations
        ],
        "service": [_service(p, public_level(p.type), now) for p in places],
        "service_at_location": [
            {
                "id": _id("service_at_location", p.pk),
                "service_id": _id("place", p.pk),
                "location_id": _id("location", p.location_id),
            }
            for p in full
        ],
        "service_capacity": [
            {
                "id": _id("capacity", p.pk),
                "service_id": _id("place", p.pk),
                "unit": BED_UNIT,
                "available": p.free,
                "maximum": p.capacity,
                "updated": p.availability_at.isoformat(timespec="milliseconds"),
            }
            for p in full
            if p.availability_at is not None
        ],
    }


def export_to(out: Path) -> dict[str, int]:
    """Write one JSON array file per object type; returns the counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    # The public file is in the site's language, whatever language the caller had active.
    with translation.override(settings.LANGUAGE_CODE):
        objects_by_name = export_objects()
    for name, objects in objects_by_name.items():
        (out / f"{name}.json").write_text(
            json.dumps(objects, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        counts[name] = len(objects)
    return counts
