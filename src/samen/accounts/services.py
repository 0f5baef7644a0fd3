from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from samen.accounts.twofactor import confirmed_device, requires_second_factor


def token_for_credentials(
    request: HttpRequest, *, username: str, password: str, otp: str = ""
) -> str:
    """An API token for valid credentials, and a valid second-factor code where the role needs
    one. Failures count towards the same lockout as the login page (django-axes sees this
    authenticate call)."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        # One message for wrong name, wrong password and lockout: no account enumeration.
        raise AuthenticationFailed(_("Unknown user name or password, or the account is locked."))
    if requires_second_factor(user):
        device = confirmed_device(user)
        if device is None:
            raise AuthenticationFailed(_("Set up your second factor in the web application first."))
        if not otp or not device.verify_token(otp):
            raise AuthenticationFailed(_("A valid second-factor code (otp) is required."))
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
