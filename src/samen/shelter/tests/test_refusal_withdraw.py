"""Withdrawing a refusal, on a page and by the API: shelter staff of the place's own provider
only, with a reason from the list, audited; bad input is refused field by field in Dutch and
saves nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from samen.core.models import AuditEntry
from samen.organisations.models import Membership, Organisation, OrganisationType, Role
from samen.shelter import services
from samen.shelter.models import Hold
from samen.shelter.services import NeedsInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(directory, case, actor_for):
    """demo-shelter declined the women's place for the case's referral (a contra-indication)."""
    coordinator = actor_for("demo-coordinator")
    referral = services.referral_create(actor=coordinator, case=case, data=NeedsInput())
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    services.hold_decline(actor=actor_for("demo-shelter"), hold=hold, reason="contra_indication")
    return hold


def test_the_shelter_lists_its_refusals_and_withdraws_one_on_the_page(web_for, refused):
    client = web_for("demo-shelter")
    page = client.get("/opvang/afwijzingen/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="refusal-{refused.pk}"' in html
    assert "Een contra-indicatie is van toepassing" in html or "contra" in html.lower()
    posted = client.post(
        f"/opvang/afwijzingen/{refused.pk}/intrekken/",
        {f"w{refused.pk}-reason": "contra_indication_ended"},
    )
    assert posted.status_code == 302
    assert Hold.objects.get(pk=refused.pk).decline_withdrawn_at is not None
    entry = AuditEntry.objects.filter(action="referral_hold.update").order_by("-seq").first()
    assert entry.detail["response"] == "decline_withdrawn"
    assert entry.detail["reason"] == "contra_indication_ended"
    assert (
        f'data-testid="refusal-{refused.pk}"'
        not in client.get("/opvang/afwijzingen/").content.decode()
    )


def test_a_withdrawal_without_a_reason_gets_a_field_error_in_dutch_and_saves_nothing(
    web_for, refused
):
    client = web_for("demo-shelter")
    with translation.override("nl"):
        page = client.post(f"/opvang/afwijzingen/{refused.pk}/intrekken/", {})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Dit veld is vereist" in html and 'aria-invalid="true"' in html
    assert Hold.objects.get(pk=refused.pk).decline_withdrawn_at is None


def test_the_api_withdraws_a_refusal_once_and_names_the_field_otherwise(api_for, refused):
    client = api_for("demo-shelter")
    listed = client.get("/api/v1/shelter/refusals/").json()
    assert [r["hold"] for r in listed] == [refused.pk]
    url = f"/api/v1/shelter/holds/{refused.pk}/decline/withdraw/"
    bad = client.post(url, {"reason": "because"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    assert Hold.objects.get(pk=refused.pk).decline_withdrawn_at is None
    done = client.post(url, {"reason": "declined_in_error"}, format="json")
    assert done.status_code == 200 and done.json()["id"] == refused.pk
    again = client.post(url, {"reason": "declined_in_error"}, format="json")
    assert again.status_code == 400 and "hold" in again.json()["fields"]
    assert client.get("/api/v1/shelter/refusals/").json() == []


def test_only_staff_of_the_places_own_provider_may_withdraw(api_for, web_for, refused, actor_for):
    """The coordinator's role may not (403); another shelter's staff does not see the hold
    (404, like a missing one); both are audited as refused and nothing changes."""
    other_org = Organisation.objects.get(
        type=OrganisationType.SHELTER, municipality__region__code="VR01"
    )
    Membership.objects.create(
        user=actor_for("demo-shelter").user, organisation=other_org, role=Role.SHELTER_STAFF
    )
    url = f"/api/v1/shelter/holds/{refused.pk}/decline/withdraw/"
    body = {"reason": "other"}
    assert api_for("demo-coordinator").post(url, body, format="json").status_code == 403
    other = services.hold_decline_withdraw
    from samen.core.actor import actor_for_membership

    stranger = actor_for_membership(
        Membership.objects.get(organisation=other_org, role=Role.SHELTER_STAFF), origin="test"
    )
    from django.http import Http404

    with pytest.raises(Http404):
        other(actor=stranger, hold=refused, reason="other")
    # The other shelter is told "not found" about the place, like a missing one; both audited.
    assert AuditEntry.objects.filter(
        result="not_found",
        object_type="shelter_place",
        object_id=str(refused.place_id),
        actor_username=stranger.user.username,
    ).exists()
    assert AuditEntry.objects.filter(result="denied", actor_username="demo-coordinator").exists()
    assert Hold.objects.get(pk=refused.pk).decline_withdrawn_at is None
    assert web_for("demo-coordinator").get("/opvang/afwijzingen/").status_code == 403
