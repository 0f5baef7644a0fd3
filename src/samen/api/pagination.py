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
    request: Request, *, count: int | None, next_cursor: str | None, results: list
) -> Response:
    """A page by cursor: `next` carries the query with the cursor, any `page` left out."""
    link = None
    if next_cursor is not None:
        params = request.query_params.copy()
        params.pop("page", None)
        params["cursor"] = next_cursor
        link = request.build_absolute_uri(request.path + "?" + params.urlencode())
    return Response({"count": count, "next": link, "previous": None, "results": results})
