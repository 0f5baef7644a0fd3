import re
from collections.abc import Callable

from django.core.paginator import Page
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def page_params(request: Request) -> tuple[int, int]:
    """Page number and size from the query; invalid values fall back instead of failing."""

    def as_int(name: str, default: int, low: int, high: int) -> int:
        try:
            value = int(request.query_params.get(name, default))
        except (TypeError, ValueError):
            return default
        return max(low, min(value, high))

    return as_int("page", 1, 1, 10**6), as_int("page_size", 25, 1, Pagination.max_page_size)


def paged_response(request: Request, page: Page, results: list) -> Response:
    def link(number: int | None) -> str | None:
        if number is None:
            return None
        return request.build_absolute_uri(
            request.path + "?" + _with_page(request.query_params.copy(), number)
        )

    return Response(
        {
            "count": page.paginator.count,
            "next": link(page.next_page_number() if page.has_next() else None),
            "previous": link(page.previous_page_number() if page.has_previous() else None),
            "results": results,
        }
    )


def _with_page(params, number: int) -> str:
    params["page"] = str(number)
    return params.urlencode()


def cursor_response(
    request: Request,
    *,
    count: int | None,
    next_cursor: str | None,
    results: list,
    respond: Callable[[dict], Response] = Response,
) -> Response:
    """A page by cursor: `next` carries the query with the cursor, any `page` left out.
    `respond` makes the response of the page's data (a LeanGetView's `respond`)."""
    link = None if next_cursor is None else next_link(request, next_cursor)
    return respond({"count": count, "next": link, "previous": None, "results": results})


def _next_link(request: Request, next_cursor: str) -> str:
    params = request.query_params.copy()
    params.pop("page", None)
    params["cursor"] = next_cursor
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


# The `next` links of the queries seen, as (before the cursor, after it), by scheme and host,
# path, encoding and query string: the link is _next_link's with the cursor put in, since a
# cursor of _PLAIN characters comes out of the query's encoding and the URI's quoting as it went
# in (ADR 0082). Bounded: past _LINKS_MAX it starts afresh.
_LINKS: dict[tuple[str, str, str, str], tuple[str, str]] = {}
_LINKS_MAX = 1024
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")
_MARK = "0samen0cursor0"  # plain characters too; a query holding it is not kept


def next_link(request: Request, next_cursor: str) -> str:
    """_next_link(request, next_cursor), the query's shape built once per process."""
    if not _PLAIN.fullmatch(next_cursor):
        return _next_link(request, next_cursor)
    # The host is checked (ALLOWED_HOSTS) on every request, as build_absolute_uri checks it.
    scheme_host = request._request._current_scheme_host
    query = request._request.META.get("QUERY_STRING", "")
    key = (scheme_host, request.path, str(request._request.encoding), query)
    parts = _LINKS.get(key)
    if parts is None:
        if _MARK in query:
            return _next_link(request, next_cursor)
        before, mark, after = _next_link(request, _MARK).partition(_MARK)
        if not mark or _MARK in after:
            return _next_link(request, next_cursor)
        if len(_LINKS) >= _LINKS_MAX:
            _LINKS.clear()
        parts = _LINKS[key] = (before, after)
    return parts[0] + next_cursor + parts[1]
