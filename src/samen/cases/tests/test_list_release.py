"""A closed case-list response leaves nothing for the garbage collector (ADR 0100): the view,
DRF's request, the response and the page's rows are freed by their reference counts once the
WSGI server closes the response, and the answer is the same bytes as without the release."""

import gc
import weakref

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from samen.api import base
from samen.conftest import api_token_for
from samen.core.models import AuditEntry


class _Rows(list):
    """The page's rows in a list that can be referred to weakly."""


@pytest.fixture(autouse=True)
def _counts_forgotten():
    """The counts these requests cache (keyed by the register's version, which the test's
    rollback restores) would otherwise answer a later test's `count=true` with these cases."""
    yield
    cache.clear()


@pytest.fixture
def cases(record):
    for _ in range(3):
        record(forms=["sexual", "labour"])
    record(forms=["criminal"], municipality="GM0363")


def _serve(handler: WSGIHandler, path: str, token: str | None, seen: dict) -> tuple:
    """One request as a WSGI server makes it: the app called, the body read, the response
    closed. `seen` gets weak references to the view, DRF's request, the response and its rows.
    The connection is kept across the request, as Django's test client keeps it (the test's
    transaction is on it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return _served(handler, path, token, seen)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _served(handler: WSGIHandler, path: str, token: str | None, seen: dict) -> tuple:
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    environ = RequestFactory().get(path, HTTP_ACCEPT="application/json", **headers).environ
    started = []
    response = handler(environ, lambda status, head, exc=None: started.append((status, head)))
    body = b"".join(response)
    context = getattr(response, "renderer_context", None)
    if context is not None:
        seen["view"] = weakref.ref(context["view"])
        seen["request"] = weakref.ref(context["request"])
        data = getattr(response, "data", None)
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data["results"] = _Rows(data["results"])
            seen["rows"] = weakref.ref(data["results"])
    seen["response"] = weakref.ref(response)
    del context
    response.close()
    del response
    status, head = started[0]
    return status, sorted((k, v) for k, v in head if k != "X-Request-ID"), body


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("query", ["", "?page_size=2", "?count=true&form=labour"])
def test_the_list_is_freed_at_the_close_without_the_collector(world, cases, query):
    handler = WSGIHandler()
    token = api_token_for("demo-registrar")
    _serve(handler, "/api/v1/cases/", token, {})  # warm: the first call builds caches
    seen: dict = {}
    gc.disable()
    try:
        status, _head, _body = _serve(handler, f"/api/v1/cases/{query}", token, seen)
        assert status == "200 OK"
        assert set(seen) == {"view", "request", "rows", "response"}
        alive = [name for name, ref in seen.items() if ref() is not None]
        assert alive == []
    finally:
        gc.enable()


@pytest.mark.django_db(transaction=False)
def test_without_the_release_the_list_waits_for_the_collector(world, cases, monkeypatch):
    """The test above can fail: with the release a no-op, the view and its request are still
    alive after the close (in their cycles) until the collector runs."""
    monkeypatch.setattr(base, "_release", lambda view, request: None)
    handler = WSGIHandler()
    token = api_token_for("demo-registrar")
    _serve(handler, "/api/v1/cases/", token, {})
    seen: dict = {}
    gc.disable()
    try:
        _serve(handler, "/api/v1/cases/", token, seen)
        assert seen["view"]() is not None and seen["request"]() is not None
        gc.collect()
        assert seen["view"]() is None and seen["request"]() is None
    finally:
        gc.enable()


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("username", ["demo-registrar", "demo-coordinator", None])
def test_the_answer_and_the_audit_are_the_same_with_and_without_the_release(
    world, cases, monkeypatch, username
):
    handler = WSGIHandler()
    token = api_token_for(username) if username else None
    for query in ("", "?page_size=2", "?count=true&form=labour", "?form=nonsense"):
        path = f"/api/v1/cases/{query}"
        _serve(handler, path, token, {})
        before = AuditEntry.objects.count()
        released = _serve(handler, path, token, {})
        entries = AuditEntry.objects.count() - before
        with monkeypatch.context() as m:
            m.setattr(base, "_release", lambda view, request: None)
            before = AuditEntry.objects.count()
            kept = _serve(handler, path, token, {})
            assert AuditEntry.objects.count() - before == entries
        assert released == kept, (username, query)
