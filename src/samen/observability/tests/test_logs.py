"""The logs are JSON lines with a request id, and what a user types never reaches them."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

# Logging is the same on both engines: the SQLite pass proves it (ADR 0029).
pytestmark = pytest.mark.once
CANARY = "Kanarie7Q9zX"  # stands for a name, an address, a case detail


@pytest.fixture
def captured():
    """The configured console handler's formatter and filter, writing to a buffer."""
    buffer = io.StringIO()
    config = settings.LOGGING
    handler = logging.StreamHandler(buffer)
    formatter_config = dict(config["formatters"]["structured"])
    factory = formatter_config.pop("()")
    handler.setFormatter(factory(**formatter_config))
    for name in config["handlers"]["console"]["filters"]:
        filter_config = dict(config["filters"][name])
        handler.addFilter(logging.config.BaseConfigurator({}).resolve(filter_config["()"])())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def test_canary_values_in_forms_urls_and_headers_never_reach_the_logs(
    client, db, captured, monkeypatch
):
    headers = {
        "HTTP_USER_AGENT": CANARY,
        "HTTP_X_REQUEST_ID": CANARY,
        "HTTP_REFERER": f"https://example.org/{CANARY}",
        "HTTP_X_FORWARDED_FOR": CANARY,
    }
    client.post("/account/login/", {"username": CANARY, "password": CANARY}, **headers)
    client.get(f"/zaken/{CANARY}/?q={CANARY}", **headers)
    client.get(f"/account/oidc/{CANARY.lower()}/", **headers)  # 404
    client.get("/", HTTP_HOST=f"{CANARY}.example")  # a refused host: django.security logs it

    # A server error whose exception message quotes what was typed.
    def fail(key: str) -> None:
        raise RuntimeError(f"cannot handle {key} for {CANARY}")

    monkeypatch.setattr("samen.accounts.oidc.views.provider_get", fail)
    client.raise_request_exception = False
    assert client.get(f"/account/oidc/{CANARY.lower()}/", **headers).status_code == 500

    output = captured.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert CANARY.lower() not in output.lower()
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) >= 5 and all(len(line["request_id"]) == 32 for line in requests)
    assert {"route", "status", "duration_ms", "method"} <= set(requests[0])
    [error] = [line for line in lines if line.get("logger") == "django.request"]
    assert error["exception"]["type"] == "RuntimeError" and error["request_id"]
    assert any(frame["function"] == "fail" for frame in error["exception"]["frames"])


def test_each_response_names_its_own_request_id_not_the_callers(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=CANARY)
    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"] != CANARY
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]
