"""The identification API: transitions, the path and the deadlines, with the policy's answers."""

from __future__ import annotations

import pytest

from samen.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(case, tail: str = "") -> str:
    return f"/api/v1/identification/cases/{case.number}/{tail}"


def test_an_investigator_takes_steps_and_reads_the_path(api_for, case):
    police = api_for("demo-investigator")
    r = police.post(url(case, "transitions/"), {"transition": "assessment_start"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json() == {"case": case.number, "state": "under_assessment"}
    assert AuditEntry.objects.filter(action="identification_path.update").count() == 1
    r = police.post(
        url(case, "transitions/"),
        {"transition": "indication_establish", "values": {"established_on": "2026-11-28"}},
        format="json",
    )
    assert r.status_code == 201
    path = police.get(url(case)).json()
    assert path["state"] == "indication_established"
    assert "reflection_offer" in [s["code"] for s in path["next_steps"]]
    deadlines = police.get("/api/v1/identification/deadlines/").json()
    assert set(deadlines) == {"overdue", "due_0", "due_7", "due_14", "later"}


def test_an_invalid_step_answers_400_naming_the_allowed_steps(api_for, case):
    r = api_for("demo-investigator").post(
        url(case, "transitions/"), {"transition": "b83_grant"}, format="json"
    )
    assert r.status_code == 400
    assert "assessment_start" in r.content.decode()


def test_403_for_a_role_without_the_permission_and_404_outside_the_region(api_for, case):
    body = {"transition": "assessment_start"}
    assert (
        api_for("demo-shelter").post(url(case, "transitions/"), body, format="json").status_code
        == 403
    )
    north = api_for("demo-coordinator-noord")
    assert north.post(url(case, "transitions/"), body, format="json").status_code == 404
    assert north.get(url(case)).status_code == 404
    assert (
        api_for("demo-investigator").get("/api/v1/identification/cases/MH-1999-000001/").status_code
        == 404
    )


def test_the_identification_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/identification/cases/{number}/", "get"),
        ("/api/v1/identification/cases/{number}/transitions/", "post"),
        ("/api/v1/identification/deadlines/", "get"),
        ("/api/v1/identification/notifications/", "get"),
        ("/api/v1/identification/notifications/read/", "post"),
    ]:
        assert method in paths[path], path
    row = schema["components"]["schemas"]["DeadlineRow"]["properties"]
    assert {"due_on", "due_at", "minor", "minor_estimated"} <= set(row)
    case = schema["components"]["schemas"]["Case"]["properties"]
    assert {"minor", "minor_estimated", "age_is_estimate"} <= set(case)
