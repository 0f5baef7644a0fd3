"""Who is acting: a user in one membership (organisation + role), from an origin, for a purpose."""

from __future__ import annotations

from dataclasses import dataclass

from samen.organisations.models import Membership, Organisation


@dataclass(frozen=True)
class Actor:
    user: object  # samen.accounts.models.User; typed loosely to keep this importable early
    membership: Membership | None
    origin: str = ""
    purpose: str = ""

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
HEADER = "HTTP_X_SAMEN_MEMBERSHIP"


def active_memberships(user: object) -> list[Membership]:
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


def client_origin(meta: dict, channel: str) -> str:
    # The address is the origin that NEN 7513 asks for; it is not personal data of a victim.
    return f"{channel}:{meta.get('REMOTE_ADDR', '')}"[:64]
