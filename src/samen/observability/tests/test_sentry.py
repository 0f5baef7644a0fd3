"""Error reports: off by default, and scrubbed of personal data when on."""

from __future__ import annotations

import json

import sentry_sdk

from samen.observability.sentry import scrub

CANARY = "Kanarie7Q9zX"


def test_error_reporting_is_off_by_default(settings):
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def event_full_of_canaries() -> dict:
    frame = {
        "filename": "samen/cases/services.py",
        "function": "case_update",
        "lineno": 12,
        "vars": {"name": CANARY},
    }
    return {
        "event_id": "abc",
        "level": "error",
        "release": "1.0",
        "environment": "production",
        "message": f"failed for {CANARY}",
        "logentry": {"message": "failed for %s", "params": [CANARY], "formatted": CANARY},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f"Key (name)=({CANARY}) already exists",
                    "stacktrace": {"frames": [frame]},
                }
            ]
        },
        "threads": {"values": [{"stacktrace": {"frames": [dict(frame)]}}]},
        "request": {
            "method": "POST",
            "url": f"https://samen.example/zaken/{CANARY}/",
            "query_string": f"q={CANARY}",
            "data": {"name": CANARY},
            "cookies": {"sessionid": CANARY},
            "headers": {"User-Agent": CANARY, "Referer": CANARY},
            "env": {"REMOTE_ADDR": CANARY},
        },
        "user": {"id": CANARY, "username": CANARY, "ip_address": CANARY},
        "breadcrumbs": {"values": [{"message": f"SELECT … WHERE name = '{CANARY}'"}]},
        "extra": {"note": CANARY},
        "tags": {"who": CANARY},
        "contexts": {"runtime": {"name": "CPython"}, "custom": {"who": CANARY}},
        "server_name": CANARY,
    }


def test_the_scrubber_removes_personal_data_and_keeps_where_it_broke():
    scrubbed = scrub(event_full_of_canaries(), {})
    assert CANARY not in json.dumps(scrubbed)
    exception = scrubbed["exception"]["values"][0]
    assert exception["type"] == "IntegrityError"
    assert exception["stacktrace"]["frames"][0]["function"] == "case_update"
    assert scrubbed["request"] == {"method": "POST"}
    assert (scrubbed["release"], scrubbed["environment"]) == ("1.0", "production")
    assert scrubbed["contexts"] == {"runtime": {"name": "CPython"}}


def test_an_error_sent_through_the_sdk_arrives_scrubbed():
    sent: list = []

    class Capture(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            sent.extend(item.payload.json for item in envelope.items if item.payload.json)

    client = sentry_sdk.Client(
        dsn="https://key@sentry.invalid/1",
        transport=Capture,
        before_send=scrub,
        default_integrations=False,
    )
    with sentry_sdk.new_scope() as scope:
        scope.set_client(client)
        scope.set_user({"username": CANARY})
        try:
            raise ValueError(f"bad value {CANARY}")
        except ValueError as exc:
            sentry_sdk.capture_exception(exc)
        client.flush()
    assert sent and CANARY not in json.dumps(sent)
    assert sent[0]["exception"]["values"][0]["type"] == "ValueError"
