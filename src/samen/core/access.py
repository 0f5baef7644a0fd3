"""Every view declares its access rule, so a walker can prove none was forgotten.

Rules:
  public         anyone, also signed out (login, health check, language switch, schema)
  authenticated  any signed-in user; what they then see is filtered by samen.core.policy
  <permission>   a permission from samen.core.policy.PERMISSIONS, checked up front
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from samen.core import policy

V = TypeVar("V", bound=Callable[..., HttpResponse])
PUBLIC = "public"
AUTHENTICATED = "authenticated"


def valid_rule(rule: str) -> bool:
    return rule in (PUBLIC, AUTHENTICATED) or rule in policy.PERMISSIONS


def access(rule: str) -> Callable[[V], V]:
    """Decorator for function views: declares and enforces the rule."""
    if not valid_rule(rule):
        raise ValueError(f"unknown access rule {rule!r}")

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if rule != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if rule != AUTHENTICATED:
                    policy.require(request.actor, rule)  # type: ignore[attr-defined]  # ActorMiddleware
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def declare(view: Callable, rule: str) -> Callable:
    """Mark a third-party view (Django's login, the schema views) with its rule."""
    if not valid_rule(rule):
        raise ValueError(f"unknown access rule {rule!r}")
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def ensure(request: HttpRequest, rule: str) -> None:
    if rule not in (PUBLIC, AUTHENTICATED):
        policy.require(request.actor, rule)  # type: ignore[attr-defined]  # ActorMiddleware
    elif rule == AUTHENTICATED and not request.user.is_authenticated:
        raise PermissionDenied
