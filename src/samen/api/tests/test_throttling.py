"""API throttling per signed-in user and per client address."""

import pytest
from django.core.cache import cache

from samen.api import throttling


@pytest.fixture
def low_rates(monkeypatch):
    # DRF binds the rates to the classes when they are imported; lower them there.
    monkeypatch.setattr(throttling.AddressRateThrottle, "THROTTLE_RATES", {"address": "3/minute"})
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    cache.clear()
    yield
    cache.clear()


def test_calls_without_a_user_are_throttled_per_address(client, db, low_rates):
    # The token endpoint is the one the public reaches; a wrong body is a 400, not a count miss.
    def call(address: str = "127.0.0.1") -> int:
        return client.post("/api/v1/auth/token/", {}, REMOTE_ADDR=address).status_code

    codes = [call() for _ in range(4)]
    assert codes[:3] == [400, 400, 400] and codes[3] == 429
    # Another address is counted apart.
    assert call("192.0.2.7") == 400


def test_a_signed_in_user_is_throttled_per_user(api_for, low_rates):
    api = api_for("demo-professional")
    codes = [api.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
