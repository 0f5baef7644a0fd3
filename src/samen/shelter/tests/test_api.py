"""The shelter API and the overview page end to end, with the policy's 403 and 404."""

from __future__ import annotations

from samen.core.models import AuditEntry
from samen.shelter.models import Place, Referral

BASE = "/api/v1/shelter"


def test_coordinator_refers_matches_and_holds_and_the_shelter_accepts(
    directory, case, api_for, record
):
    coordinator = api_for("demo-coordinator")
    created = coordinator.post(
        f"{BASE}/referrals/", {"case": case.number, "network_risk": True}, format="json"
    )
    assert created.status_code == 201, created.content
    referral = created.json()["id"]
    matches = coordinator.get(f"{BASE}/referrals/{referral}/matches/").json()
    assert matches["matches"][0]["reasons"]
    assert all("rule_text" in e for e in matches["excluded"])

    women = directory["women"].pk
    held = coordinator.post(f"{BASE}/referrals/{referral}/holds/", {"place": women}, format="json")
    assert held.status_code == 201, held.content

    other = coordinator.post(
        f"{BASE}/referrals/", {"case": record(forms=["sexual"]).case.number}, format="json"
    ).json()["id"]
    taken = coordinator.post(f"{BASE}/referrals/{other}/holds/", {"place": women}, format="json")
    assert taken.status_code == 409
    assert taken.json()["alternatives"]

    shelter = api_for("demo-shelter")
    offered = shelter.get(f"{BASE}/holds/").json()
    assert case.number not in str(offered)
    hold = held.json()["id"]
    assert shelter.post(f"{BASE}/holds/{hold}/accept/").status_code == 200
    started = shelter.post(f"{BASE}/holds/{hold}/placement/")
    assert started.status_code == 201
    ended = shelter.post(
        f"{BASE}/placements/{started.json()['id']}/end/", {"outflow": "family"}, format="json"
    )
    assert ended.status_code == 200 and ended.json()["outflow"] == "family"


def test_referral_by_api_finds_the_case_as_typed_and_audits_an_unknown_number(
    directory, case, api_for
):
    # The one look-up of a case by number, as on the web form: spelled in any case, and a
    # number naming no case is a refusal in the trail, answered like a case out of reach.
    coordinator = api_for("demo-coordinator")
    missing = coordinator.post(f"{BASE}/referrals/", {"case": "ZZ-0000-0000"}, format="json")
    assert missing.status_code == 404
    refusal = AuditEntry.objects.get(action="referral.create", result="not_found")
    assert refusal.object_id == "ZZ-0000-0000"
    typed = coordinator.post(f"{BASE}/referrals/", {"case": case.number.lower()}, format="json")
    assert typed.status_code == 201, typed.content
    assert Referral.objects.get().case == case


def test_shelter_may_not_refer_and_coordinator_may_not_report_availability(
    directory, case, api_for
):
    shelter = api_for("demo-shelter")
    assert (
        shelter.post(f"{BASE}/referrals/", {"case": case.number}, format="json").status_code == 403
    )
    coordinator = api_for("demo-coordinator")
    place = directory["women"].pk
    answer = coordinator.post(
        f"{BASE}/places/{place}/availability/", {"capacity": 3, "free": 1}, format="json"
    )
    assert answer.status_code == 403


def test_other_region_coordinator_gets_404_on_matches(directory, case, actor_for, api_for):
    from samen.shelter import services

    referral = services.referral_create(
        actor=actor_for("demo-coordinator"), case=case, data=services.NeedsInput()
    )
    noord = api_for("demo-coordinator-noord")
    assert noord.get(f"{BASE}/referrals/{referral.pk}/matches/").status_code == 404
    assert Referral.objects.count() == 1


def test_availability_by_api_refuses_bad_counts(directory, api_for):
    shelter = api_for("demo-shelter")
    place = directory["women"].pk
    url = f"{BASE}/places/{place}/availability/"
    assert shelter.post(url, {"capacity": 2, "free": 3}, format="json").status_code == 400
    assert shelter.post(url, {"capacity": 2, "free": -1}, format="json").status_code == 400
    assert shelter.post(url, {"capacity": 3, "free": 2}, format="json").status_code == 200
    assert Place.objects.get(pk=place).free == 2
    other = directory["groningen"].pk
    answer = shelter.post(
        f"{BASE}/places/{other}/availability/", {"capacity": 3, "free": 2}, format="json"
    )
    assert answer.status_code == 404


def test_overview_page_shows_places_and_stale_counts(directory, web_for):
    Place.objects.filter(pk=directory["groningen"].pk).update(availability_at=None)
    page = web_for("demo-coordinator").get("/opvang/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Vrouwenopvang Utrecht" in body and "Vrouwenopvang Groningen" in body
    assert 'class="stale"' in body


def test_browser_flow_refer_match_hold_and_race(directory, case, record, web_for, client):
    coordinator = web_for("demo-coordinator")
    assert coordinator.get(f"/opvang/verwijzen/{case.number}/").status_code == 200
    made = coordinator.post(
        f"/opvang/verwijzen/{case.number}/", {"urgency": "high", "security": "standard"}
    )
    assert made.status_code == 302
    referral = Referral.objects.get(case=case)
    page = coordinator.get(made["Location"]).content.decode()
    assert "Vrouwenopvang Utrecht" in page and "Mannenopvang Utrecht" in page
    women = directory["women"].pk
    held = coordinator.post(f"/opvang/verwijzingen/{referral.pk}/vasthouden/", {"place": women})
    assert held.status_code == 302
    second = Referral.objects.create(
        case=record(forms=["sexual"]).case,
        organisation=referral.organisation,
        membership=referral.membership,
        created_at=referral.created_at,
        needs=referral.needs,
    )
    lost = coordinator.post(f"/opvang/verwijzingen/{second.pk}/vasthouden/", {"place": women})
    assert lost.status_code == 409
    assert "Eerste opvang Utrecht" in lost.content.decode()

    client.logout()
    shelter = web_for("demo-shelter")
    offered = shelter.get("/opvang/aanvragen/").content.decode()
    assert case.number not in offered
    hold = referral.holds.get()
    assert shelter.post(f"/opvang/aanvragen/{hold.pk}/accepteren/").status_code == 302
    hold.refresh_from_db()
    assert hold.status == "accepted"


def test_referral_page_of_a_case_out_of_reach_is_404(directory, case, web_for):
    assert (
        web_for("demo-coordinator-noord").get(f"/opvang/verwijzen/{case.number}/").status_code
        == 404
    )


def test_shelter_declines_in_the_browser_with_a_listed_reason(directory, case, actor_for, web_for):
    from samen.shelter import services

    coordinator = actor_for("demo-coordinator")
    referral = services.referral_create(actor=coordinator, case=case, data=services.NeedsInput())
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    shelter = web_for("demo-shelter")
    assert f'name="h{hold.pk}-reason"' in shelter.get("/opvang/aanvragen/").content.decode()
    page = shelter.get("/opvang/aanvragen/").content.decode()
    select = page.split(f'name="h{hold.pk}-reason"')[1].split("</select>")[0]
    # No reason is chosen for the shelter: the browser would otherwise send the first one.
    assert '<option value="" selected>' in select and select.count("selected") == 1
    unconfirmed = shelter.post(
        f"/opvang/aanvragen/{hold.pk}/afwijzen/", {f"h{hold.pk}-reason": "safety"}
    )
    assert unconfirmed.status_code == 302 and unconfirmed["Location"].endswith(f"#hold-{hold.pk}")
    hold.refresh_from_db()
    assert hold.status == "active", "a decline without confirmation declines nothing"
    answer = shelter.post(
        f"/opvang/aanvragen/{hold.pk}/afwijzen/",
        {f"h{hold.pk}-reason": "safety", f"h{hold.pk}-confirm": "on"},
    )
    assert answer.status_code == 302
    hold.refresh_from_db()
    assert (hold.status, hold.decline_reason) == ("declined", "safety")


def test_overview_raises_the_alarm_when_no_first_reception_place_is_free(directory, web_for):
    client = web_for("demo-registrar")
    assert 'data-testid="capacity-alarm"' not in client.get("/opvang/").content.decode()
    Place.objects.filter(type="first_reception").update(free=0)
    assert 'data-testid="capacity-alarm"' in client.get("/opvang/").content.decode()
    assert 'data-testid="capacity-alarm"' in client.get("/opvang/?region=VR01").content.decode()


def test_overview_pages_through_places_and_filters_free_ones(directory, web_for):
    from django.conf import settings

    client = web_for("demo-coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    full = Place.objects.filter(pk=directory["groningen"].pk)
    full.update(free=0)
    everything = client.get("/opvang/").content.decode()
    assert "Vrouwenopvang Groningen" in everything
    only_free = client.get("/opvang/?free=1").content.decode()
    assert "Vrouwenopvang Groningen" not in only_free and "Vrouwenopvang Utrecht" in only_free
    # The totals still count every place, free or not.
    assert 'data-testid="shelter-totals"' in only_free
    assert client.get("/opvang/?page=999").status_code == 200  # the last page, not an error
