"""The REST API's shared parts: authentication, tokens, organisations, health, the schema."""

import os
from binascii import unhexlify

from django.test import override_settings
from django_otp.oath import TOTP

from samen.demo.builder import demo_totp_key


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


def test_organisations_and_signal_lists_are_readable_by_every_role(api_for):
    client = api_for("demo-programme")
    orgs = client.get("/api/v1/organisations/?region=VR09").json()
    assert orgs["count"] >= 5
    assert all(o["region"] == "VR09" for o in orgs["results"])
    lists = client.get("/api/v1/signal-lists/").json()
    assert {sl["code"] for sl in lists} >= {"general", "online"}
    assert client.get("/api/v1/signal-lists/school/").json()["indicators"]
    assert client.get("/api/v1/signal-lists/none/").status_code == 404


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
