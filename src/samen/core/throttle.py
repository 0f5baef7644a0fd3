"""The shared count of API calls per key and window (SAMEN_API_THROTTLE=database, ADR 0043): one
upsert per call in the UNLOGGED table, and now and then a prune of keys not seen for a while.
Here, beside the model, so the API's throttle classes hold no query.

A call whose API token is answered from the process's memory (ADR 0074) is counted ahead, in
the statement that checks the token is still current (`throttle_hit_if`): the throttle then
takes that count instead of counting again (`take_counted`). A call counted ahead that never
reaches the throttle (refused by the permission in between) is counted back when the request
ends, so the counts stay those of the calls the throttle saw."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

from samen.core import statements
from samen.core.models import ThrottleCount


def throttle_hit(*, key: str, period: int) -> int:
    """Count one call of `key` in the window starting at `period` (seconds since the epoch);
    the calls counted in that window so far, this one included."""
    # A prepared statement on PostgreSQL (samen.core.statements): planned once per connection.
    rows = statements.execute(_HIT_SQL, [key, period])
    return int(rows[0][0])


_TABLE = ThrottleCount._meta.db_table
_UPSERT = (
    f"ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN {_TABLE}.period = excluded.period "
    f"THEN {_TABLE}.hits + 1 ELSE 1 END, period = excluded.period RETURNING hits"
)
_HIT_SQL = f"INSERT INTO {_TABLE} (key, period, hits) VALUES (%s, %s, 1) {_UPSERT}"  # noqa: S608 (the model's table)


def throttle_hit_if(
    *, key: str, period: int, seen_sql: str, expected: Sequence[object]
) -> tuple[tuple, int | None]:
    """In one statement (PostgreSQL: a data-modifying CTE, one snapshot): the one row of
    `seen_sql` (a SELECT without parameters whose columns are named c0, c1, …), and one call of
    `key` counted as throttle_hit counts it only if those columns equal `expected`. Returns the
    row and the count (None when nothing was counted)."""
    row = statements.execute(_hit_if_sql(seen_sql, len(expected)), [key, period, *expected])[0]
    hits = row[-1]
    return tuple(row[:-1]), None if hits is None else int(hits)


@functools.cache
def _hit_if_sql(seen_sql: str, width: int) -> str:
    same = " AND ".join(f"seen.c{i} = %s" for i in range(width))
    return (
        f"WITH seen AS ({seen_sql}), hit AS ("  # noqa: S608 (the model's table, the caller's fixed SELECT)
        f"INSERT INTO {_TABLE} (key, period, hits) SELECT %s, %s, 1 FROM seen WHERE {same} "
        f"{_UPSERT}) SELECT seen.*, (SELECT hits FROM hit) FROM seen"
    )


def throttle_uncount(*, key: str, period: int) -> None:
    """Take back one call of `key` counted in the window `period` (if that window still runs)."""
    statements.execute(
        f"UPDATE {_TABLE} SET hits = hits - 1 WHERE key = %s AND period = %s AND hits > 0",  # noqa: S608 (the model's table)
        [key, period],
    )


def throttle_prune(*, before: int) -> None:
    """Remove the counts of keys whose last window started before `before`."""
    ThrottleCount.objects.filter(period__lt=before).delete()


# Calls of this request counted ahead and not yet taken by the throttle: [key, period, hits].
# None outside a request (commands, tests calling code directly): nothing is counted ahead there.
_ahead: ContextVar[list[tuple[str, int, int]] | None] = ContextVar(
    "samen_throttle_ahead", default=None
)


def can_count_ahead() -> bool:
    return _ahead.get() is not None


def counted_ahead(*, key: str, period: int, hits: int) -> None:
    pending = _ahead.get()
    if pending is None:  # not in a request: nothing takes it, so give it back now
        throttle_uncount(key=key, period=period)
        return
    pending.append((key, period, hits))


def take_counted(key: str) -> tuple[int, int] | None:
    """The window and count of this request's call of `key` counted ahead, once."""
    pending = _ahead.get()
    if pending:
        for i, (k, period, hits) in enumerate(pending):
            if k == key:
                del pending[i]
                return period, hits
    return None


def _request_begins(**kwargs: object) -> None:
    _ahead.set([])


def _request_ends(**kwargs: object) -> None:
    pending = _ahead.get()
    _ahead.set(None)
    for key, period, _hits in pending or ():
        throttle_uncount(key=key, period=period)


request_started.connect(_request_begins, dispatch_uid="samen.throttle.request_begins")
request_finished.connect(_request_ends, dispatch_uid="samen.throttle.request_ends")
