"""One look-up of a case by its number: normalised, 404 for a number that names no case, and
that 404 audited like a case out of reach (it used to be bare in the case pages and the API)."""

import pytest
from django.http import Http404

from samen.cases.selectors import case_by_number
from samen.core.models import AuditEntry


def test_a_case_is_found_by_its_number_in_any_spelling(actor_for, record):
    case = record().case
    actor = actor_for("demo-coordinator")
    found = case_by_number(actor=actor, number=f"  {case.number.lower()} ", permission="case.read")
    assert found.pk == case.pk


def test_a_number_that_names_no_case_is_a_404_audited_as_not_found(actor_for, world):
    with pytest.raises(Http404):
        case_by_number(
            actor=actor_for("demo-coordinator"), number="mh-2000-999999", permission="case.note"
        )
    entry = AuditEntry.objects.get(action="case.note", result="not_found")
    assert entry.object_id == "MH-2000-999999"


def test_a_note_to_a_missing_case_on_the_web_answers_404_and_is_audited(web_for, world):
    response = web_for("demo-coordinator").post("/zaken/MH-2000-999999/notitie/", {"text": "x"})
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="case.note", result="not_found").count() == 1


def test_a_note_to_a_missing_case_on_the_api_answers_404_and_is_audited(api_for, world):
    response = api_for("demo-coordinator").post(
        "/api/v1/cases/MH-2000-999999/notes/", {"text": "x"}, format="json"
    )
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="case.note", result="not_found").count() == 1
