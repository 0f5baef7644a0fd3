"""The case list's cheaper steps (ADR 0063) answer exactly as the steps they replace: the API's
presenting shortcuts as DRF's serializer, the page's language read once as the label read per
value, one policy decision per distinct reach as one per row, the rows of a statement without
reading its description."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation
from rest_framework import serializers

from samen.api.base import PresentSerializer, present_many
from samen.cases import selectors
from samen.cases import serializers as s
from samen.cases.choices import CaseStatus
from samen.core import policy, statements
from samen.core.models import ThrottleCount

AMS = ZoneInfo("Europe/Amsterdam")


class Odd(PresentSerializer):
    """Every kind of field present_many takes a shortcut for, and one it does not."""

    text = serializers.CharField()
    number = serializers.IntegerField()
    flag = serializers.BooleanField()
    choice = serializers.ChoiceField(choices=CaseStatus.choices)
    names = serializers.ListField(child=serializers.CharField())
    at = serializers.DateTimeField()
    day = serializers.DateField()


# Values of the exact types selectors give, and others that DRF's fields convert.
ODD_ROWS = [
    {
        "text": "MH-2025-000001",
        "number": 7,
        "flag": True,
        "choice": "closed",
        "names": ["sexual", "labour"],
        "at": datetime(2025, 3, 30, 0, 30, tzinfo=UTC),  # the night the clocks go forward
        "day": datetime(2025, 1, 2).date(),
    },
    {
        "text": 12,  # str() of it
        "number": "8",  # int() of it
        "flag": 1,  # True, not 1
        "choice": CaseStatus.CLOSED,  # the enum: its value
        "names": ["x", None, 3],
        "at": datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
    },
    {
        "flag": 0,  # False, not 0
        "choice": "not-a-choice",
        "names": [],
        "at": datetime(2025, 6, 1, 12, 0),  # naive: DRF makes it aware
        "number": None,
    },
    {"flag": "false", "at": "2025-06-01T12:00:00Z", "text": ""},  # strings as DRF takes them
    {"flag": False, "at": datetime(2025, 12, 1, 9, 15, 30, 123456, tzinfo=AMS)},
]


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC", "America/Sao_Paulo"])
def test_present_many_gives_what_the_serializer_gives_for_odd_values(zone):
    with timezone.override(ZoneInfo(zone)):
        want = [dict(row) for row in Odd(ODD_ROWS, many=True).data]
        got = present_many(Odd, ODD_ROWS)
    # repr, not ==: True == 1 and 1.0 == 1, but a client reads "true" and "1" differently.
    assert repr(got) == repr(want)


def test_the_time_is_written_in_the_time_zone_of_each_call():
    row = [{"at": datetime(2025, 6, 1, 12, 0, tzinfo=UTC)}]
    with timezone.override(UTC):
        assert present_many(Odd, row) == [{"at": "2025-06-01T12:00:00Z"}]
    with timezone.override(AMS):
        assert present_many(Odd, row) == [{"at": "2025-06-01T14:00:00+02:00"}]


def test_times_kept_as_written_are_written_as_drf_writes_them_in_each_zone():
    # One instant with three tzinfos, the night the clocks go back, microseconds: each written
    # afresh, then from the texts kept, in each zone in turn (ADR 0082).
    instants = [
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 2, 30, tzinfo=AMS),
        datetime(2025, 6, 1, 12, 0, 0, 5, tzinfo=ZoneInfo("America/Sao_Paulo")),
    ]
    rows = [{"at": v} for v in instants + [v.astimezone(AMS) for v in instants]]
    field = serializers.DateTimeField()
    for _ in range(2):
        for zone in ("Europe/Amsterdam", "UTC", "America/Sao_Paulo", "Europe/Amsterdam"):
            with timezone.override(ZoneInfo(zone)):
                want = [{"at": field.to_representation(r["at"])} for r in rows]
                assert present_many(Odd, rows) == want, zone


def test_the_list_presents_its_pages_as_the_serializer_does_in_both_languages(actor_for, record):
    for _ in range(2):
        record(forms=["sexual", "labour"])
    record(forms=["criminal"])
    for language in ("nl", "en"):
        with translation.override(language), timezone.override(AMS):
            for username in ("demo-registrar", "demo-coordinator", "demo-investigator"):
                rows = selectors.case_search_after(
                    actor=actor_for(username), filters=selectors.CaseFilters(), per_page=10
                ).rows
                want = [dict(row) for row in s.CaseSerializer(rows, many=True).data]
                assert repr(present_many(s.CaseSerializer, rows)) == repr(want)


def test_a_page_reads_its_labels_in_the_active_language(actor_for, record):
    record(forms=["sexual", "labour"])
    actor = actor_for("demo-registrar")
    shown = {}
    for language in ("nl", "en"):
        with translation.override(language):
            row = selectors.case_search_after(
                actor=actor, filters=selectors.CaseFilters(), per_page=1
            ).rows[0]
            # What the page's language read once must give: each label as read per value.
            assert row["status_display"] == str(CaseStatus(row["status"]).label)
            shown[language] = row
    nl, en = shown["nl"], shown["en"]
    assert nl["status_display"] != en["status_display"]
    assert nl["forms_display"] != en["forms_display"]
    assert "Sexual exploitation" in en["forms_display"]
    assert nl["gender_display"] != en["gender_display"] or nl["gender"] == "unknown"


def test_one_decision_per_reach_is_the_decision_per_row(actor_for, record):
    actor = actor_for("demo-coordinator")
    n = len(policy.relations_of(actor))
    # Every relation alone, then the same again, a share, an emergency, and nothing at all.
    flags = [[i == j for j in range(n)] + [False, False] for i in range(n)]
    rows = [(pk, f) for pk, f in enumerate(flags + flags + [[False] * n + [False, True]])]
    rows.append((999, [False] * (n + 2)))
    got = policy.access_from_flags(actor, rows)
    assert 999 not in got  # deny by default
    grants = frozenset(policy.grants(actor))
    for pk, f in rows[:-1]:
        hit = next((r for r, on in zip(policy.relations_of(actor), f, strict=False) if on), None)
        if hit is None:  # the emergency row
            relation, categories = policy.Relation.EMERGENCY, grants
        else:
            cap = grants if hit.categories is None else hit.categories
            relation, categories = hit.relation, grants & cap
        assert got[pk] == policy.CaseAccess(
            relation, categories, policy.legal_basis(actor, categories)
        )
    # Rows reached alike share one decision; rows reached otherwise do not.
    assert got[0] is got[n]
    assert len({id(a) for a in got.values()}) == len(set(got.values()))


class _Shares:
    """Stands in for the actor's active shares: case id -> shared categories."""

    def __init__(self, by_case):
        self.by_case = by_case

    def filter(self, case_id__in):
        return self

    def values_list(self, *names):
        return list(self.by_case.items())


def test_rows_of_one_relation_with_other_categories_get_other_decisions(actor_for, monkeypatch):
    actor = actor_for("demo-coordinator")
    n = len(policy.relations_of(actor))
    one, other = sorted(policy.grants(actor))[:2]
    monkeypatch.setattr(policy, "_active_shares", lambda a: _Shares({1: [one], 2: [other]}))
    shared_only = [False] * n + [True, False]
    got = policy.access_from_flags(actor, [(1, shared_only), (2, shared_only), (3, shared_only)])
    assert 3 not in got  # a share flag without a share: nothing
    assert got[1].relation is got[2].relation is policy.Relation.SHARED
    assert (got[1].categories, got[2].categories) == ({one}, {other})
    assert got[1].legal_basis == policy.legal_basis(actor, {one})


@pytest.mark.django_db
def test_statements_return_rows_exactly_when_they_have_columns():
    table = ThrottleCount._meta.db_table
    statements.execute(
        f"INSERT INTO {table} (key, period, hits) VALUES (%s, %s, 1)",
        ["fast-path-test", 1],
    )
    assert statements.execute(
        f"SELECT key, hits FROM {table} WHERE key = %s",
        ["fast-path-test"],
    ) == [("fast-path-test", 1)]
    assert statements.execute(f"SELECT key FROM {table} WHERE key = %s", ["none"]) == []
    assert statements.execute(f"DELETE FROM {table} WHERE key = %s", ["fast-path-test"]) == []
    with statements.cursor() as c:
        for sql in (f"SELECT key FROM {table}", f"DELETE FROM {table} WHERE key = 'x'"):
            c.execute(sql)
            assert statements.returns_rows(c) is bool(c.description), (connection.vendor, sql)
