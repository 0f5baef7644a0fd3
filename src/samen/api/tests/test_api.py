"""The REST API: authentication, scoping, filters, pagination, errors as JSON."""

import base64
import os
from binascii import unhexlify
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django_otp.oath import TOTP

from samen.cases.models import Case
from samen.demo.builder import demo_totp_key
from samen.signalling.models import Signal

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
PAYLOAD = {
    "signal_list": "labour",
    "indicators": ["labour.documents.passport_held"],
    "observed_on": YESTERDAY,
    "municipality": "GM0344",
    "forms": ["labour"],
    "person": {"gender": "male", "age_band": "23-29"},
}


@pytest.fixture
def payload():
    from samen.signalling.models import Indicator

    codes = list(
        Indicator.objects.filter(
            signal_list__code="labour", severity="high", acute=False
        ).values_list("code", flat=True)[:2]
    )
    return {**PAYLOAD, "indicators": codes}


def test_signing_in_is_required(api_for):
    response = api_for(None).get("/api/v1/cases/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]


def test_a_token_is_issued_for_valid_credentials_only(world):
    from rest_framework.test import APIClient

    from samen.demo.builder import DEMO_PASSWORD

    client = APIClient()
    without_code = client.post(
        "/api/v1/auth/token/",
        {"username": "demo-coordinator", "password": DEMO_PASSWORD},
        format="json",
    )
    assert without_code.status_code in (401, 403)  # this role sees identity: second factor
    code = f"{TOTP(unhexlify(demo_totp_key('demo-coordinator'))).token():06d}"
    ok = client.post(
        "/api/v1/auth/token/",
        {"username": "demo-coordinator", "password": DEMO_PASSWORD, "otp": code},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["token"].startswith(ok.json()["id"] + ".")
    bad = client.post(
        "/api/v1/auth/token/", {"username": "demo-coordinator", "password": "wrong"}, format="json"
    )
    assert bad.status_code in (401, 403)
    authed = APIClient()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert authed.get("/api/v1/me/").json()["username"] == "demo-coordinator"


def test_recording_a_signal_returns_a_receipt_and_the_advice(api_for, payload):
    # Was: ..._returns_the_case_and_the_advice; the case number was an oracle (issue #12).
    response = api_for("demo-professional").post("/api/v1/signals/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["receipt"].startswith("S-") and "case" not in body
    assert "case" not in body["signal"] and "linked_to_existing" not in body["signal"]
    assert Case.objects.get().number not in response.content.decode()
    assert body["advice"]["level"] == "report"
    assert body["advice"]["reasons"] and body["advice"]["next_steps"]


def test_linking_is_not_told_to_the_caller(api_for, payload):
    # Was: test_linking_is_told_to_the_caller, which encoded the oracle of issue #12.
    person = {"name": "Synthetische Persoon", "date_of_birth": "1990-01-01", "nationality": "PL"}
    client = api_for("demo-professional")
    client.post("/api/v1/signals/", {**payload, "person": person}, format="json")
    second = client.post("/api/v1/signals/", {**payload, "person": person}, format="json")
    assert Signal.objects.filter(linked_to_existing=True).count() == 1
    assert Case.objects.get().number not in second.content.decode()
    assert "linked" not in second.content.decode()


def test_bad_input_gets_field_errors_in_dutch_and_saves_nothing(api_for, payload):
    bad = {**payload, "observed_on": "2999-01-01", "municipality": "GM9999"}
    response = api_for("demo-professional").post(
        "/api/v1/signals/", bad, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"observed_on", "municipality"}
    assert "toekomst" in fields["observed_on"][0]
    assert Signal.objects.count() == 0 and Case.objects.count() == 0


def test_errors_come_in_english_when_asked(api_for, payload):
    response = api_for("demo-professional").post(
        "/api/v1/signals/", {**payload, "indicators": []}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "indicators" in response.json()["fields"]


@pytest.mark.parametrize(
    "body", [[], "text", {"signal_list": 5}, {"person": "x"}, {"indicators": "a"}]
)
def test_malformed_bodies_are_400_not_500(api_for, body):
    response = api_for("demo-professional").post("/api/v1/signals/", body, format="json")
    assert response.status_code == 400
    assert "fields" in response.json()


def test_broken_json_is_a_400(api_for):
    response = api_for("demo-professional").post(
        "/api/v1/signals/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


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


def test_organisations_and_signal_lists_are_readable_by_every_role(api_for):
    client = api_for("demo-programme")
    orgs = client.get("/api/v1/organisations/?region=VR09").json()
    assert orgs["count"] >= 5
    assert all(o["region"] == "VR09" for o in orgs["results"])
    lists = client.get("/api/v1/signal-lists/").json()
    assert {sl["code"] for sl in lists} >= {"general", "online"}
    assert client.get("/api/v1/signal-lists/school/").json()["indicators"]
    assert client.get("/api/v1/signal-lists/none/").status_code == 404


def test_signals_list_for_the_professional_holds_only_their_own(api_for, record):
    mine = record().signal.pk
    record("demo-hotel")
    body = api_for("demo-professional").get("/api/v1/signals/").json()
    assert [s["id"] for s in body["results"]] == [mine]
    assert "notes" not in body["results"][0]


def test_liveness_answers_without_naming_the_database(client, db):
    body = client.get("/healthz").json()
    assert body == {"status": "ok"}


def test_readiness_reports_the_database_and_applied_migrations(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}


def test_readiness_refuses_traffic_while_a_migration_is_pending(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("m", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_openapi_schema_describes_the_api(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/cases/",
        "/api/v1/signals/",
        "/api/v1/organisations/",
        "/api/v1/signal-lists/",
    } <= set(paths)
    assert client.get("/api/docs/").status_code == 200


def test_openapi_schema_generates_without_warnings(db):
    """Every view describes itself (serializers, parameters) and every enum has a real name: the
    generator's warnings are what a client developer would otherwise trip over."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", os.devnull)


@override_settings(SAMEN_SECURE_COOKIES=True)
def test_pages_are_never_cached(client, db):
    assert client.get("/healthz")["Cache-Control"] == "no-store"


def test_sharing_revoking_notes_and_emergency_through_the_api(api_for, record):
    from samen.organisations.models import Organisation

    number = record().case.number
    shelter = Organisation.objects.get(name__startswith="Opvang Veilig Onderdak Utrecht")
    coordinator = api_for("demo-coordinator")
    refused = coordinator.post(
        f"/api/v1/cases/{number}/shares/",
        {"recipient": shelter.pk, "purpose": "shelter_placement", "categories": ["criminal"]},
        format="json",
    )
    assert refused.status_code == 400 and "categories" in refused.json()["fields"]
    share = coordinator.post(
        f"/api/v1/cases/{number}/shares/",
        {"recipient": shelter.pk, "purpose": "shelter_placement", "categories": ["demographics"]},
        format="json",
    ).json()
    shelter_api = api_for("demo-shelter")
    seen = shelter_api.get(f"/api/v1/cases/{number}/").json()
    assert seen["access"] == "shared" and "identity" not in seen and "gender" in seen
    assert [s["case"] for s in shelter_api.get("/api/v1/shares/").json()["received"]] == [number]
    assert coordinator.post(f"/api/v1/shares/{share['id']}/revoke/").json()["revoked_at"]
    assert shelter_api.get(f"/api/v1/cases/{number}/").status_code == 404
    note = coordinator.post(
        f"/api/v1/cases/{number}/notes/", {"text": "synthetisch"}, format="json"
    )
    assert note.status_code == 201 and note.json()["kind"] == "care"
    noord = api_for("demo-coordinator-noord")
    assert (
        noord.post(
            "/api/v1/emergency-access/", {"case": number, "reason": "kort"}, format="json"
        ).status_code
        == 400
    )
    opened = noord.post(
        "/api/v1/emergency-access/",
        {"case": number, "reason": "synthetische noodsituatie"},
        format="json",
    )
    assert opened.status_code == 201
    assert noord.get(f"/api/v1/cases/{number}/").json()["access"] == "emergency"
    assert len(api_for("demo-professional").get("/api/v1/register/").json()) > 50
