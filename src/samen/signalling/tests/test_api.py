"""The signals API: a receipt and the advice, nothing about the case; errors as JSON."""

import pytest

from samen.cases.models import Case
from samen.signalling.models import Signal
from samen.signalling.tests.api_payload import signal_payload


@pytest.fixture
def payload():
    return signal_payload()


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


def test_signals_list_for_the_professional_holds_only_their_own(api_for, record):
    mine = record().signal.pk
    record("demo-hotel")
    body = api_for("demo-professional").get("/api/v1/signals/").json()
    assert [s["id"] for s in body["results"]] == [mine]
    assert "notes" not in body["results"][0]
