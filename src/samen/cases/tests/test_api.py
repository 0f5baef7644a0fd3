"""The cases API: scoping, identity, pagination by cursor, filters."""

import base64

import pytest

from samen.signalling.models import Signal
from samen.signalling.tests.api_payload import signal_payload


@pytest.fixture
def payload():
    return signal_payload()


def test_a_role_without_the_permission_gets_403_and_another_regions_case_404(api_for, payload):
    receipt = (
        api_for("demo-professional").post("/api/v1/signals/", payload, format="json").json()
    )["receipt"]
    number = Signal.objects.get(receipt=receipt).case.number
    assert api_for("demo-programme").get("/api/v1/cases/").status_code == 403
    assert api_for("demo-shelter").get(f"/api/v1/cases/{number}/").status_code == 404
    assert (
        api_for("demo-shelter").post("/api/v1/signals/", payload, format="json").status_code == 403
    )
    assert api_for("demo-coordinator-noord").get(f"/api/v1/cases/{number}/").status_code == 404
    assert api_for("demo-coordinator").get(f"/api/v1/cases/{number}/").status_code == 200


def test_identity_key_is_absent_not_empty_for_the_professional(api_for, payload):
    person = {"name": "Synthetische Persoon", "date_of_birth": "1990-01-01", "nationality": "PL"}
    receipt = (
        api_for("demo-professional")
        .post("/api/v1/signals/", {**payload, "person": person}, format="json")
        .json()["receipt"]
    )
    number = Signal.objects.get(receipt=receipt).case.number
    assert "identity" not in api_for("demo-professional").get(f"/api/v1/cases/{number}/").json()
    seen = api_for("demo-coordinator").get(f"/api/v1/cases/{number}/").json()
    assert seen["identity"]["name"] == "Synthetische Persoon"


def test_case_list_is_paginated_and_filtered(api_for, record):
    for _ in range(3):
        record()
    record(forms=["sexual"])
    client = api_for("demo-coordinator")
    page = client.get("/api/v1/cases/?page_size=2&count=true").json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    assert client.get("/api/v1/cases/?form=sexual&count=true").json()["count"] == 1
    assert client.get("/api/v1/cases/?status=closed&count=true").json()["count"] == 0
    # Numbered pages, as older clients ask for them, still come with their exact count.
    numbered = client.get("/api/v1/cases/?page=2&page_size=2").json()
    assert numbered["count"] == 4 and numbered["previous"] and not numbered["next"]


def test_case_list_pages_by_cursor_without_counting(api_for, record):
    for _ in range(5):
        record()
    client = api_for("demo-coordinator")
    first = client.get("/api/v1/cases/?page_size=2").json()
    assert first["count"] is None and first["previous"] is None
    seen, url = [], "/api/v1/cases/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["number"] for row in body["results"]]
        url = body["next"]
    everything = client.get("/api/v1/cases/?page=1&page_size=100").json()["results"]
    assert seen == [row["number"] for row in everything] and len(seen) == 5


def test_a_cursor_that_is_not_one_is_a_field_error(api_for):
    client = api_for("demo-coordinator")
    edge = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+14:00|1").decode()  # overflows UTC
    for bad in ("x", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMVQwMDowMDowMHwx", edge):  # naive time
        response = client.get(f"/api/v1/cases/?cursor={bad}")
        assert response.status_code == 400 and "cursor" in response.json()["fields"]


def test_the_count_on_request_is_counted_once_per_minute(api_for, record):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    record()
    client = api_for("demo-coordinator")

    def counts() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/cases/?count=true").json()["count"] == 1
        return sum("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)

    assert counts() == 1 and counts() == 0


def test_invalid_filters_are_400(api_for):
    response = api_for("demo-coordinator").get("/api/v1/cases/?status=bogus&opened_from=yesterday")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "opened_from"}
