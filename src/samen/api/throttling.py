"""API throttling: per signed-in user, and per client address for calls without a user.

The counts live in Django's cache, so behind several workers the cache must be shared
(SAMEN_CACHE=database in production). The address is REMOTE_ADDR as samen.web.proxy set it.
"""

from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    scope = "user"


class AddressRateThrottle(throttling.AnonRateThrottle):
    scope = "address"
