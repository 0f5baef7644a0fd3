from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from samen.accounts.twofactor import is_verified, requires_second_factor

OPEN_PREFIXES = ("/account/", "/i18n/", "/static/", "/healthz", "/api/")


class SecondFactorMiddleware:
    """Web sessions of users who may see identity must pass the second factor before anything
    else. (The API checks it in its permission class: tokens are issued only with a code.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not is_verified(user)
            and requires_second_factor(user)
        ):
            return redirect("two-factor")
        return self.get_response(request)
