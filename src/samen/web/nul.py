import re
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
            or _body_has_nul(request)
        ):
            message = _("The request contains a NUL byte, which is never valid.")
            where = "body" if _body_has_nul(request) else "query"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "fields": {where: [message]}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


# A JSON string escape for NUL that is not itself an escaped backslash (\\u0000 is text).
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
FORM_TYPES = ("application/json", "application/x-www-form-urlencoded")


def _body_has_nul(request: HttpRequest) -> bool:
    """JSON and form bodies reach text columns too (a NUL in a JSON string made PostgreSQL fail
    in a look-up). Uploads (multipart) are left alone: a document may hold NUL bytes."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    if not request.content_type.startswith(FORM_TYPES):
        return False
    body = request.body
    if request.content_type == "application/json":
        return b"\x00" in body or JSON_NUL.search(body) is not None
    return b"\x00" in body or b"%00" in body
