from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """A NUL byte is never valid input, and PostgreSQL cannot even compare text with one: refuse
    it at the door with a 400 instead of failing deep in a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in v for values in request.GET.lists() for v in values[1])
        ):
            message = _("The request contains a NUL byte, which is never valid.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "fields": {"query": [message]}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
