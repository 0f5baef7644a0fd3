"""The shared count of API calls per key and window (SAMEN_API_THROTTLE=database, ADR 0043): one
upsert per call in the UNLOGGED table, and now and then a prune of keys not seen for a while.
Here, beside the model, so the API's throttle classes hold no query."""

from __future__ import annotations

from samen.core import statements
from samen.core.models import ThrottleCount


def throttle_hit(*, key: str, period: int) -> int:
    """Count one call of `key` in the window starting at `period` (seconds since the epoch);
    the calls counted in that window so far, this one included."""
    # A prepared statement on PostgreSQL (samen.core.statements): planned once per connection.
    rows = statements.execute(_HIT_SQL, [key, period])
    return int(rows[0][0])


_TABLE = ThrottleCount._meta.db_table
_HIT_SQL = (
    f"INSERT INTO {_TABLE} (key, period, hits) VALUES (%s, %s, 1) "  # noqa: S608 (the model's table)
    f"ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN {_TABLE}.period = excluded.period "
    f"THEN {_TABLE}.hits + 1 ELSE 1 END, period = excluded.period RETURNING hits"
)


def throttle_prune(*, before: int) -> None:
    """Remove the counts of keys whose last window started before `before`."""
    ThrottleCount.objects.filter(period__lt=before).delete()
