"""Tampering that leaves a consistent chain behind is still found: the newest entries cut off with
the head rewound, everything wiped, the subject index edited, the checkpoint file edited; and on
PostgreSQL the application's role cannot empty the table or switch its trigger off."""

import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from samen.core import anchor, audit
from samen.core.dbroles import grant_application_role
from samen.core.models import AuditChainHead, AuditEntry
from samen.core.tests import subjects
from samen.core.tests.test_audit_chain import SUBJECTS, TABLE, raw

HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def trail(actor_for, django_capture_on_commit_callbacks):
    """Six committed entries, some about a case (so with a subject index), each checkpointed."""
    with django_capture_on_commit_callbacks(execute=True):
        actor = actor_for("demo-coordinator")
        for n in range(1, 7):
            audit.record(
                actor,
                "case.read",
                object_type="case",
                object_id=f"MH-2026-00000{n}",
                fields=["status"],
                detail={"shown": [f"MH-2026-00010{n}"]},
            )
    assert AuditEntry.objects.count() == 6
    return list(AuditEntry.objects.order_by("seq"))


def rewind_head_to(seq: int) -> None:
    entry = AuditEntry.objects.filter(seq=seq).values("hash").first()
    digest = entry["hash"] if entry else audit.GENESIS
    raw(f"UPDATE {HEAD} SET seq = %s, hash = %s WHERE id = 1", [seq, digest])


def cut_newest(n: int, total: int) -> None:
    """What an intruder with the database does: delete the newest entries, rewind the head."""
    keep = total - n
    raw(f"DELETE FROM {SUBJECTS} WHERE entry_id IN (SELECT id FROM {TABLE} WHERE seq > %s)", [keep])
    raw(f"DELETE FROM {TABLE} WHERE seq > %s", [keep])
    rewind_head_to(keep)


def test_every_committed_entry_is_checkpointed_outside_the_table(trail):
    points = list(anchor.read())
    assert [p.seq for p in points] == [1, 2, 3, 4, 5, 6]
    assert points[-1].hash == trail[-1].hash
    assert audit.verify().last_checkpoint == points[-1]


def test_a_rolled_back_entry_is_not_checkpointed(actor_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                audit.record(actor_for("demo-coordinator"), "case.read", object_type="case")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert list(anchor.read()) == []


@pytest.mark.parametrize("n", [1, 3])
def test_deleting_the_newest_entries_and_rewinding_the_head_fails(trail, n):
    cut_newest(n, total=6)
    result = audit.verify()
    assert not result.ok
    assert f"ends at {6 - n} but the last checkpoint says 6" in result.reason


def test_deleting_everything_and_the_head_fails(trail):
    raw(f"DELETE FROM {SUBJECTS}")
    raw(f"DELETE FROM {TABLE}")
    raw(f"DELETE FROM {HEAD}")
    result = audit.verify()
    assert not result.ok and result.checked == 0
    assert "last checkpoint says 6" in result.reason


def test_cutting_the_tail_and_writing_new_entries_over_it_fails(
    trail, actor_for, django_capture_on_commit_callbacks
):
    cut_newest(2, total=6)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # the application carries on and passes the old length
            audit.record(actor_for("demo-coordinator"), "case.read", object_type="case")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 5
    assert "written anew" in result.reason


def test_cutting_the_tail_and_writing_entries_not_yet_checkpointed_over_it_fails(
    trail, actor_for, settings
):
    cut_newest(2, total=6)
    for _ in range(3):  # appended, not (yet) checkpointed: the old checkpoints still disagree
        audit.record(actor_for("demo-coordinator"), "case.read", object_type="case")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 5
    assert "differs from its checkpoint" in result.reason


def test_the_verify_command_exits_1_after_a_cut_and_names_the_checkpoint(trail, capsys):
    cut_newest(2, total=6)
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "Last checkpoint: sequence 6" in captured.out
    assert "BROKEN" in captured.err and "entries were removed" in captured.err


def test_a_trail_without_any_checkpoint_fails_the_command_unless_allowed(actor_for, capsys):
    audit.record(actor_for("demo-coordinator"), "case.read", object_type="case")
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "NOT ANCHORED" in capsys.readouterr().err
    call_command("audit", "verify", "--allow-unanchored")
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    assert "Last checkpoint: sequence 1" in capsys.readouterr().out


def test_an_altered_subject_index_row_fails(trail):
    raw(*subjects.changed("MH-2026-000103", "MH-2026-999999"))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3 and "subject index" in result.reason


def test_a_removed_subject_index_row_fails(trail):
    raw(*subjects.removed("MH-2026-000004"))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 4 and "subject index" in result.reason


@pytest.mark.postgres_only
def test_a_null_case_number_in_the_array_fails(trail):
    """An element no append writes: counted as a number by verify, never read as none."""
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    raw(*subjects.added(trail[1].pk, None))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2 and "altered" in result.reason


def test_an_added_subject_index_row_fails(trail):
    raw(*subjects.added(trail[1].pk, "MH-2026-777777"))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2 and "subject index" in result.reason


def test_an_edited_or_forged_checkpoint_line_fails(trail, audit_anchor_file):
    lines = audit_anchor_file.read_text().splitlines()
    forged = json.loads(lines[-1]) | {"seq": 4}
    audit_anchor_file.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n")
    result = audit.verify()
    assert not result.ok and "checkpoint file altered" in result.reason


@pytest.mark.postgres_only
def test_the_application_role_cannot_empty_alter_or_unguard_the_audit_table(trail, actor_for):
    """As a role that does not own the table (CI creates samen_app; production: SAMEN_DB_URL vs
    SAMEN_DB_MIGRATION_URL), with the rights `samen audit grant` gives it."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = 'samen_app'")
        if cur.fetchone() is None:
            pytest.fail("role samen_app is missing: create it as .ci/run does")
    grant_application_role("samen_app")
    attacks = [
        f"UPDATE {TABLE} SET role = 'x'",
        f"DELETE FROM {TABLE}",
        f"TRUNCATE {TABLE} CASCADE",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER samen_audit_append_only",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
        f"DROP TRIGGER samen_audit_append_only ON {TABLE}",
        f"UPDATE {TABLE} SET case_numbers = NULL",
        f"UPDATE {SUBJECTS} SET case_number = 'x'",
        f"DELETE FROM {SUBJECTS}",
        f"TRUNCATE {SUBJECTS}",
    ]
    for sql in attacks:
        with (
            pytest.raises(DatabaseError) as err,
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute("SET LOCAL ROLE samen_app")
            cur.execute(sql)
        assert "permission denied" in str(err.value) or "must be owner" in str(err.value), sql
    # ...while the application's own work goes on: it appends as that role.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL ROLE samen_app")
        audit.record(actor_for("demo-coordinator"), "case.read", object_type="case")
    assert AuditEntry.objects.count() == 7


def test_verify_runs_without_the_system_checks_the_other_actions_still_run(trail, capsys):
    """`audit verify` skips Django's system checks (ADR 0064: they import every view, 1.3 CPU-s);
    `checkpoint` runs them as before, unless skipped as call_command does by default."""
    from django.core import checks
    from django.core.management.base import SystemCheckError

    def failing(app_configs, **kwargs):
        return [checks.Error("a configuration error", id="samen.E999")]

    checks.register(failing)
    try:
        call_command("audit", "verify", skip_checks=False)
        assert "Audit trail intact" in capsys.readouterr().out
        with pytest.raises(SystemCheckError):
            call_command("audit", "checkpoint", skip_checks=False)
        call_command("audit", "checkpoint")
    finally:
        checks.registry.registry.registered_checks.discard(failing)
