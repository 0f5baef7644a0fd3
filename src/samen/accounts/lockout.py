"""What a locked-out caller gets: the lockout page in the browser; on the API the same JSON as any
failed sign-in, so the API neither switches to HTML nor tells whether an account exists."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Unknown user name or password, or the account is locked.")}, status=401
        )
    return render(request, "accounts/locked_out.html", status=429)
