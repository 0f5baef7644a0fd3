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


def _lean_prepared():
    """Skip unless statements run prepared (PostgreSQL), where `execute` keeps one cursor per
    connection and calls it without Django's cursor wrapper when nothing logs or wraps."""
    if not statements.prepared():
        pytest.skip("PostgreSQL's prepared statements")
    assert not connection.queries_logged and not connection.execute_wrappers


def test_execute_keeps_one_cursor_per_connection_and_a_new_one_after_a_reconnect(db):
    _lean_prepared()
    assert statements.execute("SELECT %s::int + 1", [41]) == [(42,)]
    kept = connection._samen_kept_cursor[2]
    assert statements.execute("SELECT %s::text", ["b"]) == [("b",)]
    assert connection._samen_kept_cursor[2] is kept  # the same cursor, not one per statement
    kept.close()  # a closed cursor is never used again
    assert statements.execute("SELECT 1 WHERE false", []) == []
    assert connection._samen_kept_cursor[2] is not kept
    kept = connection._samen_kept_cursor[2]
    old_connection = connection.connection
    with connection.cursor() as c:  # a session in another zone: the compiled loader goes
        c.execute("SET TIME ZONE 'Europe/Amsterdam'")
    try:
        at = statements.execute("SELECT '2026-12-06 21:30:00+00'::timestamptz", [])[0][0]
        assert connection._samen_kept_cursor[2] is not kept
        assert connection.connection is old_connection
        with connection.cursor() as c:
            c.execute("SELECT '2026-12-06 21:30:00+00'::timestamptz")
            assert repr(at) == repr(c.fetchone()[0])  # Django's loader, as Django's cursor
    finally:
        with connection.cursor() as c:
            c.execute("SET TIME ZONE 'UTC'")
    assert statements.execute("SELECT 1", []) == [(1,)]
    assert connection._samen_kept_cursor[0] is connection.connection


def test_execute_without_the_wrapper_raises_djangos_errors_and_checks_the_transaction(db):
    from django.db import DatabaseError, IntegrityError, ProgrammingError, transaction
    from django.db.transaction import TransactionManagementError

    _lean_prepared()
    # Django's class, as through its cursor wrapper.
    with pytest.raises(ProgrammingError), transaction.atomic():
        statements.execute("SELECT no_such_column FROM core_throttlecount_none", [])
    ThrottleCount.objects.create(key="dup", period=0, hits=1)
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():
            statements.execute(
                f"INSERT INTO {ThrottleCount._meta.db_table} (key, period, hits) VALUES (%s, 0, 1)",
                ["dup"],
            )
        assert statements.execute("SELECT 1", []) == [(1,)]  # the savepoint rolled back
    with transaction.atomic():
        with pytest.raises(DatabaseError), transaction.atomic(savepoint=False):
            statements.execute("SELECT 1/0", [])
        with pytest.raises(TransactionManagementError):  # the block is broken, as Django says
            statements.execute("SELECT 1", [])


def test_execute_is_counted_and_wrapped_as_any_statement(db):
    from django.test.utils import CaptureQueriesContext

    if not statements.prepared():
        pytest.skip("PostgreSQL's prepared statements")
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert statements.execute("SELECT %s::int", [7]) == [(7,)]
    with CaptureQueriesContext(connection) as queries:
        assert statements.execute("SELECT %s::int", [8]) == [(8,)]
    assert seen == ["SELECT %s::int"]
    assert [q["sql"].endswith("::int") for q in queries.captured_queries] == [True]
