"""The allocation proposal in the browser and by API: computed over all waiting referrals the
person handles, confirmed place by place through hold_place, which may refuse."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from samen.shelter import selectors, services
from samen.shelter.models import Hold, HoldStatus, Place
from samen.shelter.services import NeedsInput
from samen.signalling.services import PersonInput

BASE = "/api/v1/shelter"


@pytest.fixture(autouse=True)
def english(client):
    """Assert on the English msgids: pages by the language cookie, the API by the header."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def waiting(directory, actor_for, record):
    coordinator = actor_for("demo-coordinator")
    woman = PersonInput(gender="female", age_band="23-29")
    return [
        services.referral_create(
            actor=coordinator, case=record(person=woman, forms=["sexual"]).case, data=NeedsInput()
        )
        for _ in range(3)
    ]


def test_proposal_places_as_many_as_the_free_fitting_beds_allow(directory, waiting, actor_for):
    proposal = selectors.allocation_proposal(actor=actor_for("demo-coordinator"))
    assert proposal["waiting"] == 3
    assert proposal["placed"] == 3  # the directory has enough fitting beds
    assert {r["referral"] for r in proposal["rows"]} == {w.pk for w in waiting}
    assert all(r["reasons"] for r in proposal["rows"])
    used: dict[int, int] = {}
    for row in proposal["rows"]:
        used[row["place"]] = used.get(row["place"], 0) + 1
    assert all(n <= Place.objects.get(pk=pk).free for pk, n in used.items())
    # The men's unit never appears for these women.
    assert directory["men"].pk not in used


def test_a_coordinator_sees_her_own_referrals_the_registrar_all(directory, waiting, actor_for):
    assert selectors.allocation_proposal(actor=actor_for("demo-coordinator-noord"))["waiting"] == 0
    assert selectors.allocation_proposal(actor=actor_for("demo-registrar"))["waiting"] == 3


def test_confirming_a_line_holds_the_place_and_a_gone_bed_is_refused_clearly(
    directory, waiting, web_for
):
    client = web_for("demo-coordinator")
    page = client.get("/opvang/toewijzing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="proposal"' in html and "Confirm: hold this place" in html
    first = waiting[0]
    women = directory["women"]  # one free bed
    answer = client.post(
        "/opvang/toewijzing/bevestigen/", {"referral": first.pk, "place": women.pk}, follow=True
    )
    assert answer.status_code == 200
    assert Hold.objects.get(referral=first).place == women
    # The bed went meanwhile: the second confirmation is refused with the next-best places.
    answer = client.post(
        "/opvang/toewijzing/bevestigen/",
        {"referral": waiting[1].pk, "place": women.pk},
        follow=True,
    )
    html = answer.content.decode()
    assert 'data-testid="place-taken"' in html
    assert "has just been taken" in html and "Eerste opvang Utrecht" in html
    assert not Hold.objects.filter(referral=waiting[1]).exists()


def test_registrar_confirms_by_api_and_the_loser_gets_409_with_alternatives(
    directory, waiting, api_for
):
    registrar = api_for("demo-registrar")
    registrar.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    proposal = registrar.get(f"{BASE}/allocation/").json()
    assert proposal["placed"] == 3 and proposal["rows"][0]["reasons"]
    women = directory["women"].pk
    won = registrar.post(
        f"{BASE}/allocation/confirm/", {"referral": waiting[0].pk, "place": women}, format="json"
    )
    assert won.status_code == 201, won.content
    assert won.json()["status"] == HoldStatus.ACTIVE
    lost = registrar.post(
        f"{BASE}/allocation/confirm/", {"referral": waiting[1].pk, "place": women}, format="json"
    )
    assert lost.status_code == 409
    body = lost.json()
    assert "has just been taken" in body["detail"] and body["fields"]["place"]
    assert "Eerste opvang Utrecht" in [a["name"] for a in body["alternatives"]]
    bad = registrar.post(f"{BASE}/allocation/confirm/", {"referral": "x"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"referral", "place"}


def test_other_region_coordinator_cannot_confirm_for_a_referral_she_does_not_handle(
    directory, waiting, api_for
):
    noord = api_for("demo-coordinator-noord")
    answer = noord.post(
        f"{BASE}/allocation/confirm/",
        {"referral": waiting[0].pk, "place": directory["groningen"].pk},
        format="json",
    )
    assert answer.status_code == 404


def test_waiting_list_page_and_api_show_days_waited_and_offers(
    directory, actor_for, record, web_for, api_for, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import timedelta

    from samen.accounts.models import User
    from samen.shelter.models import Referral

    User.objects.filter(username="demo-coordinator").update(email="cor@example.invalid")
    Place.objects.update(free=0)
    coordinator = actor_for("demo-coordinator")
    referral = services.referral_create(
        actor=coordinator, case=record(forms=["sexual"]).case, data=NeedsInput()
    )
    Referral.objects.filter(pk=referral.pk).update(
        created_at=referral.created_at - timedelta(days=4)
    )
    women = Place.objects.get(pk=directory["women"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(
            actor=actor_for("demo-shelter"), place=women, capacity=4, free=1
        )
    assert len(mailoutbox) == 1

    html = web_for("demo-coordinator").get("/opvang/wachtlijst/").content.decode()
    assert f'data-testid="waiting-{referral.pk}"' in html
    assert "Vrouwenopvang Utrecht" in html and "New" in html
    rows = api_for("demo-coordinator").get(f"{BASE}/waiting/").json()
    assert rows[0]["days_waited"] == 4
    assert rows[0]["offers"][0]["place_name"] == "Vrouwenopvang Utrecht"
    assert rows[0]["offers"][0]["rank"] == 1
    # In-app: the notices page lists the offer until it is marked read.
    client = web_for("demo-coordinator")
    notices = client.get("/opvang/meldingen/").content.decode()
    assert "Vrouwenopvang Utrecht has a free place that fits referral" in notices
    client.post("/opvang/meldingen/")
    assert (
        api_for("demo-coordinator").get(f"{BASE}/waiting/").json()[0]["offers"][0]["unread"]
        is False
    )
    # Another region's coordinator does not see it.
    assert api_for("demo-coordinator-noord").get(f"{BASE}/waiting/").json() == []
