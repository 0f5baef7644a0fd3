"""Directory management by API: providers (and the registrar) create and update locations and
places and set or end contra-indications; bad input is refused field by field, nothing half
saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samen.shelter.models import ContraIndication, Location, Place, PlaceAvailability, Placement

BASE = "/api/v1/shelter"


@pytest.fixture
def shelter(api_for):
    client = api_for("demo-shelter")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def place_payload(location: int, **kw: object) -> dict:
    return {
        "location": location,
        "name": "Nieuwe unit",
        "type": "specialised",
        "target_group": "women",
        "forms": ["sexual"],
        "languages": ["nl", "ro"],
        "capacity": 6,
        "free": 2,
        **kw,
    }


def test_provider_creates_location_and_place_and_the_count_is_stamped(directory, shelter):
    made = shelter.post(
        f"{BASE}/directory/locations/",
        {"name": "Locatie Zeist", "municipality": "GM0355"},
        format="json",
    )
    assert made.status_code == 201, made.content
    location = made.json()["id"]
    assert Location.objects.get(pk=location).provider == directory["women"].location.provider
    created = shelter.post(f"{BASE}/directory/places/", place_payload(location), format="json")
    assert created.status_code == 201, created.content
    place = Place.objects.get(pk=created.json()["id"])
    assert (place.capacity, place.free, place.municipality.code) == (6, 2, "GM0355")
    assert place.availability_at is not None
    assert PlaceAvailability.objects.filter(place=place, cause="report").count() == 1
    assert {f.code for f in place.forms.all()} == {"sexual"}

    changed = shelter.patch(
        f"{BASE}/directory/places/{place.pk}/",
        {"security": "high", "free": 3},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    place.refresh_from_db()
    assert (place.security_level, place.free, place.capacity, place.name) == (
        "high",
        3,
        6,
        "Nieuwe unit",
    )
    renamed = shelter.patch(
        f"{BASE}/directory/locations/{location}/", {"name": "Locatie Zeist-West"}, format="json"
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Locatie Zeist-West"


@pytest.mark.parametrize(
    "changes,field,text",
    [
        ({"capacity": -1}, "capacity", "Capacity cannot be negative."),
        ({"free": -2}, "free", "Free places cannot be negative."),
        ({"capacity": 2, "free": 3}, "free", "Free places cannot exceed the capacity."),
        ({"type": "castle"}, "type", None),
        ({"forms": ["nonsense"]}, "forms", None),
        ({"municipality": "GM9999"}, "municipality", None),
        ({"min_age": 30, "max_age": 18}, "max_age", "The maximum age is below the minimum age."),
    ],
)
def test_bad_places_are_refused_by_field_and_nothing_is_saved(
    directory, shelter, changes, field, text
):
    location = directory["women"].location_id
    before = Place.objects.count()
    answer = shelter.post(
        f"{BASE}/directory/places/", place_payload(location, **changes), format="json"
    )
    assert answer.status_code == 400, answer.content
    fields = answer.json()["fields"]
    assert field in fields
    if text:
        assert fields[field] == [text]
    assert Place.objects.count() == before


def test_contra_indications_versioned_and_refused_on_first_reception(directory, shelter):
    women = directory["women"].pk
    first = shelter.post(
        f"{BASE}/directory/places/{women}/contra-indications/",
        {"code": "no_network_tie", "reason": "Open location."},
        format="json",
    )
    assert first.status_code == 201 and first.json()["version"] == 1
    second = shelter.post(
        f"{BASE}/directory/places/{women}/contra-indications/",
        {"code": "no_network_tie", "reason": "Open location, no night staff."},
        format="json",
    )
    assert second.json()["version"] == 2
    assert ContraIndication.objects.get(pk=first.json()["id"]).superseded_at is not None
    ended = shelter.post(f"{BASE}/directory/contra-indications/{second.json()['id']}/end/")
    assert ended.status_code == 200 and ended.json()["superseded_at"]

    refused = shelter.post(
        f"{BASE}/directory/places/{directory['first'].pk}/contra-indications/",
        {"code": "no_active_addiction", "reason": "x"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["fields"]["code"] == [
        "First reception takes everyone: it may not apply contra-indications."
    ]
    # Turning a place with a rule into first reception is refused too.
    shelter.post(
        f"{BASE}/directory/places/{women}/contra-indications/",
        {"code": "no_active_addiction", "reason": "No addiction care."},
        format="json",
    )
    turned = shelter.patch(
        f"{BASE}/directory/places/{women}/", {"type": "first_reception"}, format="json"
    )
    assert turned.status_code == 400 and "type" in turned.json()["fields"]
    assert Place.objects.get(pk=women).type == "specialised"


def test_other_providers_places_are_404_and_the_registrar_may_edit_any(directory, shelter, api_for):
    other = directory["groningen"]
    assert (
        shelter.patch(f"{BASE}/directory/places/{other.pk}/", {"name": "x"}, format="json")
    ).status_code == 404
    assert (
        shelter.post(f"{BASE}/directory/places/", place_payload(other.location_id), format="json")
    ).status_code == 404
    registrar = api_for("demo-registrar")
    answer = registrar.patch(
        f"{BASE}/directory/places/{other.pk}/", {"wheelchair_accessible": True}, format="json"
    )
    assert answer.status_code == 200
    no_provider = registrar.post(
        f"{BASE}/directory/locations/", {"name": "L", "municipality": "GM0014"}, format="json"
    )
    assert no_provider.status_code == 400 and "provider" in no_provider.json()["fields"]
    assert (
        api_for("demo-coordinator").post(f"{BASE}/directory/locations/", {}, format="json")
    ).status_code == 403


def test_stale_and_future_availability_reports_are_refused(directory, shelter):
    place = directory["women"].pk
    url = f"{BASE}/places/{place}/availability/"
    old = (timezone.now() - timedelta(hours=30)).isoformat()
    stale = shelter.post(url, {"capacity": 4, "free": 1, "reported_at": old}, format="json")
    assert stale.status_code == 400 and "reported_at" in stale.json()["fields"]
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    answer = shelter.post(url, {"capacity": 4, "free": 1, "reported_at": future}, format="json")
    assert answer.status_code == 400
    older = (timezone.now() - timedelta(hours=3)).isoformat()
    answer = shelter.post(url, {"capacity": 4, "free": 1, "reported_at": older}, format="json")
    assert answer.status_code == 400
    assert answer.json()["fields"]["reported_at"] == [
        "A newer count was already reported for this place."
    ]


def test_holds_on_full_places_and_overlapping_placements_are_refused(
    directory, case, api_for, shelter
):
    coordinator = api_for("demo-coordinator")
    coordinator.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    referral = coordinator.post(f"{BASE}/referrals/", {"case": case.number}, format="json").json()
    Place.objects.filter(pk=directory["men"].pk).update(free=0)
    full = coordinator.post(
        f"{BASE}/referrals/{referral['id']}/holds/", {"place": directory["men"].pk}, format="json"
    )
    assert full.status_code == 409 and full.json()["fields"]["place"]
    held = coordinator.post(
        f"{BASE}/referrals/{referral['id']}/holds/",
        {"place": directory["women"].pk},
        format="json",
    ).json()
    assert shelter.post(f"{BASE}/holds/{held['id']}/accept/").status_code == 200
    assert shelter.post(f"{BASE}/holds/{held['id']}/placement/").status_code == 201
    again = shelter.post(f"{BASE}/holds/{held['id']}/placement/")
    assert again.status_code == 400 and "hold" in again.json()["fields"]
    assert Placement.objects.filter(referral_id=referral["id"]).count() == 1
