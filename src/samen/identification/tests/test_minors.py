"""Minors are flagged everywhere (case list, case page, identification pages, deadlines, API),
with the age uncertainty shown; an unaccompanied foreign minor gets the guardian at once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from samen.identification import selectors, services
from samen.identification.demo import ask_to_assess
from samen.identification.models import IdentificationPath, Notification
from samen.organisations.models import OrganisationType, Role
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def presumed(actor_for, case):
    """An adult by the recorded age band, but the age is disputed: presumed a minor."""
    police = actor_for("demo-investigator")
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False,
        unaccompanied=False, age_assessment="disputed", presumed_minor=True,
    )  # fmt: skip
    services.transition_take(actor=police, case=case, code="assessment_start")
    return case


def test_a_presumed_minor_is_flagged_in_the_case_list_and_its_filter(web_for, presumed):
    client = web_for("demo-coordinator")
    rows = {r["number"]: r for r in client.get("/zaken/").context["rows"]}
    assert rows[presumed.number]["minor"] and rows[presumed.number]["minor_estimated"]
    minors = client.get("/zaken/", {"minor": "yes"}).context["rows"]
    assert presumed.number in [r["number"] for r in minors]
    adults = client.get("/zaken/", {"minor": "no"}).context["rows"]
    assert presumed.number not in [r["number"] for r in adults]


def test_a_presumed_minor_is_flagged_on_the_case_page_and_the_deadlines_page(web_for, presumed):
    client = web_for("demo-coordinator")
    with translation.override("en"):
        page = client.get(f"/zaken/{presumed.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["case"]["minor_estimated"] is True
    html = page.content.decode()
    assert 'data-testid="minor-badge"' in html and 'data-testid="ident-minor"' in html
    deadlines = client.get("/identificatie/termijnen/")
    rows = [r for _k, _t, rows in deadlines.context["sections"] for r in rows]
    assert [r["minor"] for r in rows if r["case"] == presumed.number] == [True]
    assert 'data-testid="minor-badge"' in deadlines.content.decode()
    ident = client.get(f"/identificatie/zaken/{presumed.number}/").content.decode()
    assert 'data-testid="minor"' in ident


def test_the_api_flags_minors_with_the_age_uncertainty(api_for, presumed):
    client = api_for("demo-coordinator")
    case = client.get(f"/api/v1/cases/{presumed.number}/").json()
    assert case["minor"] is True and case["minor_estimated"] is True
    listed = client.get("/api/v1/cases/", {"minor": "true"}).json()
    assert presumed.number in [c["number"] for c in listed["results"]]
    path = client.get(f"/api/v1/identification/cases/{presumed.number}/").json()
    assert path["minor"] is True and path["age_uncertain"] is True
    deadlines = client.get("/api/v1/identification/deadlines/").json()
    assert [r["minor_estimated"] for r in deadlines["due_14"] if r["case"] == presumed.number] == [
        True
    ]


def test_an_unaccompanied_foreign_minor_gets_the_guardian_before_any_step(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    """Protection does not wait: the guardian is attached and told while the case is only
    signalled, without a slightest indication or reflection period; Veilig Thuis is advised."""
    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    case = record(person=PersonInput(age_band="12-17")).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police, case=case, foreign_national=True, lawful_residence=False,
            unaccompanied=True, age_assessment="estimated",
        )  # fmt: skip
    path = IdentificationPath.objects.get(case=case)
    assert path.state == "signalled" and not path.deadlines.exists()
    assert path.guardian_organisation == nidos.organisation
    assert Notification.objects.filter(user=nidos.user, kind="guardian", case=case).count() == 1
    assert [m.to for m in mail.outbox] == [["n@x.test"]]
    assert case.number in mail.outbox[0].body
    with translation.override("en"):
        advice = selectors.path_get(actor=police, case=case)["advice"]
    assert any("Veilig Thuis" in a for a in advice)
    assert any("do not wait for a reflection period" in a for a in advice)
    assert any("Nidos" in a for a in advice)
    # Recording the facts again does not attach or notify a second time.
    notified = Notification.objects.filter(kind="guardian").count()
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police, case=case, foreign_national=True, lawful_residence=False,
            unaccompanied=True, age_assessment="estimated",
        )  # fmt: skip
    assert Notification.objects.filter(kind="guardian").count() == notified
    assert len(mail.outbox) == 1
