"""API tokens: issue, check on every request, revoke. Only a hash of the secret is stored."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from samen.accounts.models import ApiToken, AuthVersion, IdentityProviderDevice, User
from samen.accounts.twofactor import requires_second_factor
from samen.core import audit, register, statements, throttle
from samen.core.actor import Actor
from samen.organisations.models import Membership

SEPARATOR = "."
# Issuing and revoking tokens is audited like any use of access: who, for which membership,
# which token (its public prefix, never the secret), and every refusal with its reason code.
ISSUE, REVOKE = "api_token.create", "api_token.revoke"


def _hash(secret: str) -> str:
    # The secret is 32 random bytes, so a plain SHA-256 cannot be brute-forced; no slow KDF needed
    # on every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def _actor(user: User | None, membership: Membership | None, origin: str) -> Actor:
    if membership is None and user is not None and user.is_authenticated:
        membership = (
            Membership.objects.filter(user=user, is_active=True)
            .select_related("organisation")
            .order_by("id")
            .first()
        )
    return Actor(user=user, membership=membership, origin=origin)


def token_refused(
    *, user: User | None, action: str, reason: str, origin: str, token_id: str = ""
) -> None:
    """Audit a refused issue or revocation; `reason` is a code, never what was typed."""
    audit.record(
        _actor(user, None, origin),
        action,
        object_type="api_token",
        object_id=token_id,
        result="denied",
        detail={"reason": reason},
    )


def token_issue(
    *,
    user: User,
    membership: Membership,
    device: Device | None = None,
    origin: str = "",
) -> tuple[ApiToken, str]:
    """A new token for one of the user's active memberships; returns the row and the full token
    string, which is shown once and never stored."""
    if membership.user_id != user.pk or not membership.is_active:
        token_refused(user=user, action=ISSUE, reason="membership", origin=origin)
        raise ValueError("membership of another user or inactive")
    with transaction.atomic():
        token, key = _new_token(user=user, membership=membership, device=device)
        audit.record(
            _actor(user, membership, origin),
            ISSUE,
            object_type="api_token",
            object_id=token.prefix,
            detail={"membership": membership.pk, "second_factor": bool(device)},
        )
    return token, key


def _new_token(
    *, user: User, membership: Membership, device: Device | None
) -> tuple[ApiToken, str]:
    """The row and the key, unchecked and unaudited: only `token_issue` (and test fixtures that
    stand in for a client's earlier sign-in) may call it."""
    secret = secrets.token_urlsafe(32)
    prefix = secrets.token_hex(6)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(6)
    token = ApiToken.objects.create(
        prefix=prefix,
        secret_hash=_hash(secret),
        user=user,
        membership=membership,
        role=membership.role,
        otp_device=device.persistent_id if device else "",
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS),
    )
    return token, f"{prefix}{SEPARATOR}{secret}"


def token_revoke(*, token: ApiToken, by: User, origin: str = "") -> None:
    """Revoke one's own token, or (functional administrator) anyone's; idempotent (a second
    revocation changes nothing and is not audited again)."""
    if token.revoked_at is None:
        with transaction.atomic():
            changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_by=by
            )
            if changed:
                audit.record(
                    _actor(by, None, origin),
                    REVOKE,
                    object_type="api_token",
                    object_id=token.prefix,
                    detail={"membership": token.membership_id, "own": token.user_id == by.pk},
                )
        token.refresh_from_db(fields=["revoked_at", "revoked_by"])


def token_revoke_own(*, user: User, token_id: str, origin: str = "") -> bool:
    """Revoke one of the user's own tokens by its prefix; False (audited) when the user has no
    such token - someone else's looks exactly like a missing one."""
    token = ApiToken.objects.filter(user=user, prefix=token_id).first()
    if token is None:
        token_refused(
            user=user, action=REVOKE, reason="not_found", origin=origin, token_id=token_id[:64]
        )
        return False
    token_revoke(token=token, by=user, origin=origin)
    return True


def tokens_of_user(*, user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).select_related("membership__organisation"))


def token_status(token: ApiToken) -> str:
    """Why a token does (not) work, as a code; "" when it is usable. Checked on every request."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= timezone.now():
        return "expired"
    user, membership = token.user, token.membership
    if not user.is_active:
        return "inactive"
    if not membership.is_active or membership.role != token.role or membership.user_id != user.pk:
        return "membership"
    # The same rule as a web session (SecondFactorMiddleware): a user whose roles may see identity
    # must have passed the second factor, with a device that is still confirmed.
    # The device may be Samen's TOTP or an identity provider's asserted second factor (#17).
    # The device first: a confirmed one settles it without reading the user's memberships.
    confirmed = getattr(token, "device_confirmed", None)  # read with the token (_checked_token)
    if confirmed is None:
        confirmed = _device_confirmed(token.otp_device, user)
    if not confirmed and requires_second_factor(user):
        return "second_factor"
    return ""


def _device_confirmed(persistent_id: str, user: User) -> bool:
    # django-otp persistent ids name the device class and its pk; anything else matches none.
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return bool(device and device.user_id == user.pk and device.confirmed)


# The device classes a token's second factor can name, checked in the token's own query.
DEVICE_CLASSES = (TOTPDevice, IdentityProviderDevice)


def _device_confirmed_column() -> RawSQL:
    """Whether the token's device (its django-otp persistent id, "<app>.<model>/<pk>") is a
    confirmed device of the token's user, as a column of the token's query: the same test as
    _device_confirmed, without a query of its own. Plain SQL: the ORM's subqueries cost more CPU
    to build and compile than the query takes to run."""
    q = connection.ops.quote_name
    token = q(ApiToken._meta.db_table)
    tests = [
        f"EXISTS (SELECT 1 FROM {q(cls._meta.db_table)} d WHERE d.user_id = {token}.user_id "  # noqa: S608 (model tables)
        f"AND d.confirmed AND %s || CAST(d.id AS TEXT) = {token}.otp_device)"
        for cls in DEVICE_CLASSES
    ]
    return RawSQL(  # noqa: S611 (names from the models; the labels are parameters)
        " OR ".join(tests),
        [f"{cls.model_label()}/" for cls in DEVICE_CLASSES],
        output_field=BooleanField(),
    )


def _auth_version_sql() -> str:
    q = connection.ops.quote_name
    meta = AuthVersion._meta
    return f"SELECT {q(meta.get_field('token').column)} FROM {q(meta.db_table)} WHERE id = 1"  # noqa: S608 (names from the model)


@functools.cache
def _token_query() -> QuerySet[ApiToken]:
    """The token with everything a request checks and acts with: its user, its membership with
    the organisation and region (the actor), whether its second factor's device is confirmed,
    the register's version token for the request (ADR 0051), and the auth version token the
    row was read at (ADR 0074). Built once per process (it is the same for every call; only the
    prefix differs) and never evaluated itself."""
    return ApiToken.objects.select_related(
        "user", "membership__organisation__municipality__region"
    ).annotate(
        device_confirmed=_device_confirmed_column(),
        register_token=register.version_column(),
        auth_token=RawSQL(_auth_version_sql(), [], output_field=CharField()),  # noqa: S611 (no parameters)
    )


# The token's statement, compiled once per process with the prefix as its one slot (ADR 0057):
# built and compiled by the ORM on every call it cost more CPU than the database took to answer.
_TOKEN_TEMPLATES = statements.TemplateCache(size=4)
_PROBES = ({"prefix": "probe-one"}, {"prefix": "probe-two"})


def _token_by_prefix(values: dict[str, object]) -> QuerySet[ApiToken]:
    return _token_query().filter(prefix=values["prefix"]).order_by("pk")[:1]


def _template() -> statements.Template | None:
    return _TOKEN_TEMPLATES.get(
        connection.vendor, lambda: statements.compile_template(_token_by_prefix, _PROBES)
    )


def _checked_token(prefix: str) -> tuple[ApiToken | None, tuple | None]:
    """The token's row read afresh (None when no token has this prefix), and the row as read
    when it can be kept for later calls (the compiled statement's converted row)."""
    template = _template()
    if template is None:
        return _token_by_prefix({"prefix": prefix}).first(), None
    rows = template.rows({"prefix": prefix})
    if not rows:
        return None, None
    return _instance(template, rows[0]), rows[0]


def _instance(template: statements.Template, row: tuple) -> ApiToken:
    """The token with its related rows and annotations from one converted row, as
    Template.instances builds them: new instances on every call, so no request shares objects
    with another."""
    start, end = template.model_span
    token = template.model.from_db(connection.alias, template.init, row[start:end])
    for populator in template.populators:
        populator.populate(row, token)
    for attr, pos in template.annotations:
        setattr(token, attr, row[pos])
    return token


# Plain values an instance may hold and share with its copies: none can be changed in place.
_IMMUTABLE = (str, int, float, bool, type(None), datetime, date, Decimal, UUID)


def _copyable(obj: Any, seen: set[int] | None = None) -> bool:
    """Whether `obj` and the related instances it caches can be copied by _fresh with the same
    result as building them from the row: no pre_init or post_init receiver for any of their
    models (a copy runs no __init__), every value plain and immutable, and their state only
    Django's (db, adding, the related cache)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return True
    seen.add(id(obj))
    cls = obj.__class__
    if signals.pre_init.has_listeners(cls) or signals.post_init.has_listeners(cls):
        return False
    if set(obj._state.__dict__) - {"db", "adding", "fields_cache"}:
        return False
    for name, value in obj.__dict__.items():
        if name != "_state" and type(value) not in _IMMUTABLE:
            return False
    return all(rel is None or _copyable(rel, seen) for rel in obj._state.fields_cache.values())


def _fresh(obj: Any, memo: dict[int, Any]) -> Any:
    """A new instance of `obj`'s model with its values and state, its cached related instances
    copied alike (each once): what `_instance` builds from the row, without Django's __init__
    and populators per call (ADR 0091). No instance and no changeable value is shared with
    `obj` or another copy."""
    new = memo.get(id(obj))
    if new is not None:
        return new
    cls = obj.__class__
    new = memo[id(obj)] = cls.__new__(cls)
    state = ModelState()
    state.db = obj._state.db
    state.adding = obj._state.adding
    state.fields_cache = {
        name: None if rel is None else _fresh(rel, memo)
        for name, rel in obj._state.fields_cache.items()
    }
    values = obj.__dict__.copy()
    values["_state"] = state
    new.__dict__.update(values)
    return new


def _from_kept(template: statements.Template, known: _Known) -> ApiToken:
    """The known token's instances for this call: copies of those built from its row the
    first time (the same values, new objects), or built from the row where they cannot be
    copied."""
    proto = known.proto
    if proto is None:
        proto = _instance(template, known.row)
        known.proto = proto = proto if _copyable(proto) else False
    if proto is False:
        return _instance(template, known.row)
    return _fresh(proto, {})


# Tokens this process checked and found usable, by prefix (ADR 0074): the row as read, and the
# auth and register version tokens it was read at. A call with the right secret before the
# expiry reads only the two version tokens (with its throttle count, where it counts in the
# database) in one statement; if either changed, the row is read afresh and checked as on a
# first call. What the row holds can only change with a write that renews the auth version
# (database triggers, migration accounts 0004) or the register's; the clock is compared here.
@dataclass
class _Known:
    secret_hash: str
    expires_at: datetime
    row: tuple
    versions: tuple[str, str]  # (auth, register)
    user_id: int
    last_used_at: datetime | None  # as this process last read or wrote it
    # The instances built from `row` once (never handed out: each call gets copies, _fresh), or
    # False when they cannot be copied so (then each call builds them from the row).
    proto: Any = None


_KNOWN: dict[str, _Known] = {}
_KNOWN_MAX = 4096  # tokens; past it the memory starts afresh (each is read again once)


@functools.cache
def _seen_sql(vendor: str) -> str:
    """The two version tokens as one row (columns c0, c1), for the statement of a known token."""
    reg = register.version_column().sql
    return f"SELECT ({_auth_version_sql()}) AS c0, ({reg}) AS c1"


def _still_current(known: _Known, request: Any, user_id: int) -> str | None:
    """Whether the known token's versions are still current: the register's version token for
    the request when they are, else None. Where the view's throttle counts in the shared table
    (PostgreSQL), the call is counted in the same statement, only if they are."""
    ahead = _count_ahead_target(request, user_id)
    seen_sql = _seen_sql(connection.vendor)
    if ahead is not None:
        key, period = ahead
        seen, hits = throttle.throttle_hit_if(
            key=key, period=period, seen_sql=seen_sql, expected=known.versions
        )
        if hits is not None:
            throttle.counted_ahead(key=key, period=period, hits=hits)
    else:
        seen = tuple(statements.execute(seen_sql, [])[0])
    if seen != known.versions:
        return None
    return known.versions[1]


def _count_ahead_target(request: Any, user_id: int) -> tuple[str, int] | None:
    """The key and window the view's first throttle that counts a signed-in user in the shared
    table will count this call in (samen.api.throttling, `count_ahead`), if any, on PostgreSQL
    (one statement can read and count there) and inside a request (the throttle takes it)."""
    if connection.vendor != "postgresql" or not throttle.can_count_ahead():
        return None
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None:
        return None
    user = _UserId(user_id)
    for rate_throttle in view.get_throttles():
        count_ahead = getattr(rate_throttle, "count_ahead", None)
        target = count_ahead(user) if count_ahead is not None else None
        if target is not None:
            return target
    return None


@dataclass(frozen=True)
class _UserId:
    pk: int


REFUSALS = {
    "revoked": gettext_lazy("This token has been revoked."),
    "expired": gettext_lazy("This token has expired. Request a new one."),
    "inactive": gettext_lazy("Invalid token."),
    "membership": gettext_lazy(
        "The membership this token was issued for has changed. Request a new one."
    ),
    "second_factor": gettext_lazy(
        "Your role needs a second factor: request a new token with a code."
    ),
}


class _HeaderOf:
    """What DRF's TokenAuthentication.authenticate reads of a request (`headers`, for its
    Authorization header) without Django's `request.headers`, which builds a mapping of every
    header of the request to answer one (ADR 0105): the header is the one WSGI variable
    HTTP_AUTHORIZATION, as HttpHeaders names it (PEP 3333: HTTP_ variables are upper case).
    Where the request built its headers already, they are used."""

    __slots__ = ("headers",)

    def __init__(self, request: Any) -> None:
        django_request = getattr(request, "_request", request)
        built = vars(django_request).get("headers")
        if built is not None:
            self.headers = built
            return
        value = django_request.META.get("HTTP_AUTHORIZATION")
        self.headers = {} if value is None else {"authorization": value}


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <prefix>.<secret>`; every check of `token_status` on every call:
    on the row read afresh, or on the row this process read before while the auth and register
    version tokens read in the call's own statement say nothing it depends on has changed
    (ADR 0074)."""

    keyword = "Token"
    request: Any = None

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        self.request = request  # the throttles of its view (a new authenticator per request)
        return super().authenticate(_HeaderOf(request))

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        prefix, _sep, secret = key.partition(SEPARATOR)
        now = timezone.now()
        known = _KNOWN.get(prefix) if prefix and secret else None
        # Only the right secret takes the short way: a wrong one reads the row as an unknown
        # prefix does, so timing does not tell which prefixes exist (or are known here).
        if (
            known is not None
            and hmac.compare_digest(known.secret_hash, _hash(secret))
            and now < known.expires_at
        ):
            token = self._known(prefix, known)
            if token is not None:
                return self._accepted(token, now, known)
        token, row = _checked_token(prefix) if prefix and secret else (None, None)
        # Compare even when no row matched, so timing does not tell which prefixes exist.
        expected = token.secret_hash if token else _hash("")
        if not hmac.compare_digest(expected, _hash(secret)) or token is None:
            raise AuthenticationFailed(_("Invalid token."))
        register.note_version(token.register_token)  # type: ignore[attr-defined]
        status = token_status(token)
        if status:
            _KNOWN.pop(prefix, None)
            raise AuthenticationFailed(str(REFUSALS[status]))
        versions = (token.auth_token, token.register_token)  # type: ignore[attr-defined]
        known = None
        if row is not None and None not in versions:
            if len(_KNOWN) >= _KNOWN_MAX:
                _KNOWN.clear()
            known = _Known(
                token.secret_hash, token.expires_at, row, versions, token.user_id,
                token.last_used_at,
            )  # fmt: skip
            _KNOWN[prefix] = known
        return self._accepted(token, now, known)

    def _known(self, prefix: str, known: _Known) -> ApiToken | None:
        """The known token, if its versions are still current (forgotten if not). token_status
        is not asked again: it answered "" for this row, and what it reads (the row, the user's
        memberships and their organisations, the devices, the register) has not changed since,
        or a version would have; its one other input, the clock, was compared by the caller."""
        template = _template()
        register_token = None
        if template is not None:
            register_token = _still_current(known, self.request, known.user_id)
        if template is None or register_token is None:
            _KNOWN.pop(prefix, None)
            return None
        register.note_version(register_token)
        token = _from_kept(template, known)
        token.register_token = register_token  # type: ignore[attr-defined]
        token.last_used_at = known.last_used_at
        return token

    def _accepted(
        self, token: ApiToken, now: datetime, known: _Known | None
    ) -> tuple[User, ApiToken]:
        # The membership acts for the token's user (token_status checked they are one).
        token.membership.user = token.user
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            # Coarse, so a busy client does not write on every call.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            if known is not None:
                known.last_used_at = now
        return token.user, token
