"""A query compiled once (samen.core.statements, ADR 0057): its slots and the clock are read at
each call; a parameter that varies in any other way refuses the template."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from samen.core import statements
from samen.core.models import EmergencyAccess, ThrottleCount


def test_a_template_reads_its_slot_and_the_clock_at_each_call(db):
    def build(values):
        return ThrottleCount.objects.filter(key=values["key"]).values("key", "hits")

    template = statements.compile_template(build, ({"key": "probe-a"}, {"key": "probe-b"}))
    assert template is not None and [name for _pos, name in template.slots] == ["key"]
    ThrottleCount.objects.create(key="k1", period=0, hits=3)
    assert template.dicts({"key": "k1"}) == [{"key": "k1", "hits": 3}]
    assert template.dicts({"key": "k2"}) == []
    expiring = statements.compile_template(
        lambda _v: EmergencyAccess.objects.filter(expires_at__gt=timezone.now()).values("pk"),
        ({}, {}),
    )
    assert expiring is not None and [n for _p, n in expiring.slots] == [statements.NOW]


def test_a_time_derived_from_the_clock_is_not_taken_for_the_clock(db):
    def build(_values):
        return EmergencyAccess.objects.filter(expires_at__gt=timezone.now() - timedelta(days=1))

    assert statements.compile_template(build, ({}, {})) is None


def test_the_cache_compiles_a_key_once_and_forgets_the_oldest(db):
    cache = statements.TemplateCache(size=2)
    made = []
    for key in ("a", "b", "a", "c", "b"):
        cache.get(key, lambda key=key: made.append(key))
    assert made == ["a", "b", "c", "b"] and len(cache) == 2


TIMES = [
    "2025-03-30 00:59:59.999999+00",  # the hour the clocks go forward in Amsterdam
    "2025-10-26 01:00:00+00",
    "2026-12-06 21:30:00.000001+00",
    "2026-12-06 21:30:00.1+00",
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.5+00",
]


def test_times_load_as_djangos_loader_loads_them(db):
    """The compiled loader of `timestamptz` in the statements' cursors (statements._times_in_c)
    gives what Django's cursors give: the same datetimes, the same tzinfo object."""
    if not statements.prepared():
        pytest.skip("PostgreSQL's prepared statements")
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    sql = "SELECT x::timestamptz FROM unnest(%s::text[]) x"
    with statements.cursor() as c:
        oid = c.cursor.adapters.types["timestamptz"].oid
        assert not issubclass(c.cursor.adapters.get_loader(oid, Format.TEXT), BaseTzLoader)
        c.execute(sql, [TIMES])
        fast = [r[0] for r in c.fetchall()]
    assert fast == [r[0] for r in statements.execute(sql, [TIMES])]
    with connection.cursor() as c:
        assert issubclass(c.cursor.adapters.get_loader(oid, Format.TEXT), BaseTzLoader)
        c.execute(sql, [TIMES])
        djangos = [r[0] for r in c.fetchall()]
    assert fast == djangos
    assert repr(fast) == repr(djangos)
    assert all(a.tzinfo is b.tzinfo for a, b in zip(fast, djangos, strict=True))
