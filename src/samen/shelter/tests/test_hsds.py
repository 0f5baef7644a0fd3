"""Every exported object validates against the HSDS schemas in ../shared/reference/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REFERENCE = Path(settings.PROJECT_DIR).parent / "shared" / "reference"
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


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference schemas not checked out")
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
