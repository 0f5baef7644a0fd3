"""The audit write path (ADR 0043): a fixed number of statements per append whatever the number
of entries, chained as one; on PostgreSQL the entries of reads commit without waiting for the WAL
flush, never checkpointed before they are durable, and every n-th of them durable."""

import functools
import itertools
import tempfile

import psycopg
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
    Sync or a flush request ending a pipeline's batch of extended-protocol messages (psycopg
    sends a flush request right after the Sync that leaves a pipeline: no wait of its own)."""
    waits = []
    for i, m in enumerate(sent):
        after_sync = m.startswith("Flush") and i > 0 and sent[i - 1].startswith("Sync")
        if m.startswith(("Query\t", "Sync", "Flush")) and not after_sync:
            waits.append(m)
    return waits


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
                # Nothing is parsed: the lock and the inserts were prepared, and the transaction
                # is the pipeline's implicit one (no BEGIN, no COMMIT; ADR 0091): the lock's row
                # comes back on a flush request, the Sync after the inserts commits.
                assert parsed(sent) == []
                assert [m.split("\n")[0] for m in round_trips(sent)] == ["Flush", "Sync"]
                assert not any("BEGIN" in m or "COMMIT" in m for m in sent)
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


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_pipelined_append_holds_the_head_and_its_late_commit_until_the_inserts(
    actor_for, monkeypatch
):
    """Without BEGIN (ADR 0091) the lock of the head and the inserts are still one
    transaction: between the two round trips another connection cannot lock the head, and the
    late commit set with the lock (set_config(..., true)) still holds for the inserts; a write's
    entry commits durably. A failure between them leaves nothing and the head free."""
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")  # the first entry ever also creates the head row
    connection.ensure_connection()
    pg = connection.connection
    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    seen: list[tuple[str, bool]] = []
    real = audit._chained

    def between(*args, **kwargs):
        cursor = audit._audit_cursor(connection)
        cursor.execute("SELECT current_setting('synchronous_commit')", prepare=False)
        setting = cursor.fetchone()[0]
        try:
            other.execute(f"SELECT 1 FROM {audit._tables().head} WHERE id = 1 FOR UPDATE NOWAIT")
            locked = False
        except psycopg.errors.LockNotAvailable:
            locked = True
        seen.append((setting, locked))
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "_chained", between)
    try:
        assert audit._pipelined() and pg.autocommit
        audit.record(actor, "case.read", object_id="MH-2026-000001")
        audit.record(actor, "case.update", object_id="MH-2026-000001")
        assert seen == [("off", True), ("on", True)]

        def failing(*args, **kwargs):
            between(*args, **kwargs)
            raise RuntimeError("between the round trips")

        monkeypatch.setattr(audit, "_chained", failing)
        with pytest.raises(RuntimeError):
            audit.record(actor, "case.read", object_id="MH-2026-000002")
        assert seen[-1] == ("off", True)
        # The head is free again and nothing was written.
        other.execute(f"SELECT 1 FROM {audit._tables().head} WHERE id = 1 FOR UPDATE NOWAIT")
    finally:
        other.close()
    monkeypatch.undo()
    assert AuditEntry.objects.count() == 3
    assert pg.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    audit.record(actor, "case.read", object_id="MH-2026-000003")
    assert AuditEntry.objects.count() == 4
    assert audit.verify().ok


@pytest.mark.postgres_only
def test_the_chained_rows_bind_as_the_fields_prepare_them(actor_for, monkeypatch):
    """`_chained` dumps each entry's JSON once and binds that text (ADR 0091): every prepared
    row, as the SQL literal psycopg sends, and every hash equal those of the model's own fields
    (the JSON dumped again at binding), for awkward JSON."""
    needs_postgresql()
    connection.ensure_connection()
    literal = psycopg.adapt.Transformer(connection.connection).as_literal
    actor = actor_for("demo-coordinator")
    details = [
        {},
        {"shown": ["MH-2026-000001", "MH-2026-000002"], "filters": {"form": "labour"}},
        {"é": "ü\u2028\x00", "n": [1, 2.5, None, True], "nested": {"a": {"b": []}}},
    ]
    batch = [
        audit.entry_values(
            actor, "case.search", object_type="case", object_id=i, fields=f, detail=d
        )
        for f in ([], ["status", "number"]) for d in details
        for i in ("", "*", "MH-2026-000002", "MH-2026-000009\n")
    ]  # fmt: skip
    texts = {j: j.replace(":", ": ") for j in audit._json_of(batch)}  # any server text
    lean = audit._chained(b"k" * 32, [dict(v) for v in batch], 7, "a" * 64, texts)
    # The JSON dumped by the caller once, for the lock's texts and the rows (ADR 0105).
    given = audit._chained(
        b"k" * 32, [dict(v) for v in batch], 7, "a" * 64, texts, audit._dumps(batch)
    )
    monkeypatch.setattr(audit, "_json_positions", lambda: ())
    # Each value by its model field's own method (not the shortcuts of ADR 0105).
    monkeypatch.setattr(
        audit,
        "_preparers",
        lambda db: tuple(
            functools.partial(f.get_db_prep_save, connection=db)
            for _name, f in audit._tables().named_fields
        ),
    )
    reference = audit._chained(b"k" * 32, [dict(v) for v in batch], 7, "a" * 64, texts)
    for chained in (lean, given):
        assert chained[0][2] == reference[0][2]  # the same chain
        assert len(chained[0][0]) == len(batch)
        for ours, theirs in zip(chained[0][0], reference[0][0], strict=True):
            assert [literal(v) for v in ours] == [literal(v) for v in theirs]
            assert [type(v) for v in ours] == [type(v) for v in theirs]
