from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from samen.accounts.twofactor import is_verified, requires_second_factor

OPEN_PREFIXES = ("/account/", "/i18n/", "/static/", "/healthz", "/readyz", "/api/")


class SecondFactorMiddleware:
    """Web sessions of users who may see identity must pass the second factor before anything
    else. (The API checks sessions in its permission class, and tokens on every request in
    `samen.accounts.tokens`, by the same rule.)"""

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


LOGIN_PATHS = ("/account/login/", "/api/v1/auth/token/")


class LoginRateLimitMiddleware:
    """Caps sign-in attempts per address (besides the per-account lockout), so one address cannot
    try many accounts. Counts live in Django's cache; behind several processes use a shared one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in LOGIN_PATHS:
            key = f"samen:login-rate:{request.META.get('REMOTE_ADDR', '')}"
            cache.add(key, 0, timeout=settings.LOGIN_RATE_WINDOW_SECONDS)
            attempts = cache.incr(key)
            if attempts > settings.LOGIN_RATE_LIMIT:
                message = _("Too many sign-in attempts from your address. Wait a few minutes.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=429)
                return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
