"""The shared count of API calls per key and window (SAMEN_API_THROTTLE=database, ADR 0043): one
upsert per call in the UNLOGGED table, and now and then a prune of keys not seen for a while.
Here, beside the model, so the API's throttle classes hold no query."""

from __future__ import annotations

from django.db import connection

from samen.core.models import ThrottleCount


def throttle_hit(*, key: str, period: int) -> int:
    """Count one call of `key` in the window starting at `period` (seconds since the epoch);
    the calls counted in that window so far, this one included."""
    table = ThrottleCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, period, hits) VALUES (%s, %s, 1) "  # noqa: S608 (the model's table)
            f"ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN {table}.period = excluded.period "
            f"THEN {table}.hits + 1 ELSE 1 END, period = excluded.period RETURNING hits",
            [key, period],
        )
        return int(cursor.fetchone()[0])


def throttle_prune(*, before: int) -> None:
    """Remove the counts of keys whose last window started before `before`."""
    ThrottleCount.objects.filter(period__lt=before).delete()
