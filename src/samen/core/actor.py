"""Who is acting: a user in one membership (organisation + role), from an origin, for a purpose."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from samen.core.register import purposes_of_role
from samen.organisations.models import Membership, Organisation


@dataclass(frozen=True)
class Actor:
    user: Any  # samen.accounts.models.User (or AnonymousUser); accounts sits above the core
    membership: Membership | None
    origin: str = ""
    purpose: str = ""
    # Per-request memo of register look-ups; never compared, never shared between requests.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str:
        return self.membership.role if self.membership else ""

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))


SESSION_KEY = "samen_membership_id"
PURPOSE_SESSION_KEY = "samen_purpose"
HEADER = "HTTP_X_SAMEN_MEMBERSHIP"
PURPOSE_HEADER = "HTTP_X_SAMEN_PURPOSE"


def active_memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation__municipality__region")
        .order_by("id")
    )


def choose_membership(memberships: list[Membership], wanted: object) -> Membership | None:
    """The membership asked for (by id), else the first one; None when the user has none."""
    if wanted:
        for m in memberships:
            if str(m.pk) == str(wanted):
                return m
    return memberships[0] if memberships else None


def choose_purpose(role: str, wanted: object) -> str:
    """The purpose asked for when the role may act for it, else the role's default purpose."""
    allowed = purposes_of_role(role) if role else []
    if wanted and str(wanted) in allowed:
        return str(wanted)
    return allowed[0] if allowed else ""


def actor_for_membership(membership: Membership, *, origin: str, purpose: str = "") -> Actor:
    """An actor outside a web request (commands, jobs, tests), with the same purpose rules."""
    return Actor(
        user=membership.user,
        membership=membership,
        origin=origin,
        purpose=choose_purpose(membership.role, purpose),
    )


def client_origin(meta: dict, channel: str) -> str:
    # The address is the origin that NEN 7513 asks for; it is not personal data of a victim.
    return f"{channel}:{meta.get('REMOTE_ADDR', '')}"[:64]
