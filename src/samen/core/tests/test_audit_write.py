"""The audit write path (ADR 0043): a fixed number of statements per append whatever the number
of entries, chained as one; on PostgreSQL the entries of reads commit without waiting for the WAL
flush, never checkpointed before they are durable, and every n-th of them durable."""

import itertools
import tempfile

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from samen.core import anchor, audit
from samen.core.models import AuditEntry
from samen.core.tests import subjects


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the single statement and the late commit are PostgreSQL's")


def shown(n: int) -> list[dict]:
    return [
        {"object_type": "case", "object_id": f"MH-2026-{i:06d}", "fields": ["status"]}
        for i in range(1, n + 1)
    ]


def appended(actor, entries: list[dict]) -> int:
    with CaptureQueriesContext(connection) as queries:
        audit.record_many(actor, "case.read", entries)
    return len(queries.captured_queries)


@pytest.mark.parametrize("texts_as", ["columns", "array"])
def test_many_entries_cost_the_statements_of_one_and_chain_in_order(
    actor_for, texts_as, monkeypatch
):
    if texts_as == "array":  # the jsonb texts of a large batch come back as one array
        monkeypatch.setattr(audit, "_SCALAR_TEXTS", 0)
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")  # the first entry ever also creates the head row
    few = appended(actor, shown(2))
    many = appended(actor, shown(40))
    assert many == few
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 44))
    assert [e.object_id for e in entries[3:]] == [f"MH-2026-{i:06d}" for i in range(1, 41)]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert sum(len(subjects.numbers_of(e)) for e in entries) == 42
    assert audit.verify().ok


@pytest.mark.postgres_only
def test_an_entry_is_one_statement_to_lock_the_head_and_one_to_write(actor_for):
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")  # the first entry ever also creates the head row
    with CaptureQueriesContext(connection) as queries:
        audit.record(actor, "case.search", object_type="case", detail={"shown": ["MH-2026-000001"]})
    assert len(queries.captured_queries) == 2
    assert subjects.all_numbers() == ["MH-2026-000001"]
    assert audit.verify().ok


def refused(actor, n: int) -> int:
    """Queries of a rolled back block that refused n times, refusals written after it."""
    with CaptureQueriesContext(connection) as queries, audit.refusals_outlive():
        try:
            with transaction.atomic():
                for i in range(n):
                    audit.record(actor, "case.update", object_id=str(i), result="denied")
                raise RuntimeError("refused")
        except RuntimeError:
            pass
    return len(queries.captured_queries)


def test_refusals_held_in_a_rolled_back_block_are_written_together(actor_for):
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")  # the first entry ever also creates the head row
    assert refused(actor, 3) == refused(actor, 1)
    assert list(AuditEntry.objects.order_by("seq").values_list("object_id", flat=True)) == [
        "", "0", "1", "2", "0",
    ]  # fmt: skip
    assert audit.verify().ok


def late(queries) -> bool:
    return any("'synchronous_commit', 'off'" in q["sql"] for q in queries.captured_queries)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_reads_commit_late_and_only_their_durable_nth_is_checkpointed_writes_never(
    actor_for, settings
):
    needs_postgresql()
    settings.AUDIT_READS_DURABLE_EVERY = 3
    actor = actor_for("demo-coordinator")
    for n in range(1, 5):
        with CaptureQueriesContext(connection) as queries:
            audit.record(actor, "case.read", object_type="case", object_id=f"MH-2026-00000{n}")
        assert late(queries)
    # The third turned durable before its commit; only it was checkpointed.
    assert [p.seq for p in anchor.read()] == [3]
    assert audit.verify().ok
    # The cron's checkpoint of the head makes it durable first, then names it.
    assert anchor.checkpoint_head().seq == 4
    assert audit.verify().last_checkpoint.seq == 4
    # A write's entry, and a read's inside a transaction (which may write), stay durable.
    with CaptureQueriesContext(connection) as queries:
        audit.record(actor, "case.update", object_type="case", object_id="MH-2026-000001")
    assert not late(queries)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        audit.record(actor, "case.read", object_type="case", object_id="MH-2026-000001")
    assert not late(queries)
    assert [p.seq for p in anchor.read()] == [3, 4, 5, 6]
    assert audit.verify().ok


def messages_sent(action) -> list[str]:
    """The messages the client sends to the server while `action` runs (libpq's protocol
    trace)."""
    with tempfile.TemporaryFile("w+") as out:
        connection.ensure_connection()
        connection.connection.pgconn.trace(out.fileno())
        try:
            action()
        finally:
            connection.connection.pgconn.untrace()
        out.seek(0)
        return [line.split("\t", 3)[3] for line in out if "\tF\t" in line]


def round_trips(sent: list[str]) -> list[str]:
    """The messages after which the client waits for the server: a simple-protocol Query, or a
    Sync ending a pipeline's batch of extended-protocol messages."""
    return [m for m in sent if m.startswith(("Query\t", "Sync"))]


def parsed(sent: list[str]) -> list[str]:
    """The statements the server parses (and plans) anew: simple-protocol queries, and Parse
    messages of the extended protocol (a prepared statement is parsed once per connection)."""
    return [m for m in sent if m.startswith(("Query\t", "Parse\t"))]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_append_of_its_own_is_two_round_trips_and_rolls_back_whole(
    actor_for, monkeypatch, settings
):
    """Outside a transaction an append is one: BEGIN goes with the head's lock, COMMIT with the
    inserts. Where statements run prepared (ADR 0057) both go pipelined and the head's lock and
    the inserts are prepared statements, parsed once per connection (ADR 0062); without a
    prepare_threshold (psycopg then prepares nothing), or with SAMEN_DB_PREPARED=0, they go as
    two simple-protocol strings. A failed insert leaves no entry and the connection usable."""
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")  # the first entry ever also creates the head row
    connection.ensure_connection()
    pg = connection.connection
    for n, (prepared, threshold) in enumerate([(True, 5), (True, 0), (True, None), (False, 5)]):
        settings.DATABASE_PREPARED = prepared
        monkeypatch.setattr(pg, "prepare_threshold", threshold)
        number = f"MH-2026-{n:06d}"
        for action in ("case.update", "case.read"):  # reads: the late commit's statement
            audit.record(actor, action, object_id=number)  # prepares
            sent = messages_sent(lambda a=action, o=number: audit.record(actor, a, object_id=o))
            assert len(round_trips(sent)) == 2
            if prepared and threshold is not None:
                # Only BEGIN and COMMIT are parsed: the lock and the inserts were prepared.
                assert [m.split('"')[3] for m in parsed(sent)] == ["BEGIN", "COMMIT"]
            else:
                assert "BEGIN;" in sent[0] and "COMMIT" in sent[1]
    assert AuditEntry.objects.count() == 17
    assert audit.verify().ok
    monkeypatch.undo()

    def broken(write):
        sql, params = real(write)
        return sql.replace("UPDATE", "UPDATE no_such_table", 1), params

    real = audit._insert_sql
    for prepared in (True, False):
        settings.DATABASE_PREPARED = prepared
        monkeypatch.setattr(audit, "_insert_sql", broken)
        with pytest.raises(DatabaseError):
            audit.record(actor, "case.update", object_id="MH-2026-000002")
        monkeypatch.undo()
        assert AuditEntry.objects.count() == 17
        assert not connection.in_atomic_block
    audit.record(actor, "case.update", object_id="MH-2026-000003")
    assert AuditEntry.objects.order_by("-seq").first().seq == 18
    assert audit.verify().ok
