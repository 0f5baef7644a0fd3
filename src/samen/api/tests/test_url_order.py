"""The API's URL patterns tried first (ADR 0091) answer every path as the old order did: the
root's `api/v1/` straight after `healthz` (it was after the web's admin and account patterns)
and, inside the API, `cases/` first (it was after the signalling include). Every path a pattern
of the project names, and odd ones, resolve to the same view, arguments, route and name, or to
no match, under both orders."""

import re

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, include, path
from django.urls.resolvers import RegexPattern
from django.urls.resolvers import URLResolver as Resolver

import samen.api.urls as api_urls
import samen.urls as root_urls

SAMPLES = {"int": "7", "slug": "abc-1", "str": "MH-2026-000001", "path": "a/b", "uuid": "0" * 32}


def _moved(patterns: list, prefix: str, before: str) -> list:
    """The patterns with the one of `prefix` put back just before the one of `before`."""
    rest = [p for p in patterns if str(p.pattern) != prefix]
    (moved,) = [p for p in patterns if str(p.pattern) == prefix]
    at = next(i for i, p in enumerate(rest) if str(p.pattern) == before)
    return [*rest[:at], moved, *rest[at:]]


class _Conf:
    """A urlconf object (hashable, as Django's resolver cache needs)."""

    def __init__(self, urlpatterns: list) -> None:
        self.urlpatterns = urlpatterns


def _old_order() -> _Conf:
    """The root urlconf as it was: `api/v1/` just before the web's "", and inside it `cases/`
    just before the sharing include (the second "")."""
    api = list(api_urls.urlpatterns)
    rest = [p for p in api if str(p.pattern) != "cases/"]
    (cases,) = [p for p in api if str(p.pattern) == "cases/"]
    empties = [i for i, p in enumerate(rest) if str(p.pattern) == ""]
    old_api = [*rest[: empties[1]], cases, *rest[empties[1] :]]
    old_api_prefix = path("api/v1/", include((old_api, "api")))
    root = [old_api_prefix if str(p.pattern) == "api/v1/" else p for p in root_urls.urlpatterns]
    return _Conf(_moved(root, "api/v1/", ""))


def _routes(patterns: list, prefix: str = "") -> list[str]:
    """A path for every route-pattern of the tree, its converters filled in."""
    found = []
    for p in patterns:
        route = str(p.pattern)
        if route.startswith("^"):
            continue  # a regular expression (the API's catch-all): covered by the odd paths
        filled = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
        if isinstance(p, URLResolver):
            found += _routes(p.url_patterns, prefix + filled)
        elif isinstance(p, URLPattern):
            found.append(prefix + filled)
    return found


ODD = [
    "", "healthz", "api/v1/", "api/v1", "api/v1/cases", "api/v1/cases/", "api/v1/cases//",
    "api/v1/cases/x/y/", "api/v1/cases/MH-2026-000001/notes", "api/v1/signals/x/",
    "api/v1/shares/", "api/v1/register/", "api/v1/nothing/", "api/v1/me", "api/schema/",
    "api/docs/", "api/v2/cases/", "admin/", "account/login/", "cases/", "zaken/",
]  # fmt: skip


def _answer(url: str, urlconf: object) -> tuple | None:
    try:
        m = Resolver(RegexPattern(r"^/"), urlconf).resolve("/" + url)
    except Resolver404:
        return None
    return (m.func, m.args, m.kwargs, m.url_name, m.route, m.namespaces)


def test_every_path_resolves_as_under_the_old_order():
    old = _old_order()
    new = root_urls
    # The reordering is what this test is about: the two orders differ.
    assert [str(p.pattern) for p in old.urlpatterns] != [str(p.pattern) for p in new.urlpatterns]
    paths = _routes(new.urlpatterns) + ODD
    assert len(paths) > 60
    assert any(p.startswith("api/v1/cases/") for p in paths)
    for url in paths:
        assert _answer(url, old) == _answer(url, new), url
    # The case list is reached, and the API's catch-all answers the rest under api/v1/.
    assert _answer("api/v1/cases/", new)[3] == "case-list"
    assert _answer("api/v1/nothing/", new)[3] == "not-found"


@pytest.mark.parametrize("url", ["api/v1/cases/", "api/v1/cases/MH-2026-000001/"])
def test_the_case_paths_are_tried_first(url):
    """What the order is for: the case list's path is matched by the first pattern of each
    level (so an API request is not tried against the web's patterns and the other includes)."""
    match = Resolver(RegexPattern(r"^/"), root_urls).resolve("/" + url)
    assert match.namespaces == ["api"]
    assert str(root_urls.urlpatterns[1].pattern) == "api/v1/"
    assert str(api_urls.urlpatterns[0].pattern) == "cases/"
