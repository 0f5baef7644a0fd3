"""Migration cases 0006: cases in the old statuses "in progress" and "referred" move onto the
lifecycle (signalled -> in assessment -> in care -> closed) by their placement and path facts,
with a timeline entry; the old statuses can no longer be chosen (issue #14)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from samen.cases.models import Case, CaseEvent
from samen.cases.services import case_status_change
from samen.identification.models import IdentificationPath
from samen.identification.services import current_definition
from samen.organisations.models import Organisation
from samen.shelter.models import Location, Place, Placement, Provider, Referral

pytestmark = pytest.mark.django_db

migration = importlib.import_module("samen.cases.migrations.0006_case_status_lifecycle_only")


def _place() -> Place:
    org = Organisation.objects.filter(type="shelter")[0]
    provider = Provider.objects.create(organisation=org, name="Opvang (test)")
    location = Location.objects.create(
        provider=provider, name="Locatie (test)", municipality=org.municipality
    )
    return Place.objects.create(
        location=location, name="Plaats (test)", type="specialised", target_group="women",
        municipality=org.municipality, funding_municipality=org.municipality,
    )  # fmt: skip


def _old(record, status: str, *, path_state: str = "", placed: bool = False) -> Case:
    case = record().case
    Case.objects.filter(pk=case.pk).update(status=status)  # as a row from before 0006
    if path_state:
        IdentificationPath.objects.create(
            case=case,
            definition=current_definition(),
            state=path_state,
            started_at=timezone.now(),
        )
    if placed:
        referral = Referral.objects.create(
            case=case, organisation=Organisation.objects.filter(type="care_coordination")[0],
            created_at=timezone.now(),
        )  # fmt: skip
        Placement.objects.create(referral=referral, place=_place(), started_at=timezone.now())
    return case


def test_old_statuses_move_by_the_cases_placement_and_path(record, world):
    cases = {
        "in_progress": _old(record, "in_progress"),
        "referred": _old(record, "referred"),
        "in_progress_reported": _old(record, "in_progress", path_state="report_made"),
        "referred_assessing": _old(record, "referred", path_state="under_assessment"),
        "in_progress_placed": _old(
            record, "in_progress", path_state="under_assessment", placed=True
        ),
        "signalled": _old(record, "signalled"),
        "closed": _old(record, "closed", path_state="under_assessment"),
    }
    migration.forwards(apps, SimpleNamespace(connection=connection))
    status = {key: Case.objects.get(pk=case.pk).status for key, case in cases.items()}
    assert status == {
        "in_progress": "in_assessment",  # someone works on it
        "referred": "in_care",  # it was passed on to care
        "in_progress_reported": "in_care",  # the path says more than the old status
        "referred_assessing": "in_assessment",
        "in_progress_placed": "in_care",  # a running placement is care
        "signalled": "signalled",  # the lifecycle's own statuses stay
        "closed": "closed",
    }
    moved = CaseEvent.objects.filter(kind="status_changed", data__source="migration")
    assert {(e.case_id, e.data["old"], e.data["new"]) for e in moved} == {
        (cases["in_progress"].pk, "in_progress", "in_assessment"),
        (cases["referred"].pk, "referred", "in_care"),
        (cases["in_progress_reported"].pk, "in_progress", "in_care"),
        (cases["referred_assessing"].pk, "referred", "in_assessment"),
        (cases["in_progress_placed"].pk, "in_progress", "in_care"),
    }
    migration.forwards(apps, SimpleNamespace(connection=connection))  # twice: nothing to move
    assert moved.count() == 5


@pytest.mark.parametrize("old", ["in_progress", "referred"])
def test_the_old_statuses_can_no_longer_be_chosen(record, actor_for, api_for, web_for, old):
    case = record().case
    with pytest.raises(ValidationError):
        case_status_change(actor=actor_for("demo-coordinator"), case=case, status=old)
    assert Case.objects.get(pk=case.pk).status == "signalled"
    response = api_for("demo-coordinator").get(f"/api/v1/cases/?status={old}")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    page = web_for("demo-coordinator").get("/zaken/").content.decode()
    assert f'value="{old}"' not in page and 'value="in_care"' in page


def test_a_bare_status_change_neither_closes_nor_reopens_a_case(record, actor_for):
    # Closing and reopening go through lifecycle.case_close / case_reopen, which need a reason.
    from samen.cases.lifecycle import case_close

    coordinator = actor_for("demo-coordinator")
    case = record().case
    with pytest.raises(ValidationError):
        case_status_change(actor=coordinator, case=case, status="closed")
    assert Case.objects.get(pk=case.pk).status == "signalled"
    case_close(actor=coordinator, case=case, reason="no_contact")
    with pytest.raises(ValidationError):
        case_status_change(actor=coordinator, case=case, status="in_assessment")
    assert Case.objects.get(pk=case.pk).status == "closed"
