"""Opening the identification commission from the case page: who may, who can be chosen, and
the organisation-type rule shown on the form with the choices kept."""

from __future__ import annotations

import re

import pytest

from samen.core.models import AuditEntry
from samen.identification.models import CommissionMember, CommissionReview
from samen.organisations.models import Membership

pytestmark = pytest.mark.django_db


def page(case) -> str:
    return f"/identificatie/zaken/{case.number}/commissie/"


def seat(username: str) -> int:
    return Membership.objects.get(user__username=username).pk


def test_the_case_page_links_to_the_form_only_for_those_who_may_open(web_for, case):
    html = web_for("demo-coordinator").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="commission-open-link"' in html and page(case) in html
    html = web_for("demo-shelter").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="commission-open-link"' not in html


def test_the_form_lists_staff_who_reach_the_case_and_nothing_about_the_victim(web_for, case):
    before = AuditEntry.objects.count()
    response = web_for("demo-coordinator").get(page(case))
    assert response.status_code == 200
    assert AuditEntry.objects.count() - before == 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.object_id) == ("commission_review.read", case.number)
    form = response.context["form"]
    offered = {pk for pk, _label in form.fields["members"].choices}
    for username in ("demo-investigator", "demo-coordinator", "demo-registrar"):
        assert seat(username) in offered, username
    # Another region's coordinator cannot reach the case, so cannot sit on its commission; nor
    # can the IND before a reflection period or B8/3 step; staff without identification access
    # (programme, privacy) are not offered either.
    for username in ("demo-coordinator-noord", "demo-ind", "demo-programme", "demo-privacy"):
        assert seat(username) not in offered, username
    # Staff name, organisation and role only: nothing of the case or the victim.
    police = Membership.objects.get(user__username="demo-investigator")
    labels = dict(form.fields["members"].choices)
    assert labels[police.pk] == (
        f"Ivo Investigator · {police.organisation.name} · {police.get_role_display()}"
    )
    html = response.content.decode()
    assert "<form" in html and 'type="checkbox"' in html  # plain HTML, no script needed


@pytest.mark.parametrize(
    "username,status", [("demo-shelter", 403), ("demo-professional", 403), ("demo-programme", 403)]
)
def test_roles_that_may_not_take_identification_steps_are_refused(web_for, case, username, status):
    client = web_for(username)
    assert client.get(page(case)).status_code == status
    response = client.post(
        page(case), {"members": [seat("demo-investigator")], "chair": seat("demo-registrar")}
    )
    assert response.status_code == status
    assert not CommissionReview.objects.exists()


def test_another_regions_case_looks_missing(web_for, case):
    client = web_for("demo-coordinator-noord")
    assert client.get(page(case)).status_code == 404
    assert client.get("/identificatie/zaken/MH-1999-000001/commissie/").status_code == 404


def test_too_few_organisation_types_are_refused_on_the_field_with_the_choices_kept(web_for, case):
    chosen = [seat("demo-investigator"), seat("demo-coordinator")]
    before = AuditEntry.objects.count()
    response = web_for("demo-coordinator").post(
        page(case), {"members": chosen, "chair": seat("demo-coordinator")}
    )
    assert response.status_code == 400
    form = response.context["form"]
    # The msgid is translated already; the page language follows the request.
    assert re.search(r"at least 3|ten minste 3", " ".join(form.errors["members"]))
    html = response.content.decode()
    assert 'id="form-errors"' in html  # the error summary
    for pk in chosen:
        assert re.search(rf'name="members" value="{pk}"[^>]*checked', html), pk
    assert re.search(rf'<option value="{chosen[1]}" selected>', html)
    assert form["members"].value() == [str(pk) for pk in chosen]
    assert not CommissionReview.objects.exists() and not CommissionMember.objects.exists()
    assert AuditEntry.objects.count() - before == 1


def test_a_membership_that_is_not_a_candidate_is_refused(web_for, case):
    response = web_for("demo-coordinator").post(
        page(case),
        {
            "members": [seat("demo-investigator"), seat("demo-coordinator-noord")],
            "chair": seat("demo-registrar"),
        },
    )
    assert response.status_code == 400
    assert "members" in response.context["form"].errors
    assert not CommissionReview.objects.exists()


def test_the_coordinator_opens_the_commission_and_the_members_see_their_seat(web_for, case):
    before = AuditEntry.objects.count()
    response = web_for("demo-coordinator").post(
        page(case),
        {
            "members": [seat("demo-investigator"), seat("demo-coordinator")],
            "chair": seat("demo-registrar"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/zaken/{case.number}/"
    assert AuditEntry.objects.count() - before == 1
    assert AuditEntry.objects.latest("id").action == "commission_review.create"
    review = CommissionReview.objects.get(case=case)
    members = {m.membership_id: m.is_chair for m in review.members.all()}
    assert members == {
        seat("demo-investigator"): False,
        seat("demo-coordinator"): False,
        seat("demo-registrar"): True,
    }
    block = web_for("demo-investigator").get(f"/zaken/{case.number}/").context["ident"]
    assert block["commission"]["my_seat"] == {"is_chair": False, "assessment": ""}
    # While the commission is deciding, the page does not offer to open another.
    html = web_for("demo-coordinator").get(f"/zaken/{case.number}/").content.decode()
    assert 'data-testid="commission-open-link"' not in html


def test_the_configuration_can_limit_the_organisation_types_that_sit(case, actor_for):
    from samen.identification.selectors import commission_candidates
    from samen.identification.services import current_definition

    definition = current_definition()
    definition.body["commission"]["organisation_types"] = ["police", "care_coordination"]
    definition.save()
    rows = commission_candidates(actor=actor_for("demo-coordinator"), case=case)
    assert {m.organisation.type for m in rows} == {"police", "care_coordination"}
