"""The audit trail is append-only and hash-chained: tampering of every kind is found and named."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from samen.core import audit
from samen.core.models import AuditChainHead, AuditEntry, AuditSubject
from samen.core.tests import approle

TABLE = AuditEntry._meta.db_table
SUBJECTS = AuditSubject._meta.db_table


@pytest.fixture
def trail(record, django_capture_on_commit_callbacks):
    """A few real entries, written by real use cases and committed (so checkpointed)."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            record()
    assert AuditEntry.objects.count() == 3
    return list(AuditEntry.objects.order_by("seq"))


def raw(sql: str, params: list | None = None) -> None:
    """Change the table behind the application's back, as an intruder with database access
    (the owner's: the application's role may not disable the trigger)."""
    with approle.as_owner(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Django's deferred foreign-key checks must fire before the table can be altered.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER samen_audit_append_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER samen_audit_append_only")


def test_an_untouched_trail_verifies(trail):
    result = audit.verify()
    assert result.ok and result.checked == 3


def test_entries_chain_to_their_predecessor(trail):
    assert trail[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in trail[1:]] == [e.hash for e in trail[:-1]]
    assert [e.seq for e in trail] == [1, 2, 3]
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, trail[-1].hash)


def test_an_edited_entry_is_found_and_named(trail):
    raw(f"UPDATE {TABLE} SET role = %s WHERE seq = 2", ["national_registrar"])
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2 and "altered" in result.reason


def test_an_edited_field_list_is_found(trail):
    raw(f"UPDATE {TABLE} SET fields = %s WHERE seq = 1", ['["name"]'])
    assert audit.verify().first_bad_seq == 1


def delete_entry(seq: int) -> None:
    raw(f"DELETE FROM {SUBJECTS} WHERE entry_id IN (SELECT id FROM {TABLE} WHERE seq = %s)", [seq])
    raw(f"DELETE FROM {TABLE} WHERE seq = %s", [seq])


def test_a_deleted_entry_in_the_middle_is_found(trail):
    delete_entry(2)
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3 and "missing" in result.reason


def test_a_deleted_last_entry_is_found(trail):
    delete_entry(3)
    result = audit.verify()
    assert not result.ok and "removed" in result.reason


def test_an_inserted_entry_is_found(trail):
    fake = trail[1]
    raw(f"UPDATE {TABLE} SET seq = seq + 100 WHERE seq >= 2")
    raw(f"UPDATE {TABLE} SET seq = seq - 99 WHERE seq >= 100")
    raw(
        f"INSERT INTO {TABLE} (seq, at, actor_username, role, action, operation, object_type, "
        "object_id, fields, detail, purpose, legal_basis, on_behalf_of, emergency, result, "
        "origin, prev_hash, hash) VALUES (2, %s, 'intruder', 'national_registrar', 'case.read', "
        "'R', 'case', 'MH-2026-000001', '[]', '{}', 'investigation', '', '', %s, 'ok', 'x', "
        "%s, %s)",
        [fake.at, False, fake.prev_hash, "f" * 64],
    )
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2


def test_reordered_entries_are_found(trail):
    a, b = trail[0], trail[1]
    raw(f"UPDATE {TABLE} SET seq = -1 WHERE id = %s", [a.pk])
    raw(f"UPDATE {TABLE} SET seq = 1 WHERE id = %s", [b.pk])
    raw(f"UPDATE {TABLE} SET seq = 2 WHERE id = %s", [a.pk])
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 1


def test_the_verify_command_exits_nonzero_and_names_the_entry(trail, capsys):
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "intact: 3 entries" in out and "Last checkpoint: sequence 3" in out
    raw(f"UPDATE {TABLE} SET object_id = %s WHERE seq = 2", ["MH-2026-999999"])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert "sequence 2" in capsys.readouterr().err


def test_sqlite_refuses_an_entry_claiming_the_form_only_postgresql_writes(trail):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite writes and checks the canonical JSON form only")
    assert {e.form for e in trail} == {audit.FORM_JSON}
    raw(f"UPDATE {TABLE} SET form = %s WHERE seq = 2", [audit.FORM_COLUMNS])
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2 and "form was altered" in result.reason


@pytest.mark.postgres_only
def test_postgresql_refuses_update_and_delete_of_audit_rows(trail):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    # The trigger guards even against the owner (a console session); the application's role
    # is refused before it by its missing rights (test_audit_anchor).
    for sql in (f"UPDATE {TABLE} SET role = 'x'", f"DELETE FROM {TABLE}"):
        with (
            approle.as_owner(),
            pytest.raises((InternalError, ProgrammingError, IntegrityError)) as err,
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
        assert "append-only" in str(err.value)
    assert AuditEntry.objects.count() == 3
