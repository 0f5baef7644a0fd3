from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from samen.sharing.actor import (
    HEADER,
    SESSION_KEY,
    Actor,
    active_memberships,
    choose_membership,
    client_origin,
)


def build_actor(request: HttpRequest, user: object | None = None, channel: str = "web") -> Actor:
    user = user if user is not None else request.user
    memberships = active_memberships(user)
    wanted = request.META.get(HEADER) or (
        request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    )
    return Actor(
        user=user,
        membership=choose_membership(memberships, wanted),
        origin=client_origin(request.META, channel),
    )


class ActorMiddleware:
    """Puts `request.actor` on every request, lazily, for the web views (API views build their own
    after DRF authentication, since token users are only known then)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: build_actor(request))
        return self.get_response(request)
