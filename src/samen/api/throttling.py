"""API throttling: per signed-in user, and per client address for calls without a user.

Behind several workers the counts must be shared. DRF's own throttle keeps each key's history
in Django's cache, which on the shared database cache costs a read and a transaction of four
statements per call (a count of the whole cache table among them) that waits for the WAL
flush. So with SAMEN_API_THROTTLE=database (the default when SAMEN_CACHE=database) the calls are
counted in the table of samen.core.models.ThrottleCount instead: one statement per call that
bumps the key's count in the current fixed window and returns it, exact across workers; the
table is UNLOGGED on PostgreSQL. The trade-off (ADR 0043): a fixed window lets a client make up
to twice the rate across a window's edge, where DRF's sliding history would not. Otherwise, in a
single process (make run, tests), DRF's history in the per-process cache.

The address is REMOTE_ADDR as samen.web.proxy set it.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from rest_framework import throttling

from samen.core.throttle import throttle_hit, throttle_prune

# Now and then a call also removes the rows of keys not seen for two days (addresses come and
# go); no rate's window is longer than a day.
PRUNE_ONE_IN = 1000
PRUNE_AFTER_SECONDS = 2 * 86400


class _Counted(throttling.SimpleRateThrottle):
    """DRF's throttle, counting in the shared table when SAMEN_API_THROTTLE=database."""

    def allow_request(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if getattr(settings, "API_THROTTLE", "cache") != "database":
            return super().allow_request(request, view)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        period = int(now) // self.duration * self.duration
        self.window_ends = period + self.duration
        self.now = now
        if random.randrange(PRUNE_ONE_IN) == 0:
            throttle_prune(before=int(now - PRUNE_AFTER_SECONDS))
        return throttle_hit(key=self.key, period=period) <= self.num_requests

    def wait(self) -> float | None:
        if getattr(settings, "API_THROTTLE", "cache") != "database":
            return super().wait()
        return max(0.0, self.window_ends - getattr(self, "now", time.time()))


class UserRateThrottle(_Counted, throttling.UserRateThrottle):
    scope = "user"


class AddressRateThrottle(_Counted, throttling.AnonRateThrottle):
    scope = "address"
