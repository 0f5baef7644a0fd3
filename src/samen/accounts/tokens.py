"""API tokens: issue, check on every request, revoke. Only a hash of the secret is stored."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from samen.accounts.models import ApiToken, IdentityProviderDevice, User
from samen.accounts.twofactor import requires_second_factor
from samen.core import audit, register, statements
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


@functools.cache
def _token_query() -> QuerySet[ApiToken]:
    """The token with everything a request checks and acts with: its user, its membership with
    the organisation and region (the actor), whether its second factor's device is confirmed,
    and the register's version token for the request (ADR 0051). Built once per process (it is
    the same for every call; only the prefix differs) and never evaluated itself."""
    return ApiToken.objects.select_related(
        "user", "membership__organisation__municipality__region"
    ).annotate(
        device_confirmed=_device_confirmed_column(), register_token=register.version_column()
    )


# The token's statement, compiled once per process with the prefix as its one slot (ADR 0057):
# built and compiled by the ORM on every call it cost more CPU than the database took to answer.
_TOKEN_TEMPLATES = statements.TemplateCache(size=4)
_PROBES = ({"prefix": "probe-one"}, {"prefix": "probe-two"})


def _token_by_prefix(values: dict[str, object]) -> QuerySet[ApiToken]:
    return _token_query().filter(prefix=values["prefix"]).order_by("pk")[:1]


def _checked_token(prefix: str) -> ApiToken | None:
    template = _TOKEN_TEMPLATES.get(
        connection.vendor, lambda: statements.compile_template(_token_by_prefix, _PROBES)
    )
    if template is None:
        return _token_by_prefix({"prefix": prefix}).first()
    found = template.instances({"prefix": prefix})
    return found[0] if found else None


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


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <prefix>.<secret>`; every check of `token_status` on every call."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        prefix, _sep, secret = key.partition(SEPARATOR)
        token = _checked_token(prefix) if prefix and secret else None
        # Compare even when no row matched, so timing does not tell which prefixes exist.
        expected = token.secret_hash if token else _hash("")
        if not hmac.compare_digest(expected, _hash(secret)) or token is None:
            raise AuthenticationFailed(_("Invalid token."))
        register.note_version(token.register_token)  # type: ignore[attr-defined]
        status = token_status(token)
        if status:
            raise AuthenticationFailed(str(REFUSALS[status]))
        # The membership acts for the token's user (token_status checked they are one).
        token.membership.user = token.user
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            # Coarse, so a busy client does not write on every call.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
