"""A recorded signal is answered at a fixed time after its request began (issue #12, ADR 0008).

Linking a known person and opening a case for a new one run the same statements, but what is
left — a larger identity to re-encrypt, a longer timeline — still made the known case about a
millisecond slower on PostgreSQL, measurable over a hundred tries. Holding every answer until a
floor that covers the work takes that last difference away, whatever the data. The wait runs
after the service has committed, so no lock or transaction is held while it sleeps.
"""

from __future__ import annotations

import time

from django.conf import settings


def started() -> float:
    """The moment to pace from: take it first thing in the view."""
    return time.monotonic()


def answer_at_floor(since: float) -> float:
    """Sleep until SIGNAL_ANSWER_SECONDS after `since`; returns the seconds slept (0 when the
    work took longer than the floor, which the floor should be set to avoid)."""
    wait = since + float(getattr(settings, "SIGNAL_ANSWER_SECONDS", 0.0)) - time.monotonic()
    if wait <= 0:
        return 0.0
    time.sleep(wait)
    return wait
