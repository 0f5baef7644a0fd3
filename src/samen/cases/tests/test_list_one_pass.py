"""The API's case list in one pass (selectors.case_list_page, ADR 0082) answers exactly as the
reference it replaces: case_search_after's summaries presented by present_many. The same body
bytes and headers for several roles, reaches (own relations, a share, an emergency), filters,
cursor pages, counts, numbered pages, languages and refusals; the same audit entries; and the
rows themselves, value by value."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.utils import timezone, translation
from rest_framework.request import Request

from samen.api import cursors, pagination
from samen.api.base import present_many, writer_of
from samen.api.pagination import cursor_response
from samen.cases import api as case_api
from samen.cases import selectors
from samen.cases import serializers as s
from samen.core import audit
from samen.core.models import AuditEntry, EmergencyAccess
from samen.organisations.models import Membership
from samen.sharing import services as sharing
from samen.signalling.services import PersonInput

AMS = ZoneInfo("Europe/Amsterdam")
ROLES = (
    "demo-registrar",
    "demo-coordinator",
    "demo-coordinator-noord",  # one case by emergency access
    "demo-investigator",
    "demo-shelter",  # one case by a share of demographics and location only
)
QUERIES = (
    "",
    "?page_size=2",
    "?count=true",
    "?count=true&form=labour",
    "?form=labour&page_size=1",
    "?minor=true",
    "?minor=false&status=signalled",
    "?region=VR09",
    "?municipality=GM0363",
    f"?opened_from={date.today() - timedelta(days=3)}",
    "?number=MH",
    "?page=2&page_size=2",
    "?status=nonsense",  # refused
    "?cursor=x",  # refused
)


def _reference_get(self, request):
    """CaseListView.get as it was before the one pass: case_search_after's summaries, then
    present_many."""
    v = case_api._filters_of(request._request.META.get("QUERY_STRING", ""))
    filters = selectors.CaseFilters(
        status=v.get("status", ""),
        form=v.get("form", ""),
        region=v.get("region", ""),
        municipality=v.get("municipality", ""),
        minor=v.get("minor"),
        opened_from=v.get("opened_from"),
        opened_to=v.get("opened_to"),
        number=v.get("number", ""),
    )
    _page_no, size = case_api.page_params(request)
    if "page" in v and "cursor" not in v:
        return _ORIGINAL_GET(self, request)  # numbered pages: not changed
    keyset = selectors.case_search_after(
        actor=self.actor,
        filters=filters,
        after=v.get("cursor"),
        per_page=size,
        with_count=v["count"],
    )
    return cursor_response(
        request,
        count=keyset.count,
        next_cursor=cursors.encode(keyset.next) if keyset.next else None,
        results=present_many(s.CaseSerializer, keyset.rows),
    )


_ORIGINAL_GET = case_api.CaseListView.get


@pytest.fixture(autouse=True)
def counts_forgotten():
    """The counts asked for here are cached per membership, purpose, filters and register
    version (ADR 0028), and a rolled-back test leaves the version as it found it: forgotten
    after each test, so a later test asking the same count reads its own."""
    yield
    cache.clear()


@pytest.fixture
def cases(record, actor_for):
    for _ in range(3):
        record(forms=["sexual", "labour"])
    record(forms=["criminal"])
    record(forms=["labour"], municipality="GM0363")  # Amsterdam, another region
    record(person=PersonInput(date_of_birth=date.today() - timedelta(days=15 * 365)))  # a minor
    record(forms=[])
    shared = record(forms=["labour"]).case
    sharing.share_create(
        actor=actor_for("demo-coordinator", "shelter_placement"),
        case=shared,
        recipient=Membership.objects.get(user__username="demo-shelter").organisation,
        purpose="shelter_placement",
        categories=["demographics", "location"],
    )
    north = actor_for("demo-coordinator-noord")
    EmergencyAccess.objects.create(
        case=record(forms=["sexual"]).case, user=north.user, organisation=north.organisation,
        role=north.role, reason="Acute situatie, synthetisch", started_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip


# Each response has an id of its own; every other header must be the same.
def _answer(response) -> tuple:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")
    return response.status_code, headers, response.content


_ENTRY = ("action", "result", "fields", "purpose", "legal_basis", "emergency", "detail", "role")


def _last_search() -> tuple:
    entry = AuditEntry.objects.filter(action="case.search").order_by("-seq").first()
    if entry is None:
        return ()
    subjects = sorted(audit.cases_of([entry]))
    return entry.seq, tuple(getattr(entry, f) for f in _ENTRY), subjects


def _both(monkeypatch, call) -> tuple[tuple, tuple, tuple, tuple]:
    new = _answer(call())
    new_entry = _last_search()
    with monkeypatch.context() as m:
        m.setattr(case_api.CaseListView, "get", _reference_get)
        old = _answer(call())
    old_entry = _last_search()
    return new, old, new_entry, old_entry


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_one_pass_answers_as_the_reference_byte_for_byte(api_for, cases, monkeypatch, language):
    extra = {"HTTP_ACCEPT_LANGUAGE": language}
    seen_next = False
    for username in ROLES:
        api = api_for(username)
        pages = 0
        for query in QUERIES:
            path = f"/api/v1/cases/{query}"
            new, old, new_entry, old_entry = _both(monkeypatch, lambda: api.get(path, **extra))  # noqa: B023
            assert new == old, (username, query)
            if new[0] == 200:
                pages += 1
                # One audit entry each, alike but for its place in the chain.
                assert new_entry[1:] == old_entry[1:] and new_entry[0] < old_entry[0]
        assert pages == len(QUERIES) - 2, username  # all but the two refused
        # Every page after the first by the cursor each gave, to the end.
        path = "/api/v1/cases/?page_size=2"
        while path:
            new, old, new_entry, old_entry = _both(monkeypatch, lambda: api.get(path, **extra))  # noqa: B023
            assert new == old and new[0] == 200, (username, path)
            assert new_entry[1:] == old_entry[1:]
            path = json.loads(new[2])["next"]
            seen_next = seen_next or bool(path)
    assert seen_next


def test_the_rows_are_present_manys_value_for_value(actor_for, cases):
    # repr, not ==: True == 1, but a client reads "true" and "1" differently.
    shapes = set()
    for zone in (AMS, ZoneInfo("UTC")):
        with timezone.override(zone), translation.override("en"):
            for username in ROLES:
                actor = actor_for(username)
                after = None
                for _ in range(20):
                    kw = {"actor": actor, "filters": selectors.CaseFilters(), "per_page": 3}
                    want = selectors.case_search_after(after=after, **kw)
                    got = selectors.case_list_page(after=after, **kw)
                    write = writer_of(s.CaseSerializer, "opened_at")
                    rows = [{**r, "opened_at": write(r["opened_at"])} for r in got.rows]
                    assert repr(rows) == repr(present_many(s.CaseSerializer, want.rows))
                    assert (got.next, got.count) == (want.next, want.count)
                    shapes.update(tuple(r) for r in rows)
                    if want.next is None:
                        break
                    after = want.next
    # Rows of several shapes were compared: the full row, and the share's and others' subsets.
    assert len(shapes) >= 2 and tuple(selectors.API_KEYS) in shapes


def test_the_api_keys_are_the_serializers_fields_in_order():
    assert tuple(s.CaseSerializer().fields) == selectors.API_KEYS


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page_size=2",
        "count=true&form=labour&page=3",
        "cursor=abc&page_size=2&form=labour",
        "form=labour&form=sexual&cursor=abc&cursor=def",
        "number=%C3%A9%E2%80%A8+x&page=1&z=%2F%3F%26",
        "page=2",
        "q=0samen0cursor0",  # the mark itself: not kept, built as before
    ],
)
def test_the_next_link_is_built_as_before(rf, settings, query):
    settings.ALLOWED_HOSTS = ["samen.example"]
    request = Request(rf.get(f"/api/v1/cases/?{query}", HTTP_HOST="samen.example"))
    for cursor in ("MjAyNS0wNi0wMVQxMjowMDowMCswMDowMHwxMg", "a-_Z9", "a=b", "é", "a b"):
        for _ in range(2):  # built, then from the kept shape
            assert pagination.next_link(request, cursor) == pagination._next_link(request, cursor)
    kept = pagination._LINKS.copy()
    assert any(q == query for *_r, q in kept) != ("0samen0cursor0" in query)


def test_the_next_link_checks_the_host_each_time(rf, settings):
    settings.ALLOWED_HOSTS = ["samen.example"]
    good = Request(rf.get("/api/v1/cases/", HTTP_HOST="samen.example"))
    assert pagination.next_link(good, "abc").startswith("http://samen.example/")
    bad = Request(rf.get("/api/v1/cases/", HTTP_HOST="evil.example"))
    with pytest.raises(DisallowedHost):
        pagination.next_link(bad, "abc")
