"""The client's address behind the configured reverse proxies.

Each trusted proxy appends the address it received the request from to X-Forwarded-For; with n
trusted proxies the client is the n-th entry from the end. Anything before it was written by the
client and is ignored, so a forged header cannot choose the address that rate limits, lockouts
and the audit trail see. With no trusted proxy (the default) the header is ignored altogether.
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_address(meta: dict, trusted: int) -> str:
    remote = meta.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    candidate = hops[-trusted]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote


class ClientAddressMiddleware:
    """Replaces REMOTE_ADDR by the client's address before any other middleware reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.trusted = int(getattr(settings, "TRUSTED_PROXIES", 0))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            request.META["REMOTE_ADDR"] = client_address(request.META, self.trusted)
        return self.get_response(request)
