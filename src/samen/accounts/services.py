from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed, ValidationError

from samen.accounts.models import ApiToken
from samen.accounts.tokens import ISSUE, token_issue, token_refused
from samen.accounts.twofactor import confirmed_device, requires_second_factor
from samen.core.actor import active_memberships, choose_membership, client_origin


def token_for_credentials(
    request: HttpRequest,
    *,
    username: str,
    password: str,
    otp: str = "",
    membership: int | None = None,
) -> tuple[ApiToken, str]:
    """A new API token for valid credentials, and a valid second-factor code where the user's
    roles need one, bound to one membership (the one asked for, else the first). Failures count
    towards the same lockout as the login page (django-axes sees this authenticate call)."""
    origin = client_origin(request.META, "api")
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        # Audited without the name typed: it may be someone else's, or a password.
        token_refused(user=None, action=ISSUE, reason="credentials", origin=origin)
        # One message for wrong name, wrong password and lockout: no account enumeration.
        raise AuthenticationFailed(_("Unknown user name or password, or the account is locked."))
    device = None
    if requires_second_factor(user):
        device = confirmed_device(user)
        if device is None:
            token_refused(user=user, action=ISSUE, reason="no_second_factor", origin=origin)
            raise AuthenticationFailed(_("Set up your second factor in the web application first."))
        if not otp or not device.verify_token(otp):
            token_refused(user=user, action=ISSUE, reason="second_factor", origin=origin)
            raise AuthenticationFailed(_("A valid second-factor code (otp) is required."))
    memberships = active_memberships(user)
    chosen = choose_membership(memberships, membership)
    if chosen is None or (membership is not None and chosen.pk != membership):
        token_refused(user=user, action=ISSUE, reason="membership", origin=origin)
        raise ValidationError({"membership": [_("Not one of your active memberships.")]})
    return token_issue(user=user, membership=chosen, device=device, origin=origin)
