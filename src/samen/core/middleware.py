from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from samen.core import audit
from samen.core.actor import (
    HEADER,
    PURPOSE_HEADER,
    PURPOSE_SESSION_KEY,
    SESSION_KEY,
    Actor,
    active_memberships,
    choose_membership,
    choose_purpose,
    client_origin,
)


def build_actor(request: HttpRequest, user: object | None = None, channel: str = "web") -> Actor:
    user = user if user is not None else request.user
    session = getattr(request, "session", None)
    memberships = active_memberships(user)
    membership = choose_membership(
        memberships, request.META.get(HEADER) or (session.get(SESSION_KEY) if session else None)
    )
    wanted_purpose = request.META.get(PURPOSE_HEADER) or (
        session.get(PURPOSE_SESSION_KEY) if session else None
    )
    return Actor(
        user=user,
        membership=membership,
        origin=client_origin(request.META, channel),
        purpose=choose_purpose(membership.role, wanted_purpose) if membership else "",
    )


class ActorMiddleware:
    """Puts `request.actor` on every request, lazily, for the web views (API views build their own
    after DRF authentication, since token users are only known then). Refusals recorded inside an
    atomic block anywhere in the request are written when the request is done, outside every
    transaction, so a rollback cannot take them along (samen.core.audit.refusals_outlive)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: build_actor(request))  # type: ignore[attr-defined]
        with audit.refusals_outlive():
            return self.get_response(request)
