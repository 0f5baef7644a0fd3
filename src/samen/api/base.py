"""Shared plumbing for the API views: the actor, and the declared access rule as a permission."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from samen.accounts.models import ApiToken
from samen.accounts.twofactor import is_verified, requires_second_factor
from samen.core import policy
from samen.core.access import AUTHENTICATED, PUBLIC
from samen.core.actor import HEADER, PURPOSE_HEADER, Actor, choose_purpose, client_origin
from samen.core.middleware import build_actor


class PolicyPermission(permissions.BasePermission):
    """Enforces the view's `access_rule`; the object-level scope is the selectors' job."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        rule = getattr(view, "access_rule", None)
        if rule is None:
            return False  # a view without a rule is closed, and the URL walker test fails it
        if rule == PUBLIC:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if (
            isinstance(request.successful_authenticator, SessionAuthentication)
            and not is_verified(request.user)
            and requires_second_factor(request.user)
        ):
            self.message = _("Complete the second factor first.")
            return False
        if rule == AUTHENTICATED:
            return True
        policy.require(actor_of(request), rule)
        return True


def actor_of(request: Request) -> Actor:
    cached = getattr(request, "_samen_actor", None)
    if cached is None:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            cached = _token_actor(request, token)
        else:
            cached = build_actor(request._request, user=request.user, channel="api")
        request._samen_actor = cached
    return cached


def _token_actor(request: Request, token: ApiToken) -> Actor:
    """A token acts only in the membership it was issued for (its checks ran in authentication);
    asking for another membership is refused rather than silently ignored."""
    wanted = request.META.get(HEADER)
    if wanted and str(wanted) != str(token.membership_id):
        raise PermissionDenied(_("This token acts for one membership only."))
    # Read with the token, its organisation and region included (accounts.tokens._checked_token).
    membership = token.membership
    return Actor(
        user=request.user,
        membership=membership,
        origin=client_origin(request.META, "api"),
        purpose=choose_purpose(membership.role, request.META.get(PURPOSE_HEADER)),
    )


class SamenAPIView(APIView):
    permission_classes = [PolicyPermission]
    access_rule: str | None = None

    @property
    def actor(self) -> Actor:
        return actor_of(self.request)


class PresentSerializer(serializers.Serializer):
    """Output serializer for dicts from selectors: keys the policy left out stay absent (not
    null), and the schema marks every field optional for that reason."""

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def to_representation(self, instance: dict) -> dict:
        out = {}
        for field in self._readable_fields:
            if field.field_name not in instance:
                continue
            value = field.get_attribute(instance)
            out[field.field_name] = None if value is None else field.to_representation(value)
        return out


@functools.cache
def _fields_of(cls: type[PresentSerializer]) -> tuple[tuple[str, Callable[[object], object]], ...]:
    """The readable fields of a PresentSerializer, once per process: (name, to_representation)
    of field instances bound once. Their to_representation keeps no state (the time zone and
    language are read when it runs), so one set serves every request and thread."""
    fields = list(cls()._readable_fields)
    if any(f.source != f.field_name or f.source == "*" for f in fields):
        raise TypeError(f"{cls.__name__}: present_many reads each field by its own name")
    return tuple((f.field_name, f.to_representation) for f in fields)


def present_many(cls: type[PresentSerializer], rows: Iterable[dict]) -> list[dict]:
    """What `cls(rows, many=True).data` gives (PresentSerializer.to_representation: absent keys
    stay absent, None stays None), without building the serializer and its fields on every
    call: on a list page that cost more than presenting the rows (ADR 0057)."""
    fields = _fields_of(cls)
    out = []
    for row in rows:
        item = {}
        for name, represent in fields:
            if name in row:
                value = row[name]
                item[name] = None if value is None else represent(value)
        out.append(item)
    return out
