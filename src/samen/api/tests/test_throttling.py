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


def test_a_count_writes_no_write_ahead_log_on_postgresql(db):
    # The throttle's statement commits on its own, once per API call: if it wrote WAL, each call
    # would wait for a WAL flush (synchronous_commit). The table is UNLOGGED (migration 0010), so
    # the count writes none, and a commit that wrote none is not flushed (ADR 0063, addendum).
    from django.db import connection

    from samen.core import throttle

    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables and WAL are PostgreSQL's")
    with connection.cursor() as c:
        c.execute(
            "SELECT relname, relpersistence FROM pg_class WHERE oid = %s::regclass "
            "OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
            [ThrottleCount._meta.db_table] * 2,
        )
        persistence = dict(c.fetchall())
        assert len(persistence) >= 2 and set(persistence.values()) == {"u"}, persistence
        # The exact statement of every call: the first count inserts the row, the next updates it.
        for hits in (1, 2):
            c.execute(
                "EXPLAIN (ANALYZE, WAL, FORMAT JSON) " + throttle._HIT_SQL,
                ["throttle_user_wal", 1_700_000_000],
            )
            (plan,) = c.fetchone()[0]
            assert plan["Plan"]["WAL Records"] == 0 and plan["Plan"]["WAL Bytes"] == 0, plan
            assert ThrottleCount.objects.get(key="throttle_user_wal").hits == hits
        # The statement of a call whose token is known (ADR 0074): the versions and the count.
        from samen.accounts import tokens

        seen_sql = tokens._seen_sql(connection.vendor)
        c.execute(seen_sql)
        versions = list(c.fetchone())
        for hits in (3, 4):
            c.execute(
                "EXPLAIN (ANALYZE, WAL, FORMAT JSON) " + throttle._hit_if_sql(seen_sql, 2),
                ["throttle_user_wal", 1_700_000_000, *versions],
            )
            (plan,) = c.fetchone()[0]
            assert plan["Plan"]["WAL Records"] == 0 and plan["Plan"]["WAL Bytes"] == 0, plan
            assert ThrottleCount.objects.get(key="throttle_user_wal").hits == hits


def test_the_shared_table_prunes_keys_not_seen_for_two_days(api_for, shared_counts, monkeypatch):
    # Now and then (one call in PRUNE_ONE_IN) a call also removes keys whose window is old.
    ThrottleCount.objects.create(key="throttle_address_192.0.2.9", period=0, hits=5)
    monkeypatch.setattr(throttling.random, "randrange", lambda n: 0)
    api = api_for("demo-professional")
    assert api.get("/api/v1/me/").status_code == 200
    assert not ThrottleCount.objects.filter(key="throttle_address_192.0.2.9").exists()
    assert ThrottleCount.objects.filter(key__startswith="throttle_user_").exists()


def test_a_scope_without_a_rate_counts_nothing(api_for, shared_counts, monkeypatch):
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": None})
    api = api_for("demo-professional")
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200] * 4
    assert not ThrottleCount.objects.filter(key__startswith="throttle_user_").exists()
    # Nor does the token check count ahead for it, or for a throttle of addresses.
    assert throttling.UserRateThrottle().count_ahead(object()) is None
    assert throttling.AddressRateThrottle().count_ahead(object()) is None
