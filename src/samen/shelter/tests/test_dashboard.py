"""Dashboards (page, CSV, API), the capacity alarm once per episode, arrivals and departures in
the browser, and the shelter block on the case page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation

from samen.accounts.models import User
from samen.core.models import AuditEntry
from samen.shelter import dashboard, services
from samen.shelter.models import CapacityAlarm, Place, Placement, ShelterNotice
from samen.shelter.services import NeedsInput

BASE = "/api/v1/shelter"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def history(directory, case, actor_for, record):
    """One placement that ended, one refusal for a network tie, one running placement."""
    coordinator, shelter = actor_for("demo-coordinator"), actor_for("demo-shelter")
    refused = services.referral_create(
        actor=coordinator, case=record(forms=["sexual"]).case, data=NeedsInput(network_risk=True)
    )
    hold = services.hold_place(actor=coordinator, referral=refused, place=directory["first"])
    services.hold_decline(actor=shelter, hold=hold, reason="safety")
    placed = services.referral_create(actor=coordinator, case=case, data=NeedsInput())
    hold = services.hold_place(actor=coordinator, referral=placed, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    start = timezone.now() - timedelta(days=20)
    placement = services.placement_start(actor=shelter, hold=hold, at=start)
    services.placement_end(
        actor=shelter, placement=placement, outflow="supported_housing", at=start + timedelta(10)
    )
    running = services.referral_create(
        actor=coordinator, case=record(forms=["sexual"]).case, data=NeedsInput()
    )
    hold = services.hold_place(actor=coordinator, referral=running, place=directory["first"])
    services.hold_accept(actor=shelter, hold=hold)
    services.placement_start(actor=shelter, hold=hold)
    return directory


@override_settings(SHELTER_PROFILE_MIN_COUNT=1)
def test_dashboard_figures_national_and_per_region(history, actor_for):
    data = dashboard.dashboard(actor=actor_for("demo-registrar"))
    places = Place.objects.all()
    assert data["totals"]["capacity"] == sum(p.capacity for p in places)
    assert data["totals"]["free"] == sum(p.free for p in places)
    assert data["totals"]["occupied"] == data["totals"]["capacity"] - data["totals"]["free"]
    assert data["refusals"]["by_reason"][0]["key"] == "safety"
    top = data["refusals"]["by_profile"][0]
    assert "network tie" in top["profile"] and top["refused"] == 1 and top["refusal_pct"] == 100
    assert data["stay"] == {**data["stay"], "ended": 1, "running": 1, "median_days": 10}
    assert data["outflow"] == [
        {"key": "supported_housing", "label": "Supported housing", "count": 1}
    ]
    assert {r["key"] for r in data["by_region"]} == {"VR01", "VR09"}
    region = dashboard.dashboard(actor=actor_for("demo-registrar"), region="VR01")
    assert region["totals"]["capacity"] == history["groningen"].capacity
    assert region["stay"]["running"] == 0


def test_dashboard_page_has_charts_each_with_its_table_and_a_csv(history, web_for):
    client = web_for("demo-coordinator")
    html = client.get("/opvang/dashboard/").content.decode()
    for key in ("free-by-type", "refusal-profiles", "refusal-reasons", "stay", "outflow"):
        start = html.index(f'data-testid="chart-{key}"')
        section = html[start : html.index("</section>", start)]
        assert "<svg" in section and "<table" in section, key
    assert 'data-testid="running-placements">1<' in html
    answer = client.get("/opvang/dashboard.csv?region=VR09")
    assert answer["Content-Type"].startswith("text/csv")
    # In the reader's language (English here: a comma), in words, after a byte-order mark.
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel reads UTF-8 only after a byte-order mark"
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Section", "Item", "Measure", "Value"]
    assert ["Outflow", "Supported housing", "Placements", "1"] in rows
    assert ["Refusals by reason", "Safety of residents or staff", "Refusals", "1"] in rows
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    dutch = client.get("/opvang/dashboard.csv?region=VR09")
    rows = list(csv.reader(io.StringIO(dutch.content.decode("utf-8")[1:]), delimiter=";"))
    assert rows[0] == ["Onderdeel", "Item", "Maat", "Waarde"]
    assert ["Uitstroom", "Begeleid wonen", "Plaatsingen", "1"] in rows


def test_dashboard_api_and_bad_region(history, api_for):
    client = api_for("demo-shelter")
    body = client.get(f"{BASE}/dashboard/?region=VR09").json()
    assert body["region"] == "VR09" and body["stay"]["ended"] == 1
    bad = client.get(f"{BASE}/dashboard/?region=XX99")
    assert bad.status_code == 400 and "region" in bad.json()["fields"]
    assert api_for("demo-professional").get(f"{BASE}/dashboard/").status_code == 403


def test_capacity_alarm_notifies_the_registrar_once_per_episode(
    directory, actor_for, web_for, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(username="demo-registrar").update(email="rea@example.invalid")
    shelter = actor_for("demo-shelter")
    first = Place.objects.get(pk=directory["first"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(actor=shelter, place=first, capacity=4, free=0)
    # The only first-reception place: the country and region VR09 run full.
    assert set(CapacityAlarm.objects.values_list("region", flat=True)) == {"", "VR09"}
    registrar = User.objects.get(username="demo-registrar")
    assert ShelterNotice.objects.filter(user=registrar).count() == 2
    assert sorted(m.body for m in mailoutbox) == [
        "No first-reception place is free in safety region VR09.",
        "No first-reception place is free in the whole country.",
    ]
    assert mailoutbox[0].to == ["rea@example.invalid"]

    # Looking at the dashboard, or another full report, does not notify again.
    client = web_for("demo-registrar")
    html = client.get("/opvang/dashboard/").content.decode()
    assert html.count('data-testid="capacity-alarm"') == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(actor=shelter, place=first, capacity=3, free=0)
    assert len(mailoutbox) == 2 and ShelterNotice.objects.count() == 2
    notices = client.get("/opvang/meldingen/").content.decode()
    assert "No first-reception place is free in the whole country." in notices

    # A bed frees: the episode closes; running full again is a new episode, notified again.
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(actor=shelter, place=first, capacity=3, free=1)
    assert not CapacityAlarm.objects.filter(cleared_at__isnull=True).exists()
    assert 'data-testid="capacity-alarm"' not in client.get("/opvang/dashboard/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(actor=shelter, place=first, capacity=3, free=0)
    assert CapacityAlarm.objects.count() == 4 and len(mailoutbox) == 4


def test_a_hold_on_the_last_first_reception_bed_raises_the_alarm(
    directory, case, actor_for, django_capture_on_commit_callbacks
):
    Place.objects.filter(pk=directory["first"].pk).update(free=1)
    coordinator = actor_for("demo-coordinator")
    referral = services.referral_create(actor=coordinator, case=case, data=NeedsInput())
    with django_capture_on_commit_callbacks(execute=True):
        services.hold_place(actor=coordinator, referral=referral, place=directory["first"])
    assert CapacityAlarm.objects.filter(region="", cleared_at__isnull=True).exists()


def test_shelter_records_arrival_and_departure_in_the_browser(directory, case, actor_for, web_for):
    coordinator, shelter = actor_for("demo-coordinator"), actor_for("demo-shelter")
    referral = services.referral_create(actor=coordinator, case=case, data=NeedsInput())
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    client = web_for("demo-shelter")
    html = client.get("/opvang/plaatsingen/").content.decode()
    # Accepting shared the case with the shelter: it sees which case is coming (issue #16).
    assert f'data-testid="arriving-{hold.pk}"' in html and case.number in html
    assert client.post(f"/opvang/plaatsingen/aankomst/{hold.pk}/").status_code == 302
    placement = Placement.objects.get(hold=hold)
    html = client.get("/opvang/plaatsingen/").content.decode()
    assert f'name="p{placement.pk}-outflow"' in html and "Independent housing" in html
    free_before = Place.objects.get(pk=directory["women"].pk).free
    bad = client.post(f"/opvang/plaatsingen/{placement.pk}/vertrek/", {}, follow=True)
    assert "Outflow destination: This field is required." in bad.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = client.post(
        f"/opvang/plaatsingen/{placement.pk}/vertrek/",
        {f"p{placement.pk}-departed_on": tomorrow, f"p{placement.pk}-outflow": "family"},
        follow=True,
    )
    assert "The departure cannot be in the future." in future.content.decode()
    day = timezone.localdate().isoformat()
    answer = client.post(
        f"/opvang/plaatsingen/{placement.pk}/vertrek/",
        {f"p{placement.pk}-departed_on": day, f"p{placement.pk}-outflow": "family"},
    )
    assert answer.status_code == 302
    placement.refresh_from_db()
    assert placement.outflow == "family" and placement.ended_at is not None
    assert Place.objects.get(pk=directory["women"].pk).free == free_before + 1
    # A coordinator has no business here.
    assert web_for("demo-coordinator").get("/opvang/plaatsingen/").status_code == 403


def test_case_page_links_to_a_new_referral_and_lists_the_case_referrals(
    directory, case, actor_for, web_for
):
    referral = services.referral_create(
        actor=actor_for("demo-coordinator"), case=case, data=NeedsInput()
    )
    html = web_for("demo-coordinator").get(f"/zaken/{case.number}/").content.decode()
    assert f'href="/opvang/verwijzen/{case.number}/"' in html
    assert f'href="/opvang/verwijzingen/{referral.pk}/"' in html
    assert 'data-testid="shelter-block"' not in (
        web_for("demo-shelter").get(f"/zaken/{case.number}/").content.decode()
    )


def test_check_capacity_command_is_idempotent(directory, mailoutbox):
    from django.core.management import call_command

    User.objects.filter(username="demo-registrar").update(email="rea@example.invalid")
    Place.objects.filter(type="first_reception").update(free=0)  # e.g. after a bulk import
    out = io.StringIO()
    call_command("shelter", "check-capacity", stdout=out)
    call_command("shelter", "check-capacity", stdout=out)
    assert out.getvalue().splitlines() == ["2 alarm(s) raised", "0 alarm(s) raised"]
    assert len(mailoutbox) == 2


def test_rare_profiles_are_pooled_so_no_refusal_points_at_one_person():
    from collections import Counter

    asked = Counter({"woman, adult": 12, "man, minor, network tie": 2, "woman, minor": 1})
    refused = Counter({"woman, adult": 3, "man, minor, network tie": 2, "woman, minor": 1})
    rows = dashboard.profile_rows(asked, refused, min_count=5)
    assert rows[0]["profile"] == "woman, adult"
    pooled = rows[-1]
    assert pooled["pooled"] and pooled["answered"] == 3 and pooled["refused"] == 3
    assert not any("network tie" in r["profile"] for r in rows)
    assert sum(r["answered"] for r in rows) == sum(asked.values())


def test_the_dashboard_pools_rare_profiles_by_default(history, actor_for):
    data = dashboard.dashboard(actor=actor_for("demo-registrar"))
    assert all(r["pooled"] for r in data["refusals"]["by_profile"])


def test_a_regions_dashboard_is_titled_with_the_regions_name(directory, web_for):
    from django.conf import settings

    client = web_for("demo-registrar")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/opvang/dashboard/?region=VR09").content.decode()
    assert "Shelter dashboard: safety region Utrecht (VR09)" in html


def test_the_case_pages_referral_list_is_an_audited_read_of_the_case(
    directory, case, actor_for, web_for
):
    referral = services.referral_create(
        actor=actor_for("demo-coordinator"), case=case, data=NeedsInput()
    )
    web_for("demo-coordinator").get(f"/zaken/{case.number}/")
    entry = AuditEntry.objects.get(action="referral.list")
    assert (entry.object_type, entry.object_id) == ("case", case.number)
    assert entry.detail["referrals"] == [referral.pk]
