"""Every exported object validates against the HSDS schemas in ../shared/reference/."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from samen.shelter import hsds
from samen.shelter.models import ContraIndication, Location, Place, PlaceType, TargetGroup
from samen.shelter.tests.conftest import make_place

# The schemas are copied into the repository (reference/, see its README).
REFERENCE = Path(settings.PROJECT_DIR) / "reference"
SCHEMA_DIR = {
    "organization": "hsds-3.0",
    "service": "hsds-3.0",
    "location": "hsds-3.0",
    "service_at_location": "hsds-3.0",
    "service_capacity": "hsds-3.1-capacity",
}


def _validator(name: str) -> Draft202012Validator:
    # $refs are plain file names: resolve them within the schema's folder, then HSDS 3.0.
    resources = []
    for folder in ("hsds-3.0", "hsds-3.1-capacity"):
        for path in (REFERENCE / folder).glob("*.json"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            resources.append((path.name, Resource.from_contents(schema, DRAFT202012)))
    registry = Registry().with_resources(resources)  # later folder wins on equal names
    schema = json.loads((REFERENCE / SCHEMA_DIR[name] / f"{name}.json").read_text("utf-8"))
    return Draft202012Validator(schema, registry=registry)


def test_export_hsds_validates_against_the_schemas(directory, tmp_path):
    call_command("shelter", "export-hsds", "--out", str(tmp_path))
    for name in SCHEMA_DIR:
        objects = json.loads((tmp_path / f"{name}.json").read_text("utf-8"))
        assert objects, name
        validator = _validator(name)
        for obj in objects:
            errors = [e.message for e in validator.iter_errors(obj)]
            assert errors == [], (name, obj["id"], errors)
    capacity = json.loads((tmp_path / "service_capacity.json").read_text("utf-8"))
    assert {c["unit"]["name"] for c in capacity} == {"bed"}


def _export(tmp_path) -> dict[str, list[dict]]:
    call_command("shelter", "export-hsds", "--out", str(tmp_path))
    return {name: json.loads((tmp_path / f"{name}.json").read_text("utf-8")) for name in SCHEMA_DIR}


def _validate(objects: dict[str, list[dict]]) -> None:
    for name, rows in objects.items():
        validator = _validator(name)
        for obj in rows:
            assert [e.message for e in validator.iter_errors(obj)] == [], (name, obj["id"])


def test_a_place_that_never_reported_has_no_fresh_count_and_says_so(directory, tmp_path):
    never = directory["men"]
    Place.objects.filter(pk=never.pk).update(availability_at=None)
    old = timezone.now() - timedelta(days=3)
    Place.objects.filter(pk=directory["groningen"].pk).update(availability_at=old)
    objects = _export(tmp_path)
    _validate(objects)
    services = {s["id"]: s for s in objects["service"]}
    capacity = {c["service_id"]: c for c in objects["service_capacity"]}
    assert hsds._id("place", never.pk) not in capacity
    assert services[hsds._id("place", never.pk)]["alert"] == "Nog geen beschikbaarheid gemeld."
    stale = hsds._id("place", directory["groningen"].pk)
    assert capacity[stale]["updated"] == old.isoformat(timespec="milliseconds")
    assert "verouderd" in services[stale]["alert"]
    fresh = hsds._id("place", directory["women"].pk)
    assert "alert" not in services[fresh]


def test_intake_rules_and_security_level_are_published_for_public_places(directory, tmp_path):
    women = directory["women"]
    Place.objects.filter(pk=women.pk).update(security_level="high")
    ContraIndication.objects.create(
        place=women, code="no_active_addiction", reason="r", valid_from=timezone.now()
    )
    objects = _export(tmp_path)
    _validate(objects)
    service = next(s for s in objects["service"] if s["id"] == hsds._id("place", women.pk))
    assert "Geen actieve verslaving" in service["eligibility_description"]
    assert "beveiligingsniveau: Hoog" in service["description"]


def test_protected_places_for_minors_point_to_no_place_and_show_no_live_count(
    directory, tmp_path, settings
):
    loc = directory["women"].location
    safe = make_place(
        loc,
        "Beschermd huis Amersfoortseweg",
        type=PlaceType.PROTECTED_MINORS,
        target_group=TargetGroup.MINORS,
        min_age=12,
        max_age=17,
    )
    hidden_loc = Location.objects.create(
        provider=loc.provider, name="Geheim adres", municipality=loc.municipality
    )
    first = make_place(
        hidden_loc,
        "Eerste opvang minderjarigen Zeist",
        type=PlaceType.FIRST_RECEPTION_MINORS,
        target_group=TargetGroup.MINORS,
    )
    objects = _export(tmp_path)
    _validate(objects)
    text = json.dumps(objects, ensure_ascii=False)
    for p in (safe, first):
        sid = hsds._id("place", p.pk)
        service = next(s for s in objects["service"] if s["id"] == sid)
        assert p.name not in text and "organization_id" not in service
        assert all(c["service_id"] != sid for c in objects["service_capacity"])
        assert all(x["service_id"] != sid for x in objects["service_at_location"])
    # A location with protected places only is not published (its municipality would point).
    assert hsds._id("location", hidden_loc.pk) not in {loc["id"] for loc in objects["location"]}
    # The public level is configured per place type.
    settings.SHELTER_HSDS_PUBLIC = {"protected_minors": "hidden"}
    objects = _export(tmp_path)
    assert hsds._id("place", safe.pk) not in {s["id"] for s in objects["service"]}
