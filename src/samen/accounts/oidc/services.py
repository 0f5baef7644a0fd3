"""Sign-in through an identity provider: find or create the user, bring the memberships in the
provider's organisation in line with its claims, and audit every sign-in and every refusal."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from samen.accounts.models import ExternalIdentity, IdentityProviderDevice, User
from samen.accounts.oidc.claims import INACTIVE, UNKNOWN_USER, Decision
from samen.accounts.oidc.providers import Provider
from samen.core import audit
from samen.core.actor import Actor
from samen.organisations.models import Membership, Organisation

SIGN_IN = "oidc.sign_in"
SIGN_OUT = "account.sign_out"
# How a sign-out ended, in its audit entry: local account; signed out at the provider too; the
# provider offers no end-session endpoint, so only Samen's session ended.
LOCAL, AT_PROVIDER, PROVIDER_KEPT = "local", "provider", "provider_kept"
# Profile claims copied onto the account (staff data, shown in the user's own menu); the
# organisation and role claims are not kept: the memberships are what they mean.
PROFILE = {"given_name": "first_name", "family_name": "last_name", "email": "email"}


class SignInRefused(Exception):
    def __init__(self, reason: str, *, audited: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.audited = audited


def provider_organisation(provider: Provider) -> Organisation:
    found = Organisation.objects.filter(name=provider.organisation)
    if provider.municipality:
        found = found.filter(municipality__code=provider.municipality)
    organisations = list(found[:2])
    if len(organisations) != 1:
        raise ImproperlyConfigured(
            f"identity provider {provider.key}: its organisation is not one organisation in Samen"
        )
    return organisations[0]


def _username(provider: Provider, subject: str) -> str:
    # No name or address in the user name: it shows in lists and the audit trail.
    digest = hashlib.sha256(f"{provider.key}\0{subject}".encode()).hexdigest()[:16]
    return f"{provider.key}-{digest}"[:150]


def oidc_refused(
    *,
    provider: Provider | None,
    reason: str,
    origin: str,
    user: User | None = None,
    detail: dict | None = None,
) -> None:
    """Audit a refused sign-in; `reason` is a code, never a claim's value."""
    membership = None
    if provider is not None and user is not None:
        membership = (
            Membership.objects.filter(user=user, organisation__name=provider.organisation)
            .select_related("organisation")
            .first()
        )
    audit.record(
        Actor(user=user, membership=membership, origin=origin),
        SIGN_IN,
        object_type="identity_provider",
        object_id=provider.key if provider else "",
        result="denied",
        detail={"reason": reason, **(detail or {})},
    )


def _sync_memberships(
    *, user: User, organisation: Organisation, roles: tuple[str, ...]
) -> Membership:
    """The user's memberships in this organisation become exactly the granted roles (others are
    deactivated, not deleted: their history stays); memberships elsewhere are left alone."""
    current = {m.role: m for m in Membership.objects.filter(user=user, organisation=organisation)}
    for role, membership in current.items():
        active = role in roles
        if membership.is_active != active:
            membership.is_active = active
            membership.save(update_fields=["is_active"])
    for role in roles:
        if role not in current:
            current[role] = Membership.objects.create(
                user=user, organisation=organisation, role=role
            )
    return current[roles[0]]


@audit.atomic
def oidc_sign_in(
    *, provider: Provider, subject: str, claims: dict, decision: Decision, origin: str
) -> tuple[User, Membership, IdentityProviderDevice | None]:
    """The user behind (provider, subject), created where the provider may create accounts,
    with the memberships the decision grants; the second-factor device when the provider asserted
    one. Raises SignInRefused (audited) otherwise."""
    organisation = provider_organisation(provider)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider.key, subject=subject)
        .first()
    )
    if identity is None:
        if not provider.create_users:
            oidc_refused(provider=provider, reason=UNKNOWN_USER, origin=origin)
            raise SignInRefused(UNKNOWN_USER, audited=True)
        user = User.objects.create_user(username=_username(provider, subject))
        user.set_unusable_password()  # signs in through the provider only
        identity = ExternalIdentity.objects.create(
            provider=provider.key, subject=subject, user=user
        )
    user = identity.user
    if not user.is_active:
        oidc_refused(provider=provider, reason=INACTIVE, origin=origin, user=user)
        raise SignInRefused(INACTIVE, audited=True)
    changed = [
        attr
        for claim, attr in PROFILE.items()
        if isinstance(claims.get(claim), str) and getattr(user, attr) != claims[claim][:150]
    ]
    for claim, attr in PROFILE.items():
        if attr in changed:
            setattr(user, attr, claims[claim][:150])
    user.save()
    membership = _sync_memberships(user=user, organisation=organisation, roles=decision.roles)
    identity.last_sign_in_at = timezone.now()
    identity.save(update_fields=["last_sign_in_at"])
    device = None
    if decision.second_factor:
        device, _ = IdentityProviderDevice.objects.get_or_create(
            user=user, provider=provider.key, defaults={"name": provider.key, "confirmed": True}
        )
    audit.record(
        Actor(user=user, membership=membership, origin=origin),
        SIGN_IN,
        object_type="identity_provider",
        object_id=provider.key,
        detail={
            "roles": list(decision.roles),
            "dropped_roles": list(decision.dropped),
            "second_factor": decision.second_factor,
        },
    )
    return user, membership, device


def account_sign_out(*, actor: Actor, provider: Provider | None, ended: str) -> None:
    """Audit a sign-out: whose, through which provider, and whether the provider's session ends
    too (`ended`: LOCAL, AT_PROVIDER or PROVIDER_KEPT). Never the id token."""
    audit.record(
        actor,
        SIGN_OUT,
        object_type="identity_provider" if provider else "",
        object_id=provider.key if provider else "",
        detail={"ended": ended},
    )
