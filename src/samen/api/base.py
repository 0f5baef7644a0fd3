"""Shared plumbing for the API views: the actor, and the declared access rule as a permission."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.settings import api_settings
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


# A field's to_representation for the exact value types selectors give, where DRF's gives that
# value back unchanged: str(s) is s, int(i) is i, a bool is one of BooleanField's TRUE_VALUES or
# FALSE_VALUES and comes back as itself, a choice's string maps to itself. Anything else (None
# aside, which present_many keeps) goes to the field's own to_representation. Exact classes
# only: a subclass may represent differently.
_SAME_FOR: dict[type, type] = {
    serializers.CharField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: bool,
}


def _shortcut(field: serializers.Field) -> Callable[[object], object]:
    represent = field.to_representation
    kind = type(field)
    same = _SAME_FOR.get(kind)
    if same is not None:
        return lambda v: v if type(v) is same else represent(v)
    if kind is serializers.ChoiceField:
        choices = field.choice_strings_to_values
        return lambda v: choices.get(v, v) if type(v) is str else represent(v)
    if kind is serializers.ListField:
        child = _shortcut(field.child)
        return lambda v: [None if i is None else child(i) for i in v]
    return represent


@functools.cache
def _fast_fields_of(
    cls: type[PresentSerializer],
) -> tuple[tuple[str, Callable[[object], object], bool], ...]:
    """_fields_of with each field's shortcut, and whether it is a DateTimeField of DRF's default
    output (exact class, no format or time zone of its own), which present_many may write itself
    where the settings ask for ISO 8601 in the current time zone."""
    fields = list(cls()._readable_fields)
    _fields_of(cls)  # the same checks
    return tuple(
        (
            f.field_name,
            _shortcut(f),
            type(f) is serializers.DateTimeField
            and not hasattr(f, "format")
            and not hasattr(f, "timezone"),
        )
        for f in fields
    )


def _iso_in(tz: tzinfo, represent: Callable[[object], object]) -> Callable[[object], object]:
    """DateTimeField.to_representation of an aware datetime with the time zone read once per
    page (DRF reads it per value): astimezone, isoformat, UTC written as Z."""

    def iso(v: object) -> object:
        if type(v) is not datetime or v.utcoffset() is None:
            return represent(v)
        try:
            text = v.astimezone(tz).isoformat()
        except OverflowError:
            return represent(v)  # DRF's own refusal
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


def present_many(cls: type[PresentSerializer], rows: Iterable[dict]) -> list[dict]:
    """What `cls(rows, many=True).data` gives (PresentSerializer.to_representation: absent keys
    stay absent, None stays None), without building the serializer and its fields on every
    call: on a list page that cost more than presenting the rows (ADR 0057). Values of the
    types selectors give take the shortcuts above, and times the page's time zone read once
    (ADR 0063); a test holds the result to the serializer's on real pages and odd values."""
    iso = settings.USE_TZ and (api_settings.DATETIME_FORMAT or "").lower() == ISO_8601
    tz = timezone.get_current_timezone()
    fields = [
        (name, _iso_in(tz, represent) if is_time and iso else represent)
        for name, represent, is_time in _fast_fields_of(cls)
    ]
    out = []
    for row in rows:
        item = {}
        for name, represent in fields:
            if name in row:
                value = row[name]
                item[name] = None if value is None else represent(value)
        out.append(item)
    return out
