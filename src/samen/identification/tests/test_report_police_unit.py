"""A report (aangifte) names the police unit that took it (issue #14, item 2): without it the step
is refused at its field, in Dutch on the page and as a 400 on the API, and nothing is saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from samen.identification import services
from samen.identification.models import PathStep

pytestmark = pytest.mark.django_db


def _to_indication(police, case) -> None:
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        age_assessment="documented",
    )
    services.transition_take(actor=police, case=case, code="assessment_start")
    services.transition_take(
        actor=police,
        case=case,
        code="indication_establish",
        values={"established_on": (date.today() - timedelta(days=2)).isoformat()},
    )


def test_a_report_without_police_unit_is_refused_on_the_page_in_dutch(web_for, actor_for, case):
    _to_indication(actor_for("demo-investigator"), case)
    web = web_for("demo-investigator")
    response = web.post(
        reverse("identification:step", args=[case.number]),
        {
            "transition": "report_record",
            "v_reported_on": date.today().isoformat(),
            "v_kind": "report",
            "v_police_unit": "   ",
        },
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 400
    assert "Politie-eenheid: dit veld is verplicht voor deze stap." in response.content.decode()
    assert not PathStep.objects.filter(path__case=case, transition="report_record")


def test_the_api_refuses_a_report_without_police_unit_with_400_at_the_field(
    api_for, actor_for, case
):
    _to_indication(actor_for("demo-investigator"), case)
    r = api_for("demo-investigator").post(
        f"/api/v1/identification/cases/{case.number}/transitions/",
        {
            "transition": "report_record",
            "values": {"reported_on": date.today().isoformat(), "kind": "report"},
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert r.json()["fields"]["police_unit"] == [
        "Police unit: this field is required for this step."
    ]
    assert not PathStep.objects.filter(path__case=case, transition="report_record")
    r = api_for("demo-investigator").post(
        f"/api/v1/identification/cases/{case.number}/transitions/",
        {
            "transition": "report_record",
            "values": {
                "reported_on": date.today().isoformat(),
                "kind": "report",
                "police_unit": "Eenheid Midden-Nederland",
            },
        },
        format="json",
    )
    assert r.status_code == 201
    step = PathStep.objects.get(path__case=case, transition="report_record")
    assert step.values["police_unit"] == "Eenheid Midden-Nederland"
