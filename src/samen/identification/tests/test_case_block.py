"""The identification block on the case page: the whole path, the current and next steps, who
takes them, and the actions the signed-in user may take."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.translation import override

from samen.core.models import AuditEntry
from samen.identification import selectors, services
from samen.identification.machine import add_months, local_date

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_path_and_lets_the_investigator_act(web_for, case):
    client = web_for("demo-investigator")
    page = client.get(f"/zaken/{case.number}/")
    block = page.context["ident"]
    assert block["state"] == "signalled"
    statuses = {s["code"]: s["status"] for s in block["timeline"]}
    assert statuses["signalled"] == "current"
    assert statuses["b83_granted"] == "possible"
    [step] = block["next_steps"]
    assert step["code"] == "assessment_start" and step["yours"]
    html = page.content.decode()
    assert 'data-testid="ident-take-assessment_start"' in html
    # Taken from the case page, the step brings the user back to it.
    response = client.post(
        f"/identificatie/zaken/{case.number}/stap/",
        {"transition": "assessment_start", "return_to": "case"},
    )
    assert response.status_code == 302 and response["Location"] == f"/zaken/{case.number}/"
    today = local_date(timezone.now())
    client.post(
        f"/identificatie/zaken/{case.number}/stap/",
        {"transition": "indication_establish", "v_established_on": today.isoformat()},
    )
    block = client.get(f"/zaken/{case.number}/").context["ident"]
    statuses = {s["code"]: s["status"] for s in block["timeline"]}
    assert statuses["signalled"] == statuses["under_assessment"] == "done"
    assert statuses["indication_established"] == "current"
    assert statuses["indication_not_established"] == "not_taken"
    assert [s["transition"] for s in block["steps"]] == ["assessment_start", "indication_establish"]
    assert block["steps"][0]["organisation__name"].startswith("Politie")


def test_the_coordinator_sees_who_must_take_the_next_step_without_a_form(web_for, case):
    client = web_for("demo-coordinator")
    client.post(f"/identificatie/zaken/{case.number}/stap/", {"transition": "assessment_start"})
    with override("en"):
        page = client.get(f"/zaken/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    block = page.context["ident"]
    [step] = [s for s in block["next_steps"] if s["code"] == "indication_establish"]
    assert not step["yours"]
    assert step["organisation_types"] == ["kmar", "labour_inspectorate", "police"]
    html = page.content.decode()
    assert 'data-testid="ident-next-indication_establish"' in html
    assert 'data-testid="ident-take-indication_establish"' not in html


def test_the_case_page_stays_one_audit_entry_naming_the_path_fields(web_for, case, actor_for):
    services.transition_take(
        actor=actor_for("demo-investigator"), case=case, code="assessment_start"
    )
    client = web_for("demo-investigator")
    before = AuditEntry.objects.count()
    client.get(f"/zaken/{case.number}/")
    [entry] = AuditEntry.objects.filter(seq__gt=before)
    assert entry.action == "case.read"
    assert {"identification.state", "identification.deadlines", "identification.steps"} <= set(
        entry.fields
    )
    assert "identification.non_punishment" in entry.fields  # police may see the flag


def test_a_role_without_identification_access_gets_no_block(actor_for, case):
    programme = actor_for("demo-programme")
    assert selectors.case_block(actor=programme, case=case) is None


def test_the_reflection_period_end_shows_on_the_case_page(web_for, case, actor_for):
    police = actor_for("demo-investigator")
    today = local_date(timezone.now())
    services.transition_take(actor=police, case=case, code="assessment_start")
    services.transition_take(
        actor=police, case=case, code="indication_establish", values={"established_on": today}
    )
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=False
    )
    services.transition_take(
        actor=police, case=case, code="reflection_offer", values={"starts_on": today}
    )
    page = web_for("demo-coordinator").get(f"/zaken/{case.number}/")
    assert [(d["kind"], d["due_on"]) for d in page.context["ident"]["deadlines"]] == [
        ("reflection_end", add_months(today, 3))
    ]
    assert 'data-kind="reflection_end"' in page.content.decode()


def test_the_non_punishment_flag_shows_on_the_case_page_for_police_only(web_for, actor_for, case):
    police = actor_for("demo-investigator")
    services.non_punishment_flag_set(actor=police, case=case, reasons=["criminal_exploitation"])
    html = web_for("demo-investigator").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="ident-non-punishment"' in html
    html = web_for("demo-coordinator").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="ident-non-punishment"' not in html


def test_a_commission_form_without_a_usable_review_id_answers_404_not_a_server_error(web_for, case):
    client = web_for("demo-registrar")
    base = f"/identificatie/zaken/{case.number}/commissie/"
    for form in ({}, {"review": ""}, {"review": "x"}):
        assert client.post(base + "beoordeling/", form).status_code == 404
        assert client.post(base + "besluit/", form).status_code == 404


def test_commission_members_assess_and_the_chair_decides_from_the_case_page(
    web_for, actor_for, case
):
    from samen.identification.commission import commission_open

    police, coordinator = actor_for("demo-investigator"), actor_for("demo-coordinator")
    registrar = actor_for("demo-registrar")
    review = commission_open(
        actor=coordinator,
        case=case,
        members=[police.membership, coordinator.membership],
        chair=registrar.membership,
    )
    base = f"/identificatie/zaken/{case.number}/commissie/"
    for username in ("demo-investigator", "demo-coordinator", "demo-registrar"):
        client = web_for(username)
        block = client.get(f"/zaken/{case.number}/").context["ident"]
        assert block["commission"]["my_seat"] is not None
        response = client.post(
            base + "beoordeling/",
            {"review": review.pk, "assessment": "identified", "reasons": ["credible_account"]},
        )
        assert response.status_code == 302
    # Only the chair decides; a member gets 403.
    assert (
        web_for("demo-investigator")
        .post(
            base + "besluit/",
            {"review": review.pk, "outcome": "identified", "reasons": ["corroborated"]},
        )
        .status_code
        == 403
    )
    client = web_for("demo-registrar")
    client.post(
        base + "besluit/",
        {"review": review.pk, "outcome": "identified", "reasons": ["corroborated"], "text": "x"},
    )
    page = client.get(f"/zaken/{case.number}/")
    c = page.context["ident"]["commission"]
    assert c["outcome"] == "identified" and all(m["assessed"] for m in c["members"])
    assert 'data-testid="commission-outcome"' in page.content.decode()
    assert page.context["ident"]["htcds_status"] == "ActualVictimOfTrafficking"
    # A review of another case is not found through this case's address.
    other = web_for("demo-registrar").post(
        "/identificatie/zaken/MH-2000-000001/commissie/besluit/", {"review": review.pk}
    )
    assert other.status_code == 404
