"""The fast walk on PostgreSQL of entries in the older form (ADR 0042; entries written before
migration 0011, FORM_JSON): the server writes the canonical form around the JSON columns and
Python hashes bytes. Every chained column still counts, content the server writes differently
from Python (non-ASCII, escapes, no actor) verifies without the slow path, and a form the server
gets wrong costs time, never a false alarm and never a missed change. (The newer form:
test_audit_verify_columns.)"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from samen.core import audit, audit_verify
from samen.core.actor import Actor
from samen.core.models import AuditEntry
from samen.core.tests import subjects

from .test_audit_chain import TABLE, raw

pytestmark = pytest.mark.postgres_only

ODD = 'AVG art. 6 — lid 1 "e" \\ \t\n\x7f\x01 😀 zoë'


def write_odd_trail(actor_for) -> None:
    """Entries whose content the server's JSON and Python's differ on."""
    actor = actor_for("demo-coordinator")
    audit.record(
        actor, "case.read", object_type="case", object_id="MH-2026-000001",
        fields=["identity.name", "zoë", 'a"b'], legal_basis=ODD, purpose="p\\q",
        detail={
            "shown": ["MH-2026-000002", "MH-2026-000001"], "q": ODD,
            "n": [1, 1.5, None, True, 10**20], "ü": {"z": 1, "a": "é", "": []},
        },
    )  # fmt: skip
    audit.record(
        actor, "signal.read", object_type="signal", object_id="12",
        detail={"case": "MH-2026-000003", "cases": ["MH-2026-000004", "not-a-number"]},
    )  # fmt: skip
    audit.record(
        Actor(user=AnonymousUser(), membership=None, origin="web:192.0.2.1"),
        "login.failed", result="denied",
    )  # fmt: skip
    audit.record(actor, "case.search", object_type="case", object_id="*", detail={})


@pytest.fixture
def odd_trail(actor_for, django_capture_on_commit_callbacks, monkeypatch):
    """The odd entries in the older form, as PostgreSQL wrote them before migration 0011."""
    if connection.vendor != "postgresql":
        pytest.skip("the COPY walk is PostgreSQL's")
    monkeypatch.setattr(audit, "form", lambda: audit.FORM_JSON)
    with django_capture_on_commit_callbacks(execute=True):
        write_odd_trail(actor_for)
    trail = list(AuditEntry.objects.order_by("seq"))
    assert {e.form for e in trail} == {audit.FORM_JSON}
    return trail


def no_slow_path(*args, **kwargs):
    raise AssertionError("an intact row was sent down the slow path")


def test_content_the_server_writes_differently_verifies_in_the_fast_walk(odd_trail, monkeypatch):
    monkeypatch.setattr(audit_verify, "_resolve", no_slow_path)
    result = audit.verify()
    assert result.ok and result.checked == len(odd_trail) == 4


CHANGES = {
    "at": "at = at + interval '1 microsecond'",
    "actor_id": "actor_id = NULL",
    "actor_username": "actor_username = actor_username || ' '",
    "on_behalf_of": "on_behalf_of = 'organisation:0'",
    "organisation_id": "organisation_id = NULL",
    "role": "role = 'national_registrar'",
    "action": "action = 'case.list'",
    "operation": "operation = 'U'",
    "object_type": "object_type = 'signal'",
    "object_id": "object_id = 'MH-2026-000009'",
    "fields": 'fields = \'["identity.name", "zoe", "a\\"b"]\'',
    "detail": "detail = jsonb_set(detail, '{ü,z}', '2')",
    "purpose": "purpose = purpose || '\\'",
    "legal_basis": "legal_basis = replace(legal_basis, '—', '-')",
    "emergency": "emergency = true",
    "result": "result = 'denied'",
    "origin": "origin = 'web:192.0.2.2'",
    "prev_hash": "prev_hash = hash",
    "hash": "hash = prev_hash",
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_any_chained_column_is_found_in_the_fast_walk(odd_trail, change):
    raw(f"UPDATE {TABLE} SET {change} WHERE seq = 1")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 1, result
    assert result.first_bad_id == odd_trail[0].pk


def test_a_subject_index_row_written_twice_is_found(odd_trail):
    raw(*subjects.added(odd_trail[1].pk, "MH-2026-000004"))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2 and "subject index" in result.reason


def test_a_form_the_server_gets_wrong_costs_time_never_a_false_alarm(odd_trail, monkeypatch):
    """Every row's fast form broken (the time without its microseconds): each row becomes a
    suspect, the slow check clears the intact ones and still names the changed one."""
    monkeypatch.setattr(audit_verify, "_AT", "to_char(e.at AT TIME ZONE 'UTC', 'YYYY')")
    assert audit.verify().ok
    raw(f"UPDATE {TABLE} SET role = 'national_registrar' WHERE seq = 3")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3 and "altered" in result.reason
    assert result.checked == 2
