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

A call whose token is answered from the process's memory is counted ahead, in the statement
that checks the token is current (samen.accounts.tokens, ADR 0074): the authentication asks the
view's throttles which key and window the call would be counted in (`count_ahead`), and the
throttle here takes that count instead of counting again; the call is refused exactly when it
would have been.

The address is REMOTE_ADDR as samen.web.proxy set it.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from rest_framework import throttling

from samen.core.throttle import take_counted, throttle_hit, throttle_prune

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
        if random.randrange(PRUNE_ONE_IN) == 0:
            throttle_prune(before=int(now - PRUNE_AFTER_SECONDS))
        ahead = take_counted(self.key)
        if ahead is not None:
            period, hits = ahead
        else:
            period = int(now) // self.duration * self.duration
            hits = throttle_hit(key=self.key, period=period)
        self.window_ends = period + self.duration
        self.now = now
        return hits <= self.num_requests

    def count_ahead(self, user: object) -> tuple[str, int] | None:
        """The key and window this throttle will count a call of `user` (authenticated) in, for
        the token check to count it ahead; None when it counts nothing here or not in the
        shared table."""
        if getattr(settings, "API_THROTTLE", "cache") != "database" or self.rate is None:
            return None
        key = self.user_key(user)
        if key is None:
            return None
        return key, int(self.timer()) // self.duration * self.duration

    def user_key(self, user: object) -> str | None:
        return None

    def wait(self) -> float | None:
        if getattr(settings, "API_THROTTLE", "cache") != "database":
            return super().wait()
        return max(0.0, self.window_ends - getattr(self, "now", time.time()))


class UserRateThrottle(_Counted, throttling.UserRateThrottle):
    scope = "user"

    def user_key(self, user: object) -> str | None:
        # DRF's get_cache_key for a signed-in user, which request.user cannot give yet while
        # the token is being checked.
        return self.cache_format % {"scope": self.scope, "ident": user.pk}  # type: ignore[attr-defined]


class AddressRateThrottle(_Counted, throttling.AnonRateThrottle):
    scope = "address"
