"""Small helpers every app's pages share (web/ is imported by nobody but the URLs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def page_number(request: HttpRequest) -> int:
    """The ``page`` query parameter; anything but a positive number is the first page."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def back_to(url: str, anchor: str) -> HttpResponse:
    """After a step, back to the block the user acted on, not the top of the page."""
    return redirect(f"{url}#{anchor}")
