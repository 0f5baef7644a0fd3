"""The case list's page built at once (`LeanGetView.respond`, ADR 0109) is the response DRF's
path gives: `Response(data)`, `finalize_response` and the lean rendering. Compared here object by
object as the view hands it to the middleware (every attribute, in order, headers in order) and
as the client receives it (status, headers in order, body), on real pages and cursor pages of
several roles in Dutch and English; refusals and other requests never take it."""

import json

import pytest
from rest_framework.response import Response

from samen.api import base
from samen.api.base import LeanGetView

ROLES = ("demo-registrar", "demo-coordinator", "demo-investigator")
PER_RESPONSE = {"X-Request-ID"}


def _drfs_way(monkeypatch):
    """While active, the view answers by Response(data) and DRF's finalize (the old path)."""
    monkeypatch.setattr(LeanGetView, "respond", lambda self, data: Response(data))


def _state(response, view, request) -> list:
    """Every attribute of the response as the view hands it on, comparable across two requests:
    the view, the request and the renderer are this request's own objects."""
    out = [type(response)]
    for name, value in vars(response).items():
        if name == "headers":
            value = (type(value), vars(value).keys(), list(value._store.items()))
        elif name == "cookies":
            value = (type(value), dict(value), vars(value))
        elif name == "accepted_renderer":
            value = (type(value), value is request.accepted_renderer, vars(value))
        elif name == "renderer_context":
            value = [
                (k, v is view if k == "view" else v is request if k == "request" else v)
                for k, v in value.items()
            ]
        elif name == "_resource_closers":
            value = [(type(c), getattr(c, "func", None)) for c in value]
        out.append((name, value))
    return out


@pytest.fixture
def seen(monkeypatch):
    """The state of each response the list view's dispatch hands on, in order."""
    states = []
    dispatch = LeanGetView.dispatch

    def recording(self, request, *args, **kwargs):
        response = dispatch(self, request, *args, **kwargs)
        states.append(_state(response, self, self.request))
        return response

    monkeypatch.setattr(LeanGetView, "dispatch", recording)
    return states


def _answer(response) -> tuple:
    headers = [(k, v) for k, v in response.headers.items() if k not in PER_RESPONSE]
    return response.status_code, headers, response.content


@pytest.fixture
def cases(record):
    for _ in range(3):
        record(forms=["sexual", "labour"])
    record(forms=["criminal"])
    record(forms=["labour"], municipality="GM0363")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pages_are_drfs_object_for_object(api_for, cases, monkeypatch, seen, language):
    extra = {"HTTP_ACCEPT_LANGUAGE": language, "HTTP_ACCEPT": "application/json"}
    built = 0
    make = base._page_response

    def counting(view, data):
        nonlocal built
        built += 1
        return make(view, data)

    monkeypatch.setattr(base, "_page_response", counting)
    for username in ROLES:
        api = api_for(username)
        paths = ["/api/v1/cases/", "/api/v1/cases/?page_size=2", "/api/v1/cases/?count=true"]
        first = json.loads(api.get("/api/v1/cases/?page_size=2", **extra).content)
        if first["next"]:
            paths.append(first["next"])
            second = json.loads(api.get(first["next"], **extra).content)
            if second["next"]:
                paths.append(second["next"])
        for path in paths:
            seen.clear()
            before = built
            new = _answer(api.get(path, **extra))
            assert built == before + 1  # the page was built at once
            with monkeypatch.context() as m:
                _drfs_way(m)
                old = _answer(api.get(path, **extra))
            assert built == before + 1
            assert new == old and new[0] == 200, (username, path)
            assert len(seen) == 2 and seen[0] == seen[1], (username, path)


def test_the_shortcut_is_the_only_difference(api_for, cases, monkeypatch, seen):
    """A check that the comparison above can fail: a page built without its Vary differs."""
    api = api_for("demo-registrar")
    real = base._page_store

    def no_vary(view_headers):
        store = dict(real(view_headers))
        store.pop("vary", None)
        return store

    monkeypatch.setattr(base, "_page_store", no_vary)
    new = _answer(api.get("/api/v1/cases/", HTTP_ACCEPT="application/json"))
    with monkeypatch.context() as m:
        _drfs_way(m)
        old = _answer(api.get("/api/v1/cases/", HTTP_ACCEPT="application/json"))
    assert seen[0] != seen[1]
    assert new != old


@pytest.mark.parametrize(
    "path, extra, status",
    [
        ("/api/v1/cases/", {"HTTP_ACCEPT": "application/json; indent=4"}, 200),
        ("/api/v1/cases/?format=json", {}, 200),
        ("/api/v1/cases/?page=1", {}, 200),  # numbered pages: paged_response
        ("/api/v1/cases/?status=nonsense", {}, 400),
        ("/api/v1/cases/?cursor=!!", {}, 400),
    ],
)
def test_other_answers_do_not_take_it(api_for, cases, monkeypatch, seen, path, extra, status):
    monkeypatch.setattr(base, "_page_response", pytest.fail)
    api = api_for("demo-registrar")
    new = _answer(api.get(path, **extra))
    with monkeypatch.context() as m:
        _drfs_way(m)
        old = _answer(api.get(path, **extra))
    assert new == old and new[0] == status
    assert seen[0] == seen[1]


def test_head_and_options_do_not_take_it(api_for, cases, monkeypatch):
    monkeypatch.setattr(base, "_page_response", pytest.fail)
    api = api_for("demo-registrar")
    assert api.head("/api/v1/cases/").status_code == 200
    assert api.options("/api/v1/cases/").status_code == 200
