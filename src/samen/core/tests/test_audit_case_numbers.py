"""An entry's case numbers in the entry itself on PostgreSQL (ADR 0086), AuditSubject rows on
SQLite: the readers' answers are the ones the subject rows gave (each entry's numbers are
`sorted(set(subjects_of(...)))` of its own content, as the rows were), the migration moves rows
into arrays and back without a change, and the array is under a GIN index."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from samen.core import audit, audit_form
from samen.core.audit_verify import subjects_of
from samen.core.models import AuditEntry, AuditSubject
from samen.core.tests import approle, subjects

migration = importlib.import_module("samen.core.migrations.0013_audit_entry_case_numbers")

N = [f"MH-2026-{i:06d}" for i in range(1, 31)]


@pytest.fixture
def trail(actor_for, django_capture_on_commit_callbacks):
    """Entries about no case, one case, a list of 25 (overlapping), a search naming cases, a
    probe for malformed numbers and a refusal; in one batch and apart."""
    actor = actor_for("demo-coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(actor, "dashboard.read")
        audit.record(actor, "case.read", object_type="case", object_id=N[0], fields=["status"])
        audit.record(actor, "case.search", object_type="case", detail={"shown": N[:25]})
        audit.record_many(
            actor,
            "case.search",
            [
                {"object_type": "case", "detail": {"shown": N[20:30]}},
                {"object_type": "case", "object_id": N[29], "detail": {"shown": [N[29], N[3]]}},
                {"object_type": "audit", "detail": {"cases": [N[5], N[5]], "case": N[7]}},
            ],
        )
        audit.record(
            actor, "case.read", object_type="case", object_id="MH-2026-12", result="denied"
        )
        audit.record(actor, "case.read", object_type="case", object_id=N[12], result="denied")
        audit.record(actor, "case.search", object_type="signal", detail={"shown": [N[9]]})
    return list(AuditEntry.objects.order_by("seq"))


def reference(entry: AuditEntry) -> list[str]:
    """What the subject rows of this entry held before ADR 0086: its own named numbers."""
    return sorted(set(subjects_of(entry.object_type, entry.object_id, entry.detail)))


def test_each_entry_holds_the_numbers_its_content_names_and_readers_answer_alike(trail):
    assert [subjects.numbers_of(e) for e in trail] == [reference(e) for e in trail]
    assert sum(1 for e in trail if reference(e)) >= 6  # not a trail about nobody
    assert audit.cases_of(trail) == {n for e in trail for n in reference(e)}
    everything = AuditEntry.objects.all()
    for asked in [[n] for n in N] + [N[:2], N[3:8], [N[29], N[9]], ["MH-2026-12"], []]:
        expected = [e.seq for e in trail if set(reference(e)) & set(asked)]
        found = audit.about_cases(everything, asked).order_by("seq")
        assert list(found.values_list("seq", flat=True)) == expected, asked
        assert found.count() == len(expected)  # each once
        assert audit.cases_of(found) == {
            n for e in trail if e.seq in expected for n in reference(e)
        }
    assert audit.verify().ok


def test_the_numbers_are_where_the_database_keeps_them(trail):
    """PostgreSQL: in the entry, sorted, NULL for none, no subject rows; SQLite: rows only."""
    listed = next(e for e in trail if len(reference(e)) == 25)
    if connection.vendor == "postgresql":
        assert listed.case_numbers == reference(listed)
        assert [e.case_numbers for e in trail if not reference(e)] == [None] * 3
        assert not AuditSubject.objects.exists()
    else:
        assert {e.case_numbers for e in trail} == {None}
        assert AuditSubject.objects.filter(entry=listed).count() == 25


def _owner_run(function) -> None:
    class Editor:  # what RunPython hands the migration's functions
        def execute(self, sql: str) -> None:
            with connection.cursor() as cur:
                cur.execute(sql)

    Editor.connection = connection
    with approle.as_owner():
        function(None, Editor())


@pytest.mark.postgres_only
def test_the_migration_moves_rows_into_arrays_and_back_unchanged(trail):
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    before = {e.pk: e.case_numbers for e in trail}
    _owner_run(migration.arrays_into_rows)
    rows = sorted(AuditSubject.objects.values_list("entry_id", "case_number"))
    assert rows == sorted((e.pk, n) for e in trail for n in reference(e))
    with approle.as_owner(), connection.cursor() as cur:  # the state before migration 0013
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The rows in reverse order on disk: the arrays must come out sorted all the same.
        cur.execute(
            f"CREATE TEMP TABLE rows_before AS SELECT entry_id, case_number FROM {subjects.ROWS}; "
            f"DELETE FROM {subjects.ROWS}; INSERT INTO {subjects.ROWS} (entry_id, case_number) "
            "SELECT * FROM rows_before ORDER BY case_number DESC; DROP TABLE rows_before"
        )
        cur.execute(f"ALTER TABLE {subjects.ENTRIES} DISABLE TRIGGER samen_audit_append_only")
        cur.execute(f"UPDATE {subjects.ENTRIES} SET case_numbers = NULL")
        cur.execute(f"ALTER TABLE {subjects.ENTRIES} ENABLE TRIGGER samen_audit_append_only")
    assert not audit.verify().ok  # the list's hash covers its numbers, wherever they are kept
    _owner_run(migration.rows_into_arrays)
    assert dict(AuditEntry.objects.values_list("pk", "case_numbers")) == before
    assert not AuditSubject.objects.exists()
    assert audit.verify().ok
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [migration.GIN_INDEX])
        assert "USING gin (case_numbers)" in cur.fetchone()[0]


def _store_numbers(entry: AuditEntry, numbers: list) -> None:
    """Overwrite an entry's array as the owner would, past the append-only trigger."""
    with approle.as_owner(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"ALTER TABLE {subjects.ENTRIES} DISABLE TRIGGER samen_audit_append_only")
        cur.execute(
            f"UPDATE {subjects.ENTRIES} SET case_numbers = %s WHERE id = %s",
            [numbers, entry.pk],
        )
        cur.execute(f"ALTER TABLE {subjects.ENTRIES} ENABLE TRIGGER samen_audit_append_only")


@pytest.mark.postgres_only
def test_an_array_stored_out_of_order_fails_verify(trail):
    """The message takes the numbers in the array's order (sorted when written): the same
    numbers in another order are a changed row, and verify says so."""
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    listed = next(e for e in trail if len(reference(e)) == 25)
    _store_numbers(listed, list(reversed(reference(listed))))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == listed.seq
    assert "subject index" in result.reason


def _messages_agree() -> list[tuple[int, str, str]]:
    """Per entry: the numbers' part of its message by the fast expression and by the subquery."""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT e.seq, {audit_form.NUMBERS_FAST_SQL}, COALESCE({audit_form.NUMBERS_SQL}, '') "
            f"FROM {subjects.ENTRIES} e ORDER BY e.seq"
        )
        return cur.fetchall()


@pytest.mark.postgres_only
def test_the_numbers_without_a_subquery_are_the_sized_numbers_of_a_well_formed_array(trail):
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    rows = _messages_agree()
    assert [fast for _, fast, _ in rows] == [slow for _, _, slow in rows]
    assert any(fast.count(":") == 25 for _, fast, _ in rows)  # the list's 25 took this path
    assert all(len(n) == audit_form.CASE_NUMBER_BYTES for n in N)


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "tamper",
    [
        # the same bytes, the boundary between two numbers moved by one (13 + 15 = 2 x 14)
        lambda ns: [ns[0][:-1], ns[0][-1] + ns[1], *ns[2:]],
        # a number holding the separator's text, another shortened to keep the sum
        lambda ns: [ns[0][:11] + "14:", *ns[1:]],
        lambda ns: [ns[0] + "14", ":" + ns[1][:11], *ns[2:]],
        # 14 bytes but not a case number; bytes moved from one number to another
        lambda ns: ["XX" + ns[0][2:], *ns[1:]],
        lambda ns: [ns[0][:-2], ns[1] + ns[0][-2:], *ns[2:]],
        # a NULL element, in place of a number and added (joined, it would leave no trace)
        lambda ns: [*ns[:-1], None],
        lambda ns: [*ns[:5], None, *ns[5:]],
        # two numbers a byte short and a third two longer
        lambda ns: [ns[0][:-1], ns[1][:-1], ns[2] + "AB", *ns[3:]],
    ],
)
def test_a_changed_array_that_keeps_the_byte_count_still_fails_verify(trail, tamper):
    """The fast expression is chosen by the numbers' total length: arrays made to pass that
    test with other numbers (or the same bytes cut elsewhere) must still give another message.
    (The column holds at most 16 bytes an element, so no tamper makes one longer.)"""
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    listed = next(e for e in trail if len(reference(e)) == 25)
    _store_numbers(listed, tamper(reference(listed)))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == listed.seq
