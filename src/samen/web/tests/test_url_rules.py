"""Walks every URL: each must declare an access rule, and signed-out callers must be turned away
from everything that is not public. A new page or endpoint without a rule fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from samen.organisations.models import Role
from samen.sharing import policy
from samen.sharing.access import AUTHENTICATED, PUBLIC, valid_rule

SAMPLE = {
    "int": "1",
    "str": "MH-2026-000001",
    "slug": "general",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


def concrete(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + route


def rule_of(callback) -> str | None:
    for candidate in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
    ):
        rule = getattr(candidate, "access_rule", None)
        if rule:
            return rule
    return None


ALL = list(walk(get_resolver().url_patterns))
APP_URLS = [(route, p) for route, p, ns in ALL if ns != "admin"]
ADMIN_URLS = [(route, p) for route, p, ns in ALL if ns == "admin"]


def test_the_walk_finds_the_known_urls():
    routes = {concrete(r) for r, _ in APP_URLS}
    assert {"/healthz", "/api/v1/cases/", "/zaken/", "/signalen/nieuw/"} <= routes
    assert ADMIN_URLS


@pytest.mark.parametrize("route,pattern", APP_URLS, ids=[r for r, _ in APP_URLS])
def test_every_url_declares_a_known_access_rule(route, pattern):
    rule = rule_of(pattern.callback)
    assert rule is not None, (
        f"{route} has no access rule: decorate it with samen.sharing.access.access"
    )
    assert valid_rule(rule), f"{route}: unknown rule {rule!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", APP_URLS, ids=[r for r, _ in APP_URLS])
def test_signed_out_callers_reach_only_public_urls(client, route, pattern):
    rule = rule_of(pattern.callback)
    if rule == PUBLIC:
        return
    response = client.get(concrete(route))
    if response.status_code == 405:
        response = client.post(concrete(route))
    assert response.status_code in (302, 401, 403), f"{route} answered {response.status_code}"
    if response.status_code == 302:
        assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("route,pattern", APP_URLS, ids=[r for r, _ in APP_URLS])
def test_roles_without_the_permission_are_refused(route, pattern, web_for, api_for):
    rule = rule_of(pattern.callback)
    if rule in (PUBLIC, AUTHENTICATED):
        return
    lacking = [r for r in Role if r not in policy.PERMISSIONS[rule]]
    if not lacking:
        return
    username = {
        Role.SHELTER_STAFF: "demo-shelter",
        Role.PROGRAMME_STAFF: "demo-programme",
        Role.PRIVACY_OFFICER: "demo-privacy",
        Role.FUNCTIONAL_ADMIN: "demo-admin",
        Role.FIELD_PROFESSIONAL: "demo-professional",
        Role.CARE_COORDINATOR: "demo-coordinator",
        Role.INVESTIGATOR: "demo-investigator",
        Role.NATIONAL_REGISTRAR: "demo-registrar",
        Role.IND_OFFICER: "demo-ind",
        Role.GUARDIAN: "demo-nidos",
    }[lacking[0]]
    client = api_for(username) if route.startswith("api/") else web_for(username)
    assert client.get(concrete(route)).status_code == 403


@pytest.mark.django_db
def test_admin_urls_are_closed_to_signed_out_callers(client):
    for route, _ in ADMIN_URLS[:20]:
        path = concrete("admin/" + route) if not route.startswith("admin/") else concrete(route)
        assert client.get(path).status_code in (302, 404), path
