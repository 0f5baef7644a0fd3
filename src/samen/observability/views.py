"""/metrics for Prometheus, behind a bearer token (SAMEN_METRICS_TOKEN); absent when unset."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from samen.core.access import PUBLIC, access
from samen.observability.metrics import exposition


@access(PUBLIC)  # not a user's page: the scraper proves itself with the token below
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
