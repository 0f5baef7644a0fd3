"""Second factor (TOTP, django-otp) for every role that can see identity."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.core.register import grants_for, purposes_of_role
from samen.organisations.models import Membership


def requires_second_factor(user: object) -> bool:
    """True when any of the user's memberships may see identity for any of its purposes."""
    if not getattr(user, "is_authenticated", False):
        return False
    for org_type, role in Membership.objects.filter(user=user, is_active=True).values_list(
        "organisation__type", "role"
    ):
        if any("identity" in grants_for(org_type, p) for p in purposes_of_role(role)):
            return True
    return False


def confirmed_device(user: object) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def device_for_setup(user: object) -> TOTPDevice:
    """The device being set up: the user's unconfirmed one, else a new one (confirmed once the
    first code from it is right)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first() or (
        TOTPDevice.objects.create(user=user, name="Samen", confirmed=False)
    )


def is_verified(user: object) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())
