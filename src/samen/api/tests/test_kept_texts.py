"""The texts the API keeps per process (ADR 0082): times written once per instant, and the
`next` link's shape once per query. Each must give exactly what the uncached path gives, also
when it falls back, and stay bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from samen.api import base, pagination
from samen.cases import serializers as s


def test_a_time_that_cannot_be_written_in_the_zone_goes_drf_s_way():
    # The first instant there is, in a zone west of UTC, is before year 1: astimezone overflows
    # and the serializer's own representation answers (here a marker), not a kept text.
    iso = base._iso_in(ZoneInfo("America/New_York"), lambda v: ("represented", v))
    first = datetime(1, 1, 1, tzinfo=UTC)
    assert iso(first) == ("represented", first)
    assert (ZoneInfo("America/New_York"), first) not in base._ISO


def test_kept_times_stay_bounded_and_right(monkeypatch):
    monkeypatch.setattr(base, "_ISO", {})
    monkeypatch.setattr(base, "_ISO_MAX", 3)
    tz = ZoneInfo("Europe/Amsterdam")
    iso = base._iso_in(tz, lambda v: ("represented", v))
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward
    for i in range(10):
        at = start + timedelta(minutes=37 * i)
        assert iso(at) == at.astimezone(tz).isoformat()
        assert iso(at) == at.astimezone(tz).isoformat()  # the kept text, the same
        assert len(base._ISO) <= 3


def test_writer_of_writes_as_present_many_and_refuses_an_unknown_field():
    row = {"number": "MH-2026-000001", "opened_at": datetime(2026, 12, 6, 23, 0, tzinfo=UTC)}
    presented = base.present_many(s.CaseSerializer, [row])[0]
    for name in row:
        assert base.writer_of(s.CaseSerializer, name)(row[name]) == presented[name]
    with pytest.raises(KeyError):
        base.writer_of(s.CaseSerializer, "no_such_field")


def _request(path: str) -> Request:
    return Request(APIRequestFactory().get(path))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/?status=open",
        "/api/v1/cases/?page=2&form=labour",
        # The mark in the path: the link's shape cannot be cut at it, so it is built afresh.
        f"/api/v1/cases/{pagination._MARK}/?status=open",
        f"/api/v1/cases/?q={pagination._MARK}",
    ],
)
def test_next_link_is_the_link_built_afresh(path, monkeypatch):
    monkeypatch.setattr(pagination, "_LINKS", {})
    for cursor in ("abc_DEF-123", "other0cursor", "not plain=é"):
        request = _request(path)
        assert pagination.next_link(request, cursor) == pagination._next_link(request, cursor)
        assert pagination.next_link(request, cursor) == pagination._next_link(request, cursor)


def test_kept_link_shapes_stay_bounded(monkeypatch):
    monkeypatch.setattr(pagination, "_LINKS", {})
    monkeypatch.setattr(pagination, "_LINKS_MAX", 2)
    for i in range(6):
        request = _request(f"/api/v1/cases/?status=open&page_size={i + 1}")
        assert pagination.next_link(request, f"c{i}") == pagination._next_link(request, f"c{i}")
        assert len(pagination._LINKS) <= 2
