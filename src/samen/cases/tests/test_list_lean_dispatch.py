"""The case list's lean dispatch (ADR 0069) answers exactly as DRF's own dispatch: the same
status, headers and body bytes on real pages of several roles in Dutch and English, the same
refusals (no token, a role without the permission, a bad filter, the throttle), and every other
request (another Accept, `?format=`, HEAD) still goes DRF's way."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils.functional import lazy
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from samen.api import throttling
from samen.api.base import LeanGetView, PresentSerializer, plain_fields, render_json
from samen.cases import serializers as s
from samen.core import audit
from samen.core.models import AuditEntry

ROLES = ("demo-registrar", "demo-coordinator", "demo-investigator")


def _drf(monkeypatch):
    """While active, the view takes DRF's own dispatch for every request."""
    monkeypatch.setattr(LeanGetView, "_lean", lambda self, request, args, kwargs: False)


# Each response has an id of its own; every other header must be the same.
PER_RESPONSE = {"X-Request-ID"}


def _answer(response) -> tuple:
    headers = sorted((k, v) for k, v in response.headers.items() if k not in PER_RESPONSE)
    return response.status_code, headers, response.content


def _both(monkeypatch, call) -> tuple[tuple, tuple]:
    lean = _answer(call())
    with monkeypatch.context() as m:
        _drf(m)
        drf = _answer(call())
    return lean, drf


@pytest.fixture
def cases(record):
    for _ in range(3):
        record(forms=["sexual", "labour"])
    record(forms=["criminal"])
    record(forms=["labour"], municipality="GM0363")  # Amsterdam, another region


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_real_pages_are_byte_for_byte_drfs(api_for, cases, monkeypatch, language, accept):
    extra = {"HTTP_ACCEPT_LANGUAGE": language}
    if accept is not None:
        extra["HTTP_ACCEPT"] = accept
    for username in ROLES:
        api = api_for(username)
        for query in ("", "?page_size=2", "?count=true&form=labour", "?page=2&page_size=2"):
            lean, drf = _both(monkeypatch, lambda: api.get(f"/api/v1/cases/{query}", **extra))  # noqa: B023
            assert lean == drf, (username, query)
            assert lean[0] == 200
        # The next page by the cursor the first page gave.
        first = json.loads(api.get("/api/v1/cases/?page_size=2", **extra).content)
        if username == "demo-registrar":
            assert first["next"]  # the national register has more than two
        if not first["next"]:
            continue
        lean, drf = _both(monkeypatch, lambda: api.get(first["next"], **extra))  # noqa: B023
        assert lean == drf and lean[0] == 200


def test_each_lean_read_is_audited_once_with_its_subjects(api_for, cases, monkeypatch):
    api = api_for("demo-registrar")
    before = AuditEntry.objects.filter(action="case.search").count()
    page = api.get("/api/v1/cases/?page_size=3").json()
    entries = AuditEntry.objects.filter(action="case.search").order_by("-seq")
    assert entries.count() == before + 1
    entry = entries.first()
    shown = [row["number"] for row in page["results"]]
    assert entry.detail["shown"] == shown
    assert sorted(audit.cases_of([entry])) == sorted(shown)


def test_refusals_are_drfs(api_for, world, monkeypatch):
    anonymous, programme = api_for(None), api_for("demo-programme")
    registrar = api_for("demo-registrar")
    bad = api_for(None)
    bad.credentials(HTTP_AUTHORIZATION="Token nothing.here")
    calls = {
        "no token": lambda: anonymous.get("/api/v1/cases/"),
        "bad token": lambda: bad.get("/api/v1/cases/"),
        "no permission": lambda: programme.get("/api/v1/cases/"),
        "bad filter": lambda: registrar.get("/api/v1/cases/?status=nonsense"),
        "bad cursor": lambda: registrar.get("/api/v1/cases/?cursor=x"),
    }
    for name, call in calls.items():
        lean, drf = _both(monkeypatch, call)
        assert lean == drf, name
        assert lean[0] in (400, 401, 403), name
    # The refusal of the permission is audited on either path, once per request.
    denied = AuditEntry.objects.filter(result="denied", action="case.read")
    assert denied.count() == 2


def test_the_throttle_counts_lean_requests(api_for, world, monkeypatch):
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    cache.clear()
    try:
        api = api_for("demo-registrar")
        codes = [api.get("/api/v1/cases/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        lean = api.get("/api/v1/cases/")
        with monkeypatch.context() as m:
            _drf(m)
            drf = api.get("/api/v1/cases/")
        assert (lean.status_code, lean.content) == (drf.status_code, drf.content)
        assert lean["Retry-After"] and lean["Vary"] == drf["Vary"]
    finally:
        cache.clear()


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_ACCEPT": "application/json; indent=4"},  # DRF indents
        {"HTTP_ACCEPT": "text/html"},  # DRF's browsable page
        {"QUERY_STRING": "format=json"},
    ],
)
def test_other_requests_go_drfs_way(api_for, cases, monkeypatch, extra):
    api = api_for("demo-coordinator")
    query = extra.pop("QUERY_STRING", "")
    path = "/api/v1/cases/" + (f"?{query}" if query else "")
    lean, drf = _both(monkeypatch, lambda: api.get(path, **extra))
    # The browsable page holds a CSRF token of its own each time; its type and status suffice.
    if extra.get("HTTP_ACCEPT") == "text/html":
        assert lean[:2] == drf[:2] and lean[0] == 200
    else:
        assert lean == drf and lean[0] == 200
    if "indent" in extra.get("HTTP_ACCEPT", ""):
        assert b"\n    " in lean[2]


def test_head_goes_drfs_way(api_for, cases, monkeypatch):
    api = api_for("demo-coordinator")
    lean, drf = _both(monkeypatch, lambda: api.head("/api/v1/cases/"))
    assert lean[:2] == drf[:2] and lean[0] == 200


# Text a page could hold: every escape JSON has, the separators DRF escapes for JavaScript,
# text beyond ASCII and beyond the first plane, large and negative numbers.
ODD_TEXT = "".join(chr(c) for c in range(0, 0x80)) + "\u2028\u2029é€\U0001f600\ufeff\x7f"
ODD = {
    "count": None,
    "next": "http://testserver/api/v1/cases/?cursor=MjAyNS0w",
    "results": [
        {"number": ODD_TEXT, "n": -(2**63), "big": 2**70, "flag": True, "off": False},
        {"forms": ["a", "", ODD_TEXT[::-1]], "empty": [], "nested": {"x": [None, 1]}},
    ],
}


def test_render_json_gives_drfs_bytes():
    assert render_json(ODD) == JSONRenderer().render(ODD, "application/json", {})


def test_what_msgspec_does_not_know_goes_to_drfs_renderer():
    text = lazy(lambda: "Zaak", str)()
    zone = ZoneInfo("Europe/Amsterdam")
    odd = {"label": text, "at": datetime(2025, 6, 1, 12, 0, tzinfo=zone)}
    assert render_json(odd) == JSONRenderer().render(odd, "application/json", {})


class _Measured(PresentSerializer):
    share = serializers.FloatField()


def test_only_serializers_of_plain_fields_take_the_lean_way():
    # A float or a decimal is written by DRF's rules (and msgspec writes floats otherwise).
    assert plain_fields(s.CaseSerializer)
    assert not plain_fields(_Measured)
