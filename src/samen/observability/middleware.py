"""Per request: a fresh request id (bound to every log line and returned in X-Request-ID), the
latency histogram by URL pattern, and one access-log event without path, query or user."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse

from samen.observability.metrics import IN_PROGRESS, REQUEST_LATENCY

logger = structlog.get_logger("samen.request")


def _route(request: HttpRequest) -> str:
    # The pattern that matched ("zaken/<str:number>/"), never the path: paths carry identifiers.
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else "unmatched"


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Always our own id: an incoming header is caller-chosen text and would land in the log.
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        IN_PROGRESS.inc()
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            IN_PROGRESS.dec()
            seconds = time.perf_counter() - started
            route = _route(request)
            method = request.method if request.method in KNOWN_METHODS else "other"
            REQUEST_LATENCY.labels(route=route, method=method, status=str(status)).observe(seconds)
            logger.info(
                "request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()


KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
