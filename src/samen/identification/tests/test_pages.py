"""The pages: an investigator walks a case to the reflection period, the coordinator sees the
deadline; a minor's case shows the guardian and protection advice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from samen.identification.machine import add_months, local_date

pytestmark = pytest.mark.django_db


def test_investigator_opens_a_reflection_period_and_the_coordinator_sees_its_end(web_for, case):
    client = web_for("demo-investigator")
    base = f"/identificatie/zaken/{case.number}/"
    page = client.get(base)
    assert page.status_code == 200
    starts = local_date(timezone.now())
    for data in (
        {"transition": "assessment_start"},
        {"transition": "indication_establish", "v_established_on": starts.isoformat()},
    ):
        assert client.post(base + "stap/", data).status_code == 302
    facts = {"foreign_national": "yes", "lawful_residence": "no", "unaccompanied": "no"}
    client.post(base + "feiten/", {**facts, "age_assessment": "documented"})
    client.post(base + "stap/", {"transition": "reflection_offer", "v_starts_on": starts})
    page = client.get(base)
    end = add_months(starts, 3)
    assert [(d["kind"], d["due_on"]) for d in page.context["path"]["deadlines"]] == [
        ("reflection_end", end)
    ]
    deadlines = web_for("demo-coordinator").get("/identificatie/termijnen/")
    later = dict((k, rows) for k, _title, rows in deadlines.context["sections"])["later"]
    assert [(r["case"], r["due_on"]) for r in later] == [(case.number, end)]
    # An invalid step comes back with the allowed next steps, not a server error.
    response = client.post(base + "stap/", {"transition": "b83_grant"}, follow=True)
    assert "report_record" in response.content.decode()


def test_a_shelter_worker_may_read_but_not_act(web_for, case):
    client = web_for("demo-shelter")
    base = f"/identificatie/zaken/{case.number}/"
    assert client.post(base + "stap/", {"transition": "assessment_start"}).status_code == 403


def test_a_minors_page_shows_the_guardian_and_protection_advice(
    web_for, record, member_at, actor_for
):
    from samen.identification.demo import ask_to_assess
    from samen.organisations.models import OrganisationType, Role
    from samen.signalling.services import PersonInput

    member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos")
    case = record(person=PersonInput(age_band="12-17")).case
    ask_to_assess(case, investigator=actor_for("demo-investigator"))
    client = web_for("demo-investigator")
    base = f"/identificatie/zaken/{case.number}/"
    facts = {"foreign_national": "yes", "lawful_residence": "no", "unaccompanied": "yes"}
    client.post(base + "feiten/", {**facts, "age_assessment": "disputed"})
    page = client.get(base)
    assert page.context["path"]["guardian"].startswith("Nidos")
    html = page.content.decode()
    assert 'data-testid="minor"' in html and 'data-testid="advice"' in html
