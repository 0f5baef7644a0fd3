"""Shared plumbing for the API views: the actor, and the declared access rule as a permission."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from http.cookies import SimpleCookie

import msgspec
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase, ResponseHeaders
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.compat import split_header_value
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
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


# Times in UTC (as read from the database) as written, by time zone and instant (ADR 0082): a
# list's pages show the same newest cases to every client, and astimezone into a named zone
# cost more than the rest of writing a row. Only times in UTC are kept: two of them are equal
# exactly when they are the same instant, and the text depends on the instant and the zone
# alone. (Not so in a zone with folds: Python compares two times of one tzinfo by their wall
# clock, so 02:30 before and after the clocks go back are equal.) Bounded: past _ISO_MAX it
# starts afresh.
_ISO: dict[tuple[tzinfo, datetime], str] = {}
_ISO_MAX = 8192


def _iso_in(tz: tzinfo, represent: Callable[[object], object]) -> Callable[[object], object]:
    """DateTimeField.to_representation of an aware datetime with the time zone read once per
    page (DRF reads it per value): astimezone, isoformat, UTC written as Z."""

    def iso(v: object) -> object:
        if type(v) is not datetime or v.utcoffset() is None:
            return represent(v)
        key = (tz, v)
        text = _ISO.get(key) if v.tzinfo is UTC else None
        if text is None:
            try:
                text = v.astimezone(tz).isoformat()
            except OverflowError:
                return represent(v)  # DRF's own refusal
            if text.endswith("+00:00"):
                text = text[:-6] + "Z"
            if v.tzinfo is UTC:
                if len(_ISO) >= _ISO_MAX:
                    _ISO.clear()
                _ISO[key] = text
        return text

    return iso


def present_many(cls: type[PresentSerializer], rows: Iterable[dict]) -> list[dict]:
    """What `cls(rows, many=True).data` gives (PresentSerializer.to_representation: absent keys
    stay absent, None stays None), without building the serializer and its fields on every
    call: on a list page that cost more than presenting the rows (ADR 0057). Values of the
    types selectors give take the shortcuts above, and times the page's time zone read once
    (ADR 0063); a test holds the result to the serializer's on real pages and odd values."""
    fields = _writers(cls)
    out = []
    for row in rows:
        item = {}
        for name, represent in fields:
            if name in row:
                value = row[name]
                item[name] = None if value is None else represent(value)
        out.append(item)
    return out


def _writers(cls: type[PresentSerializer]) -> list[tuple[str, Callable[[object], object]]]:
    """(name, how present_many writes a value that is not None) of each field of `cls`, with
    the time zone of this call."""
    iso = settings.USE_TZ and (api_settings.DATETIME_FORMAT or "").lower() == ISO_8601
    tz = timezone.get_current_timezone()
    return [
        (name, _iso_in(tz, represent) if is_time and iso else represent)
        for name, represent, is_time in _fast_fields_of(cls)
    ]


def writer_of(cls: type[PresentSerializer], name: str) -> Callable[[object], object]:
    """How present_many writes a value of `cls`'s field `name` that is not None, in this call's
    time zone: for a caller that builds rows in the serializer's shape itself and has one field
    left to write (the case list's times)."""
    represent, is_time = _field_of(cls, name)
    if is_time and settings.USE_TZ and (api_settings.DATETIME_FORMAT or "").lower() == ISO_8601:
        return _iso_in(timezone.get_current_timezone(), represent)
    return represent


@functools.cache
def _field_of(cls: type[PresentSerializer], name: str) -> tuple[Callable[[object], object], bool]:
    for field_name, represent, is_time in _fast_fields_of(cls):
        if field_name == name:
            return represent, is_time
    raise KeyError(name)


# What DRF's content negotiation answers with the JSON renderer whatever else a request says: no
# Accept header, "*/*", or exactly "application/json" (a parameter such as "; indent=4" changes
# the rendering, so such a request goes DRF's way).
_LEAN_ACCEPT = frozenset({"*/*", "application/json"})
_JSON_TYPE = "application/json"


def _refuse(value: object) -> object:
    raise TypeError(type(value).__name__)


_JSON = msgspec.json.Encoder(enc_hook=_refuse)


def render_json(data: object) -> bytes:
    """DRF's JSONRenderer output of presented data (settings UNICODE_JSON, COMPACT_JSON and
    STRICT_JSON as DRF's defaults, no indent), by msgspec: JSON without spaces, text as UTF-8 with
    the same escapes, the two line separators escaped as DRF escapes them for JavaScript. For the
    values a presented page holds (dicts, lists, str, int, bool, None; `plain_fields`); a value
    msgspec does not know goes to DRF's renderer itself, so its own rules apply."""
    try:
        out = _JSON.encode(data)
    except TypeError:
        return JSONRenderer().render(data, _JSON_TYPE, {})
    if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:
        out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return out


# Exact DRF field classes whose to_representation gives str, int, bool or None (or, for a
# choice not among its choices, the value as read, a str from the database).
_PLAIN_FIELDS = (
    serializers.CharField, serializers.IntegerField, serializers.BooleanField,
    serializers.ChoiceField, serializers.DateTimeField,
)  # fmt: skip


@functools.cache
def plain_fields(cls: type[PresentSerializer]) -> bool:
    """Whether every field of `cls` presents plain JSON values (so render_json gives DRF's
    bytes for its rows); a list of such a field counts too."""

    def plain(field: serializers.Field) -> bool:
        if type(field) is serializers.ListField:
            return plain(field.child)
        return type(field) in _PLAIN_FIELDS

    return all(plain(f) for f in cls()._readable_fields)


def _release(view: APIView, request: Request) -> None:
    """Drop the references by which DRF's objects of one request hold each other, once the
    response is closed and nothing reads them again: the view its request, its response and (by
    View.setup's `head`, a bound method) itself; the response's renderer context the view; the
    request's parser context the view and the request; the token authenticator the request. In
    those cycles the view, the request, the response and the page's rows could only be freed by
    the garbage collector (some 140 objects a list request left to the young collections; ADR
    0100); now their reference counts free them at the close. The answer was sent before this
    runs: it changes no byte of it."""
    view.request = view.response = None  # type: ignore[assignment]
    vars(view).pop("head", None)  # View.setup's self.head = self.get, a bound method of it
    for authenticator in request.authenticators or ():
        if getattr(authenticator, "request", None) is request:
            authenticator.request = None  # type: ignore[attr-defined]
    request.parser_context = None


class LeanGetView(SamenAPIView):
    """An API view whose GET answers a page of presented rows, dispatched without the parts of
    DRF's cycle that cannot change the answer of a plain JSON GET (ADR 0069): no content
    negotiation where the request leaves it no choice, and the body written by render_json
    instead of DRF's renderer. Authentication, the permission (the view's access rule), the
    throttles, the handler and every refusal run exactly as in DRF's dispatch (refusals are
    rendered by DRF). Any other request (a method but GET, another Accept, `?format=`) goes
    through DRF's own dispatch."""

    lean_serializer: type[PresentSerializer]

    def get_throttles(self) -> list:
        """The view's throttles, made once per request (a view instance serves one): the token's
        check asks them where it would count the call ahead (`count_ahead`, ADR 0074) and
        check_throttles then asks them to allow it. Those read only their class's rate and
        the clock before `allow_request`, which each throttle then runs once, as before."""
        made = vars(self).get("_throttles")
        if made is None:
            made = self._throttles = super().get_throttles()
        return made

    def respond(self, data: dict) -> Response:
        """The view's answer of a page: `Response(data)`, and on the lean path (a plain JSON GET)
        that response as finalize_response and the lean rendering below leave it, built at once
        (_page_response)."""
        if not vars(self).get("_lean_page"):
            return Response(data)
        response = self._answered = _page_response(self, data)
        return response

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not self._lean(request, args, kwargs):
            return super().dispatch(request, *args, **kwargs)
        self._lean_page = True
        self.args, self.kwargs = args, kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            # initial() with the negotiation's answer known (see _lean).
            self.format_kwarg = None
            drf_request.accepted_renderer = self.renderer_classes[0]()
            drf_request.accepted_media_type = _JSON_TYPE
            version, scheme = self.determine_version(drf_request, *args, **kwargs)
            drf_request.version, drf_request.versioning_scheme = version, scheme
            self.perform_authentication(drf_request)
            self.check_permissions(drf_request)
            self.check_throttles(drf_request)
            response = self.get(drf_request, *args, **kwargs)  # type: ignore[attr-defined]
        except Exception as exc:
            response = self.handle_exception(exc)
        # The page built by respond() is finalized and rendered already (_page_response); the
        # view lets go of it here, or the two would hold each other (ADR 0100).
        if response is not vars(self).pop("_answered", None):
            response = self._finalized(drf_request, response, args, kwargs)
        self.response = response
        if isinstance(response, HttpResponseBase):
            # Run by response.close(), after the body was sent (ADR 0100).
            response._resource_closers.append(functools.partial(_release, self, drf_request))
        return response

    def _finalized(
        self, drf_request: Request, response: HttpResponseBase, args: tuple, kwargs: dict
    ) -> HttpResponseBase:
        response = self.finalize_response(drf_request, response, *args, **kwargs)
        if (
            type(response) is Response
            and response.status_code == 200
            and not response.exception
            and response.content_type is None  # else the view chose its own type
        ):
            # What Response.rendered_content does with the JSON renderer, without it.
            response["Content-Type"] = _JSON_TYPE
            response.content = render_json(response.data)
        return response

    def _lean(self, request: HttpRequest, args: tuple, kwargs: dict) -> bool:
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        return (
            request.method == "GET"
            and not args
            and not kwargs
            and accept in _LEAN_ACCEPT
            and api_settings.URL_FORMAT_OVERRIDE not in request.GET
            and self.renderer_classes[0] is JSONRenderer
            and plain_fields(self.lean_serializer)
        )


# The header stores of a page's response as DRF leaves them before the middleware (Content-Type
# set by the lean rendering, the view's Vary patched in, its Allow), by the view's default
# headers: a view class gives one or two. Values are tuples of str, so a copy of the store
# serves each response. Bounded: past _STORES_MAX it starts afresh.
_STORES: dict[tuple[tuple[str, str], ...], dict[str, tuple[str, str]]] = {}
_STORES_MAX = 64


def _page_store(view_headers: dict[str, str]) -> dict[str, tuple[str, str]]:
    key = tuple(view_headers.items())
    store = _STORES.get(key)
    if store is None:
        # What Response(), finalize_response and the lean rendering do to the headers.
        made = Response(None)
        headers = dict(view_headers)
        vary = headers.pop("Vary", None)
        if vary is not None:
            patch_vary_headers(made, list(split_header_value(vary)))
        for name, value in headers.items():
            made[name] = value
        made["Content-Type"] = _JSON_TYPE
        store = dict(made.headers._store)
        if len(_STORES) >= _STORES_MAX:
            _STORES.clear()
        _STORES[key] = store
    return store


def _page_response(view: LeanGetView, data: dict) -> Response:
    """The Response DRF's lean dispatch gives for `data` (a 200 page): what `Response(data)`,
    `finalize_response` and the lean rendering (Content-Type and body by render_json) leave on
    it, set at once. Response's constructors (SimpleTemplateResponse, HttpResponse and its
    base: header validation, the charset's look-up, the content's conversion) and the
    finalizing cost more than the rest of the answer's Python outside the statements (ADR
    0109). The same class, attributes in the same order, headers in the same order: a test
    holds every attribute to DRF's own path's."""
    view_headers = view.headers
    store = _page_store(view_headers)
    view_headers.pop("Vary", None)  # as finalize_response pops it
    headers = ResponseHeaders.__new__(ResponseHeaders)
    headers._store = dict(store)
    request = view.request
    response = Response.__new__(Response)
    response.__dict__ = {
        "template_name": None,
        "context_data": None,
        "using": None,
        "_post_render_callbacks": [],
        "_request": None,
        "headers": headers,
        "_charset": None,
        "_resource_closers": [],
        "_handler_class": None,
        "cookies": SimpleCookie(),
        "closed": False,
        "_reason_phrase": None,
        "_container": [render_json(data)],
        "_is_rendered": True,
        "data": data,
        "exception": False,
        "content_type": None,
        "accepted_renderer": request.accepted_renderer,
        "accepted_media_type": request.accepted_media_type,
        "renderer_context": view.get_renderer_context(),
    }
    return response
