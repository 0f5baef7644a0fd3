"""The commission API: open, assess, decide and read, with the policy's 400/403/404 answers."""

from __future__ import annotations

import pytest

from samen.core.models import AuditEntry
from samen.identification.models import CommissionMember, CommissionReview, IdentificationPath
from samen.organisations.models import Membership

pytestmark = pytest.mark.django_db


def url(case, tail: str = "") -> str:
    return f"/api/v1/identification/cases/{case.number}/commission/{tail}"


def seat(username: str) -> int:
    return Membership.objects.get(user__username=username).pk


def body(members=("demo-investigator", "demo-coordinator"), chair="demo-registrar") -> dict:
    return {"members": [seat(u) for u in members], "chair": seat(chair)}


def opened(api_for, case) -> dict:
    r = api_for("demo-coordinator").post(url(case), body(), format="json")
    assert r.status_code == 201, r.content
    return r.json()


def test_the_coordinator_lists_candidates_and_opens_a_commission(api_for, case):
    client = api_for("demo-coordinator")
    before = AuditEntry.objects.count()
    rows = client.get(url(case, "candidates/")).json()
    assert AuditEntry.objects.count() - before == 1
    offered = {r["membership"] for r in rows}
    assert {seat("demo-investigator"), seat("demo-registrar")} <= offered
    assert seat("demo-coordinator-noord") not in offered
    assert set(rows[0]) == {"membership", "label", "organisation", "organisation_type", "role"}
    before = AuditEntry.objects.count()
    data = opened(api_for, case)
    assert AuditEntry.objects.count() - before == 1
    assert AuditEntry.objects.latest("id").action == "commission_review.create"
    members = {m["membership"]: m["is_chair"] for m in data["commission"]["members"]}
    assert members == {
        seat("demo-investigator"): False,
        seat("demo-coordinator"): False,
        seat("demo-registrar"): True,
    }
    assert data["commission"]["outcome"] == "" and data["commission"]["decided_at"] is None


@pytest.mark.parametrize("username", ["demo-shelter", "demo-professional", "demo-programme"])
def test_roles_that_may_not_take_steps_get_403_and_nothing_is_saved(api_for, case, username):
    client = api_for(username)
    assert client.post(url(case), body(), format="json").status_code == 403
    assert client.get(url(case, "candidates/")).status_code == 403
    assert not CommissionReview.objects.exists()


def test_another_regions_case_and_a_missing_case_look_the_same(api_for, case):
    north = api_for("demo-coordinator-noord")
    missing = "/api/v1/identification/cases/MH-1999-000001/commission/"
    for path in (url(case), missing):
        assert north.post(path, body(), format="json").status_code == 404
        assert north.get(path).status_code == 404
    opened(api_for, case)
    assess = {"assessment": "identified", "reasons": ["credible_account"]}
    assert north.post(url(case, "assessments/"), assess, format="json").status_code == 404
    assert north.get(url(case)).status_code == 404


def test_too_few_organisation_types_answer_400_naming_members_and_save_nothing(api_for, case):
    r = api_for("demo-coordinator").post(url(case), body(chair="demo-coordinator"), format="json")
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["members"]
    assert not CommissionReview.objects.exists() and not CommissionMember.objects.exists()
    assert not AuditEntry.objects.filter(action="commission_review.create").exists()


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"chair": 1}, "members"),
        ({"members": "x", "chair": 1}, "members"),
        ({"members": [1, 2]}, "chair"),
        ({"members": [10**12], "chair": 1}, "members"),
    ],
)
def test_malformed_input_answers_400_naming_the_field(api_for, case, payload, field):
    r = api_for("demo-coordinator").post(url(case), payload, format="json")
    assert r.status_code == 400
    assert field in r.json()["fields"]
    assert not CommissionReview.objects.exists()


def test_someone_who_cannot_reach_the_case_is_not_a_valid_member(api_for, case):
    r = api_for("demo-coordinator").post(
        url(case),
        body(members=("demo-investigator", "demo-coordinator-noord"), chair="demo-registrar"),
        format="json",
    )
    assert r.status_code == 400
    assert "members" in r.json()["fields"]
    r = api_for("demo-coordinator").post(
        url(case), body(chair="demo-coordinator-noord"), format="json"
    )
    assert r.status_code == 400 and "chair" in r.json()["fields"]
    assert not CommissionReview.objects.exists()


def test_members_assess_the_chair_decides_and_the_status_follows(api_for, case, colleague_of):
    opened(api_for, case)
    # Before every member has assessed, the chair cannot decide.
    decide = {"outcome": "identified", "reasons": ["corroborated"], "text": "Consistent."}
    r = api_for("demo-registrar").post(url(case, "decision/"), decide, format="json")
    assert r.status_code == 400 and "outcome" in r.json()["fields"]
    for username in ("demo-investigator", "demo-coordinator", "demo-registrar"):
        before = AuditEntry.objects.count()
        r = api_for(username).post(
            url(case, "assessments/"),
            {"assessment": "identified", "reasons": ["credible_account"]},
            format="json",
        )
        assert r.status_code == 201, r.content
        assert r.json()["assessment"] == "identified"
        assert AuditEntry.objects.count() - before == 1
    # A member who is not the chair may not decide.
    assert (
        api_for("demo-investigator").post(url(case, "decision/"), decide, format="json")
    ).status_code == 403
    r = api_for("demo-registrar").post(url(case, "decision/"), decide, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["htcds_status"] == "ActualVictimOfTrafficking"
    assert r.json()["htcds_decision_org"] == "Other"
    path = IdentificationPath.objects.get(case=case)
    assert path.htcds_status == "ActualVictimOfTrafficking"
    before = AuditEntry.objects.count()
    colleague_of("demo-investigator", "test-police-2")
    data = api_for("test-police-2").get(url(case)).json()  # any reader, not only the members
    assert AuditEntry.objects.count() - before == 1
    assert data["htcds_status"] == "ActualVictimOfTrafficking"
    assert data["commission"]["outcome"] == "identified"
    assert data["commission"]["reasons"] == ["corroborated"]
    assert {m["assessment"] for m in data["commission"]["members"]} == {"identified"}
    assert "Consistent" not in str(data)  # the chair's words stay encrypted


def test_a_non_member_may_not_assess(api_for, case, colleague_of):
    opened(api_for, case)
    colleague_of("demo-investigator", "test-police-2")  # reaches the case, but has no seat
    r = api_for("test-police-2").post(
        url(case, "assessments/"),
        {"assessment": "possible", "reasons": ["other"]},
        format="json",
    )
    assert r.status_code == 403
    assert not CommissionMember.objects.exclude(assessment="").exists()


def test_bad_assessments_answer_400_naming_the_field(api_for, case):
    police = api_for("demo-investigator")
    r = police.post(
        url(case, "assessments/"), {"assessment": "possible", "reasons": ["other"]}, format="json"
    )
    assert r.status_code == 400 and "commission" in r.json()["fields"]  # none opened yet
    opened(api_for, case)
    for payload, field in [
        ({"assessment": "maybe", "reasons": ["other"]}, "assessment"),
        ({"assessment": "possible", "reasons": ["no_such_reason"]}, "reasons"),
        ({"assessment": "possible"}, "reasons"),
    ]:
        r = police.post(url(case, "assessments/"), payload, format="json")
        assert r.status_code == 400 and field in r.json()["fields"], payload
    assert not CommissionMember.objects.exclude(assessment="").exists()


def test_a_case_without_commission_reads_as_none(api_for, case):
    data = api_for("demo-investigator").get(url(case)).json()
    assert data == {
        "case": case.number,
        "htcds_status": "",
        "htcds_decision_org": "",
        "commission": None,
    }


def test_the_commission_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    base = "/api/v1/identification/cases/{number}/commission/"
    for path, method in [
        (base, "get"),
        (base, "post"),
        (base + "candidates/", "get"),
        (base + "assessments/", "post"),
        (base + "decision/", "post"),
    ]:
        assert method in paths[path], (path, method)
    schemas = schema["components"]["schemas"]
    assert {"members", "chair"} <= set(schemas["CommissionOpenInputRequest"]["properties"])
    assert {"htcds_status", "commission"} <= set(schemas["Commission"]["properties"])
    assert set(schemas["CommissionOutcomeEnum"]["enum"]) >= {"possible", "identified"}


def test_a_case_is_before_one_commission_at_a_time(api_for, case):
    opened(api_for, case)
    again = api_for("demo-coordinator").post(url(case), body(), format="json")
    assert again.status_code == 400 and "members" in again.json()["fields"]
    assert CommissionReview.objects.filter(case__number=case.number).count() == 1


def test_a_shelter_with_a_demographics_share_sees_no_commission(api_for, web_for, case, actor_for):
    """The commission's outcome is the victim status: identification data, which a share of
    demographics and location does not grant (deny by default, issue #12)."""
    from samen.organisations.models import Membership
    from samen.sharing.services import share_create

    opened(api_for, case)
    share_create(
        actor=actor_for("demo-coordinator", "shelter_placement"),
        case=case,
        recipient=Membership.objects.get(user__username="demo-shelter").organisation,
        purpose="shelter_placement",
        categories=["demographics", "location"],
    )
    html = web_for("demo-shelter").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="ident-commission"' not in html
    assert api_for("demo-shelter").get(url(case)).status_code == 404
    coordinator = web_for("demo-coordinator").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="ident-commission"' in coordinator
