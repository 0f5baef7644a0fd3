"""Export the directory as Open Referral HSDS 3.0 (organization, service, location,
service_at_location) and live capacity as HSDS 3.1 `service_capacity` with unit "bed".

Identifiers are UUIDv5 over our own keys, so a re-export keeps the same ids. A protected shelter
address is never exported: a location carries its name and municipality only.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.utils import timezone

from samen.shelter.models import Location, Place, Provider

NAMESPACE = uuid.UUID("6f0b1c53-2f8e-4c4e-9d0e-5a3c2b7e1d90")  # fixed: ids stay stable
BED_UNIT = {"id": str(uuid.uuid5(NAMESPACE, "unit:bed")), "name": "bed"}


def _id(kind: str, pk: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def export_objects() -> dict[str, list[dict]]:
    """Every object by HSDS schema name; only active places are published."""
    providers = list(Provider.objects.all())
    locations = list(Location.objects.select_related("municipality"))
    places = list(
        Place.objects.filter(is_active=True).select_related("location__provider", "municipality")
    )
    now = timezone.now()
    return {
        "organization": [
            {"id": _id("provider", p.pk), "name": p.name, "description": p.name} for p in providers
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
        "service": [
            {
                "id": _id("place", p.pk),
                "organization_id": _id("provider", p.location.provider_id),
                "name": p.name,
                "description": str(p.get_type_display()),
                "eligibility_description": str(p.get_target_group_display()),
                "status": "active",
                **({"minimum_age": p.min_age} if p.min_age is not None else {}),
                **({"maximum_age": p.max_age} if p.max_age is not None else {}),
            }
            for p in places
        ],
        "service_at_location": [
            {
                "id": _id("service_at_location", p.pk),
                "service_id": _id("place", p.pk),
                "location_id": _id("location", p.location_id),
            }
            for p in places
        ],
        "service_capacity": [
            {
                "id": _id("capacity", p.pk),
                "service_id": _id("place", p.pk),
                "unit": BED_UNIT,
                "available": p.free,
                "maximum": p.capacity,
                "updated": (p.availability_at or now).isoformat(timespec="milliseconds"),
            }
            for p in places
        ],
    }


def export_to(out: Path) -> dict[str, int]:
    """Write one JSON array file per object type; returns the counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, objects in export_objects().items():
        (out / f"{name}.json").write_text(
            json.dumps(objects, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        counts[name] = len(objects)
    return counts
