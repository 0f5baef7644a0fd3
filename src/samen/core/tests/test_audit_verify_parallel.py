"""The fast walk of `audit verify`: the same canonical form as the entries were hashed with, and
ranges checked in parallel processes that still find the first break, also at a boundary."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from samen.core import audit, audit_verify
from samen.core.models import AuditEntry

from .test_audit_chain import TABLE, raw


def test_the_hand_built_canonical_form_is_the_one_entries_are_hashed_with():
    values = {
        "seq": 12,
        "at": datetime(2026, 3, 1, 9, 5, 7, 12, tzinfo=UTC),
        "actor_id": None,
        "actor_username": 'zoë "q" \\ ü',
        "on_behalf_of": "organisation:3",
        "organisation_id": 3,
        "role": "care_coordinator",
        "action": "case.search",
        "operation": "R",
        "object_type": "case",
        "object_id": "*",
        "fields": ["region", "identity.name"],
        "detail": {"shown": ["MH-2026-000001"], "filters": {"z": 1, "a": [None, True, 1.5]}},
        "purpose": "care_coordination",
        "legal_basis": "AVG art. 6 — lid 1",
        "emergency": True,
        "result": "ok",
        "origin": "web:192.0.2.1",
    }
    row = tuple(
        values.get(c) for c in ("id", *audit_verify._ENTRY_COLUMNS[1:])
    )  # the columns in the order the walk selects them
    assert audit_verify.canonical(row, values["fields"], values["detail"]) == audit._canonical(
        values
    )
    naive = (*row[:4], "2026-03-01 09:05:07.000012", *row[5:])  # how SQLite hands it back
    assert audit_verify.canonical(naive, values["fields"], values["detail"]) == audit._canonical(
        values
    )


@pytest.fixture
def long_trail(record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(7):
            record()
    return list(AuditEntry.objects.order_by("seq"))


def walk_in_parallel() -> audit_verify.Walk:
    from samen.core import anchor

    key, anchors = audit._audit_key(), anchor.load()
    top = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    bounds = audit_verify._bounds(top, 4)
    assert len(bounds) == 4
    return audit_verify.join(audit_verify.parallel_spans(key, anchors, bounds, 2), audit.GENESIS)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_ranges_checked_in_parallel_join_into_one_chain_and_find_the_first_break(long_trail):
    if connection.vendor != "postgresql":
        pytest.skip("the parallel walk streams from PostgreSQL")
    n = len(long_trail)
    walk = walk_in_parallel()
    assert walk.problem is None and walk.checked == n and walk.last_hash == long_trail[-1].hash
    bounds = audit_verify._bounds(n, 4)
    boundary = bounds[2][0] + 1  # the first entry of the third range
    raw(f"UPDATE {TABLE} SET prev_hash = %s WHERE seq = %s", ["0" * 64, boundary])
    walk = walk_in_parallel()
    assert walk.problem.seq == boundary and "link" in walk.problem.reason
    assert walk.checked == boundary - 1
    raw(f"UPDATE {TABLE} SET role = %s WHERE seq = 2", ["national_registrar"])
    walk = walk_in_parallel()  # an earlier break wins over the later one
    assert walk.problem.seq == 2 and "altered" in walk.problem.reason
    raw(
        f"DELETE FROM sharing_auditsubject WHERE entry_id IN (SELECT id FROM {TABLE} WHERE seq = 2)"
    )
    raw(f"DELETE FROM {TABLE} WHERE seq = 2")
    walk = walk_in_parallel()
    assert walk.problem.seq == 3 and "sequence 2 is missing" in walk.problem.reason
