"""Entries on PostgreSQL hashed in FORM_COLUMNS (ADR 0059): the server writes each entry's message
from its stored row and verify only hashes it. The message is Python's byte for byte, every
chained column and every subject index row is in it, the form cannot be relabelled either way,
older entries still verify before newer ones, and what the fast walk assumes (ids in chain
order, the index sorted by its subquery) can cost time but never raise an alarm."""

import json

import pytest
from django.db import connection, transaction

from samen.core import anchor, audit, audit_form, audit_verify
from samen.core.audit_verify import RELABELLED
from samen.core.models import AuditEntry
from samen.core.tests import approle, subjects

from .test_audit_chain import SUBJECTS, TABLE, raw
from .test_audit_verify_fast import CHANGES, write_odd_trail

pytestmark = pytest.mark.postgres_only


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("FORM_COLUMNS is PostgreSQL's")


@pytest.fixture
def odd_trail(actor_for, django_capture_on_commit_callbacks):
    needs_postgresql()
    with django_capture_on_commit_callbacks(execute=True):
        write_odd_trail(actor_for)
    trail = list(AuditEntry.objects.order_by("seq"))
    assert {e.form for e in trail} == {audit.FORM_COLUMNS}
    return trail


def server_messages(*, by_id: bool = False) -> dict[int, bytes]:
    """{seq: message} as verify's exact walk (or with `by_id` its fast walk) streams them."""
    lines = audit_verify._lines(audit_verify._message_copy_sql(0, None, by_id=by_id))
    rows = [audit_verify._uncopy(f) for line in lines for f in line[:-1].split(b"\t")]
    return {int(rows[i]): rows[i + 4] for i in range(0, len(rows), 5)}


def test_the_server_writes_the_message_python_hashed_byte_for_byte(odd_trail):
    """Non-ASCII, escapes, control characters, no actor, numbers PostgreSQL writes its own way:
    the message the append hashed is the one the server writes back, and parses back into the
    row's columns; the fast walk's query writes the same bytes as the exact walk's."""
    written = server_messages()
    assert server_messages(by_id=True) == written
    with connection.cursor() as cur:
        for entry in odd_trail:
            values = {name: getattr(entry, name) for name in audit.CHAINED_FIELDS}
            values["actor_id"], values["organisation_id"] = entry.actor_id, entry.organisation_id
            jsons = [json.dumps(entry.fields), json.dumps(entry.detail)]
            numbers = subjects.numbers_of(entry)
            texts = audit.jsonb_texts(cur, jsons)
            built = audit_form.columns_message(entry.prev_hash, values, texts, numbers)
            assert written[entry.seq] == built
            parts = audit_form.parse(built)
            assert parts["legal_basis"] == entry.legal_basis and parts["subjects"] == sorted(
                numbers
            )
            assert json.loads(str(parts["detail"])) == entry.detail
    assert audit.verify().ok


def tampered(sql: str, params: list | None = None) -> audit.VerifyResult:
    """verify() after a change that is rolled back afterwards (one trail serves every change)."""
    sid = transaction.savepoint()
    try:
        raw(sql, params)
        return audit.verify()
    finally:
        transaction.savepoint_rollback(sid)


def test_a_change_to_any_chained_column_or_subject_index_row_is_found(odd_trail):
    first, second = odd_trail[0], odd_trail[1]
    for column, change in CHANGES.items():
        result = tampered(f"UPDATE {TABLE} SET {change} WHERE seq = 1")
        assert not result.ok and (result.first_bad_seq, result.first_bad_id) == (1, first.pk), (
            column, result,
        )  # fmt: skip
    take, give = (
        subjects.removed("MH-2026-000004", second.pk),
        subjects.added(first.pk, "MH-2026-000004"),
    )
    index_changes = {
        "added": subjects.added(second.pk, "MH-2026-000009"),
        "written twice": subjects.added(second.pk, "MH-2026-000004"),
        "removed": subjects.removed("MH-2026-000003", second.pk),
        "changed": subjects.changed("MH-2026-000004", "MH-2026-000009", second.pk),
        "moved": (f"{take[0]}; {give[0]}", [*take[1], *give[1]]),
    }
    if connection.vendor == "postgresql":  # an element no append writes
        index_changes["a NULL"] = subjects.added(second.pk, None)
    assert subjects.numbers_of(second) == ["MH-2026-000003", "MH-2026-000004"]
    for how, (sql, params) in index_changes.items():
        result = tampered(sql, params)
        # A NULL element is no number: the message cannot be parsed back, "content was altered".
        assert not result.ok and "altered" in result.reason, (how, result)
        assert how == "a NULL" or "subject index" in result.reason, (how, result)
        assert result.first_bad_seq == (1 if how == "moved" else 2), (how, result)
    assert audit.verify().ok


def test_a_deleted_entry_a_cut_tail_and_reordered_entries_are_found(odd_trail):
    delete = f"DELETE FROM {SUBJECTS} WHERE entry_id = %s; DELETE FROM {TABLE} WHERE id = %s"
    result = tampered(delete, [odd_trail[1].pk] * 2)
    assert result.first_bad_seq == 3 and "missing" in result.reason
    result = tampered(delete, [odd_trail[3].pk] * 2)
    assert not result.ok and "last checkpoint says 4" in result.reason
    a, b = odd_trail[0].pk, odd_trail[1].pk
    result = tampered(
        f"UPDATE {TABLE} SET seq = -1 WHERE id = %s; UPDATE {TABLE} SET seq = 1 WHERE id = %s; "
        f"UPDATE {TABLE} SET seq = 2 WHERE id = %s",
        [a, b, a],
    )
    assert not result.ok and result.first_bad_seq == 1


def test_the_form_cannot_be_relabelled_either_way(odd_trail):
    """A newer entry claimed as older no longer hashes (and after a newer one is refused as
    such); an older one claimed as newer does not hash either."""
    result = tampered(f"UPDATE {TABLE} SET form = 1 WHERE seq = 1")
    assert (result.first_bad_seq, result.reason) == (1, "content was altered")
    result = tampered(f"UPDATE {TABLE} SET form = 1 WHERE seq = 3")
    assert (result.first_bad_seq, result.reason) == (3, RELABELLED)
    result = tampered(f"UPDATE {TABLE} SET form = 3 WHERE seq = 2")
    assert result.first_bad_seq == 2 and "form was altered" in result.reason


@pytest.fixture
def mixed_trail(actor_for, django_capture_on_commit_callbacks, monkeypatch):
    """Two entries written before migration 0011 (FORM_JSON), three after it."""
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        with monkeypatch.context() as before:
            before.setattr(audit, "form", lambda: audit.FORM_JSON)
            for n in (1, 2):
                audit.record(actor, "case.read", object_type="case", object_id=f"MH-2026-00000{n}")
        for n in (3, 4, 5):
            audit.record(actor, "case.read", object_type="case", object_id=f"MH-2026-00000{n}")
    trail = list(AuditEntry.objects.order_by("seq"))
    assert [e.form for e in trail] == [1, 1, 2, 2, 2]
    return trail


@pytest.mark.django_db(transaction=True)
def test_older_entries_verify_before_newer_ones_and_never_after(mixed_trail):
    """Also across ranges walked by different processes: a range that starts with an older
    entry after a range that held a newer one is refused at the join."""
    assert audit.verify().ok
    key, anchors = audit._audit_key(), anchor.load()
    for by_id, top in ((False, 5), (True, mixed_trail[-1].pk)):
        bounds = [(0, 2), (2, 3), (3, 4), (4, None)] if not by_id else [
            (0, mixed_trail[1].pk), (mixed_trail[1].pk, mixed_trail[2].pk),
            (mixed_trail[2].pk, mixed_trail[3].pk), (mixed_trail[3].pk, None),
        ]  # fmt: skip
        walk = audit_verify.join(
            audit_verify.parallel_spans(key, anchors, bounds, 2, by_id=by_id), audit.GENESIS
        )
        assert walk.problem is None and walk.checked == 5, (by_id, top, walk)
    raw(f"UPDATE {TABLE} SET role = 'national_registrar' WHERE seq = 2")  # an older entry
    result = audit.verify()
    assert (result.first_bad_seq, result.reason) == (2, "content was altered")
    raw(f"UPDATE {TABLE} SET form = 1 WHERE seq = 4")  # the first of its range (4, None)
    walk = audit_verify.join(
        audit_verify.parallel_spans(key, anchors, [(0, 1), (1, 3), (3, None)], 2), audit.GENESIS
    )
    assert walk.problem.seq == 2  # the earlier break still wins
    raw(f"UPDATE {TABLE} SET role = %s WHERE seq = 2", [mixed_trail[1].role])  # put back
    walk = audit_verify.join(
        audit_verify.parallel_spans(key, anchors, [(0, 1), (1, 3), (3, None)], 2), audit.GENESIS
    )
    assert (walk.problem.seq, walk.problem.reason, walk.checked) == (4, RELABELLED, 3)


def move_ids(which: str, by: int) -> None:
    """Give entries (`id <which>`) other ids, their index rows with them: content, index and
    chain stay intact. The foreign key is checked when both have moved."""
    with approle.as_owner(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER samen_audit_append_only")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        cur.execute(f"UPDATE {SUBJECTS} SET entry_id = entry_id + %s WHERE entry_id {which}", [by])
        cur.execute(f"UPDATE {TABLE} SET id = id + %s WHERE id {which}", [by])
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER samen_audit_append_only")


def test_what_the_fast_walk_assumes_costs_time_never_a_false_alarm(odd_trail, monkeypatch):
    """Ids out of chain order: the fast walk fails, the exact walk in sequence order clears the
    chain; a changed entry is still named."""
    walked: list[bool] = []
    real = audit_verify._message_span

    def counted(*args, by_id=False, **kwargs):
        walked.append(by_id)
        return real(*args, by_id=by_id, **kwargs)

    monkeypatch.setattr(audit_verify, "_message_span", counted)
    assert audit.verify().ok and walked == [True]
    move_ids(f"= {odd_trail[0].pk}", 1_000_000)  # the first entry now has the highest id
    walked.clear()
    assert audit.verify().ok and walked == [True, False]
    # The case numbers come from each entry's own row in both walks (ADR 0086): there is no
    # merged index whose order the fast walk could get wrong any more.
    move_ids("> 1000000", -1_000_000)
    walked.clear()
    assert audit.verify().ok and walked == [True]
    raw(f"UPDATE {TABLE} SET purpose = 'x' WHERE seq = 3")
    result = audit.verify()
    assert (result.first_bad_seq, result.checked, result.reason) == (3, 2, "content was altered")


@pytest.mark.django_db(transaction=True)
def test_the_walk_copies_without_a_parallel_plan_or_jit_and_leaves_the_settings_as_they_were():
    """Verify's COPY runs without parallel workers (ADR 0064: they aggregated each range's
    subject index again, uncounted) and without JIT, and the session's settings are what they
    were afterwards; inside a caller's transaction the COPY goes alone, so nothing lasts past
    that transaction."""
    needs_postgresql()
    shown = "current_setting('max_parallel_workers_per_gather') || ' ' || current_setting('jit')"
    copy = f"COPY (SELECT {shown}) TO STDOUT"

    def settings() -> bytes:
        with connection.cursor() as cur:
            cur.execute(f"SELECT {shown}")
            return cur.fetchone()[0].encode()

    with connection.cursor() as cur:
        cur.execute("SET jit = on")
    before = settings()
    assert not before.startswith(b"0 ") and before.endswith(b" on")
    assert list(audit_verify._libpq_lines(copy)) == [b"0 off\n"]
    assert settings() == before
    with transaction.atomic():
        assert settings() == before  # the transaction is open on the server from here
        assert list(audit_verify._libpq_lines(copy)) == [before + b"\n"]
        assert settings() == before
