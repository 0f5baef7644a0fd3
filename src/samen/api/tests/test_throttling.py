"""API throttling per signed-in user and per client address."""

import pytest
from django.core.cache import cache
from django.db.models import F

from samen.api import throttling
from samen.core.models import ThrottleCount


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


@pytest.fixture
def shared_counts(settings, low_rates):
    settings.API_THROTTLE = "database"


def test_counts_in_the_shared_table_hold_across_workers(api_for, shared_counts):
    api = api_for("demo-professional")
    assert [api.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    row = ThrottleCount.objects.get()
    assert row.hits == 2 and row.key.startswith("throttle_user_")
    # Another worker counted a call of the same user in this window: the limit is reached.
    ThrottleCount.objects.filter(pk=row.pk).update(hits=3)
    response = api.get("/api/v1/me/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_new_window_starts_the_count_afresh(api_for, shared_counts):
    api = api_for("demo-professional")
    assert [api.get("/api/v1/me/").status_code for _ in range(4)][3] == 429
    ThrottleCount.objects.update(period=F("period") - 60)  # the window has passed
    assert api.get("/api/v1/me/").status_code == 200
    assert ThrottleCount.objects.get().hits == 1
