"""Public pages about the service itself: the accessibility statement and the favicon."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.generic.base import RedirectView

from samen.core.access import PUBLIC, access, declare

# Browsers ask /favicon.ico of every page (and of PDFs and downloads): a permanent redirect to
# the static icon, instead of a rendered 404 page per request.
favicon = declare(
    cache_control(max_age=86400)(RedirectView.as_view(url=static("samen/favicon.svg"))),
    PUBLIC,
)


@access(PUBLIC)
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (toegankelijkheidsverklaring) in the standard form."""
    return render(
        request,
        "samen/accessibility.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "operator_name": settings.OPERATOR_NAME,
        },
    )
