"""Group commit of concurrent audit appends (ADR 0073): the appends that threads of one process
make outside any transaction at the same moment are written by one of them as one transaction.
Every entry is in the chain exactly once, in a gapless order that verifies; each thread returns
only once its own entries are committed; a failed group fails every request in it; entries
inside an atomic block keep their own transaction."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import DatabaseError, connection, transaction

from samen.core import audit
from samen.core.models import AuditEntry
from samen.core.tests import subjects

WAIT = 30  # seconds a test waits for a thread before it calls the append stuck


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("appends are grouped on PostgreSQL, outside any transaction")


def number(thread: int, i: int) -> str:
    return f"MH-2026-{thread * 1000 + i:06d}"


class Gate:
    """Holds the first group's leader before it writes, until `n` appends wait in the queue
    behind it: a group of `n` is then certain, whatever the threads' timing."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
        self.n = n
        self.open = threading.Event()
        self.held = threading.Event()  # the first leader is waiting at the gate
        self.groups: list[list[str]] = []  # each group's object ids, in the order written
        real = audit._write_group

        def write(group: list[audit._Waiting]) -> None:
            self.groups.append([v["object_id"] for w in group for v in w.batch])
            if len(self.groups) == 1:
                self.held.set()
                assert self.open.wait(WAIT)
            real(group)

        monkeypatch.setattr(audit, "_write_group", write)

    def release_when_queued(self) -> None:
        assert self.held.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while len(audit._group._queue) < self.n:
            assert time.monotonic() < deadline, "the appends did not queue behind the leader"
            time.sleep(0.005)
        self.open.set()


def in_thread(target, *args) -> tuple[threading.Thread, list]:
    """Run target(*args) in a thread with its own connection; its exception (if any) lands in
    the returned list."""
    outcome: list = []

    def run() -> None:
        try:
            target(*args)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)  # a stuck append fails, not hangs
    thread.start()
    return thread, outcome


def joined(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "an append never returned"


def read(actor, thread: int, i: int) -> None:
    audit.record(
        actor, "case.read", object_type="case", object_id=number(thread, i),
        detail={"shown": [number(thread, i), number(thread, 999)]},
    )  # fmt: skip


def transactions_of(ids: list[str]) -> set[str]:
    """The transactions (xmin) the entries with these object ids were committed in."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT xmin::text FROM {AuditEntry._meta.db_table} "
            "WHERE object_id = ANY(%s)",
            [ids],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_give_a_gapless_chain_with_every_entry_exactly_once(
    actor_for, monkeypatch
):
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")  # the first entry ever also creates the head row
    threads_n, each = 8, 12
    gate = Gate(monkeypatch, threads_n - 1)

    def reads(thread: int) -> None:
        for i in range(each):
            read(actor, thread, i)

    started = [in_thread(reads, t) for t in range(threads_n)]
    gate.release_when_queued()
    joined(*(t for t, _ in started))
    assert [outcome for _, outcome in started] == [[None]] * threads_n

    # At least one group held the seven appends that waited behind the first leader.
    assert sorted(len(g) for g in gate.groups)[-1] >= threads_n - 1
    assert len(transactions_of([g for group in gate.groups for g in group])) < threads_n * each
    entries = list(AuditEntry.objects.order_by("seq").values_list("seq", "object_id"))
    assert [seq for seq, _ in entries] == list(range(1, threads_n * each + 2))
    written = Counter(object_id for _, object_id in entries[1:])
    assert written == Counter(number(t, i) for t in range(threads_n) for i in range(each))
    # Each thread's own entries in the order it appended them.
    for t in range(threads_n):
        mine = [o for _, o in entries if o.startswith(f"MH-2026-{t:03d}")]
        assert mine == [number(t, i) for i in range(each)]
    # The groups were written in the order they were formed, each in queue order.
    assert [o for _, o in entries[1:]] == [o for group in gate.groups for o in group]
    assert len(subjects.all_numbers()) == 2 * threads_n * each
    assert audit.verify().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_group_fails_each_of_its_requests_and_loses_nothing_else(actor_for, monkeypatch):
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")
    gate = Gate(monkeypatch, 3)
    leader, led = in_thread(read, actor, 0, 0)
    gate.held.wait(WAIT)

    # Three appends queue behind the held leader; one of them the database refuses (a purpose
    # longer than its column), which fails the group they are written in.
    def refused() -> None:
        audit.record(
            actor, "case.read", object_type="case", object_id=number(1, 0), purpose="p" * 60
        )

    bad = in_thread(refused)
    others = [in_thread(read, actor, t, 0) for t in (2, 3)]
    gate.release_when_queued()
    joined(leader, bad[0], *(t for t, _ in others))

    assert led == [None]
    failures = [outcome[0] for outcome in (bad[1], *(o for _, o in others))]
    assert all(isinstance(f, DatabaseError) for f in failures), failures
    # The one that led the failed group raises the database's error, the others GroupFailed.
    assert sum(isinstance(f, audit.GroupFailed) for f in failures) == 2
    assert len(gate.groups) == 2 and sorted(gate.groups[1]) == sorted(
        [number(1, 0), number(2, 0), number(3, 0)]
    )
    assert list(AuditEntry.objects.order_by("seq").values_list("object_id", flat=True)) == [
        "", number(0, 0),
    ]  # fmt: skip
    assert not set(subjects.all_numbers()) & set(gate.groups[1])
    # The chain goes on from where the failed group would have started.
    read(actor, 4, 0)
    assert AuditEntry.objects.get(object_id=number(4, 0)).seq == 3
    assert audit.verify().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_entries_inside_an_atomic_block_keep_their_own_transaction(actor_for, monkeypatch):
    needs_postgresql()
    actor = actor_for("demo-coordinator")
    audit.record(actor, "case.read")
    gate = Gate(monkeypatch, 1)
    leader, led = in_thread(read, actor, 0, 0)
    gate.held.wait(WAIT)
    queued, waited = in_thread(read, actor, 1, 0)

    def written_in_a_block() -> None:
        with transaction.atomic():
            audit.record(actor, "case.update", object_type="case", object_id=number(2, 0))
            audit.record(actor, "case.read", object_type="case", object_id=number(2, 1))

    # While the group's leader is held and an append waits in the queue, a block's entries go
    # past both: written in the block's transaction, not in a group.
    block, done = in_thread(written_in_a_block)
    joined(block)
    assert done == [None]
    assert not gate.open.is_set() and len(audit._group._queue) == 1
    gate.release_when_queued()
    joined(leader, queued)
    assert led == waited == [None]

    assert list(AuditEntry.objects.order_by("seq").values_list("object_id", flat=True)) == [
        "", number(2, 0), number(2, 1), number(0, 0), number(1, 0),
    ]  # fmt: skip
    mine = transactions_of([number(2, 0), number(2, 1)])
    assert len(mine) == 1
    assert mine.isdisjoint(transactions_of([number(0, 0), number(1, 0)]))
    assert audit.verify().ok


def test_the_queue_writes_each_append_once_in_order_and_fails_a_group_whole(monkeypatch):
    """The grouping itself, without a database: appends from many threads, each written once
    by one leader, in queue order, batches whole; a failing group fails each of its appends and
    the next group is written all the same."""
    group = audit._Group()
    monkeypatch.setattr(audit, "_group", group)
    written: list[list[str]] = []
    fail = threading.Event()
    writing = threading.Lock()
    hold = threading.Event()
    hold.set()  # open

    def write(members: list[audit._Waiting]) -> None:
        assert hold.wait(WAIT)
        assert writing.acquire(blocking=False), "two groups written at once"
        try:
            time.sleep(0.002)  # long enough for others to queue
            if fail.is_set() and any(v["object_id"] == "fail" for m in members for v in m.batch):
                raise DatabaseError("refused")
            written.append([v["object_id"] for m in members for v in m.batch])
        finally:
            writing.release()

    monkeypatch.setattr(audit, "_write_group", write)
    threads_n, each = 6, 40
    outcomes: dict[int, list] = {t: [] for t in range(threads_n)}

    def appends(t: int) -> None:
        for i in range(each):
            batch = [{"object_id": f"{t}.{i}.{k}"} for k in range(1 + i % 3)]
            group.append(batch, late=True)
            outcomes[t].append(i)

    threads = [threading.Thread(target=appends, args=(t,), daemon=True) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    joined(*threads)
    assert all(outcomes[t] == list(range(each)) for t in range(threads_n))
    flat = [o for g in written for o in g]
    expected = [
        f"{t}.{i}.{k}" for t in range(threads_n) for i in range(each) for k in range(1 + i % 3)
    ]
    assert sorted(flat) == sorted(expected) and len(flat) == len(set(flat))
    assert max(len(g) for g in written) > 3  # appends were grouped
    for t in range(threads_n):  # a thread's batches whole and in its order
        mine = [o for o in flat if o.startswith(f"{t}.")]
        assert mine == [o for o in expected if o.startswith(f"{t}.")]

    fail.set()
    results: list = []

    def failing(object_id: str) -> None:
        try:
            group.append([{"object_id": object_id}], late=True)
            results.append((object_id, None))
        except DatabaseError as exc:
            results.append((object_id, exc))

    hold.clear()  # the first leader waits in write(); the others queue behind it
    first = threading.Thread(target=failing, args=("first",), daemon=True)
    first.start()
    deadline = time.monotonic() + WAIT
    while not (group._busy and not group._queue):
        assert time.monotonic() < deadline
        time.sleep(0.005)
    rest = [threading.Thread(target=failing, args=(o,), daemon=True) for o in ("a", "fail", "b")]
    for thread in rest:
        thread.start()
    while len(group._queue) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    hold.set()
    joined(first, *rest)
    failed = {o: exc for o, exc in results}
    assert failed["first"] is None
    assert all(isinstance(failed[o], DatabaseError) for o in ("a", "fail", "b"))
    assert sum(isinstance(failed[o], audit.GroupFailed) for o in ("a", "fail", "b")) == 2
    assert written[-1] == ["first"]  # the failed group's appends are nowhere
    group.append([{"object_id": "after"}], late=True)
    assert written[-1] == ["after"] and not group._busy and not group._queue
