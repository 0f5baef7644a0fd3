"""The fast walk's compiled per-entry checks (`samen.core._chainwalk`, ADR 0068) give exactly what
the reference loop of `audit_verify._message_span` gives: the same spans (first entry, last hash,
entries checked, problem, forms seen) and the same verify result, on an intact chain and after
each kind of tampering, over the whole chain and over ranges. The compiled walk only accepts
entries that are plainly right and leaves every other line to the loop; a walk that accepts too
much is caught by the comparison (the last test)."""

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from samen.core import anchor, audit, audit_verify
from samen.core.audit_verify import RELABELLED
from samen.core.models import AuditChainHead, AuditEntry

from .test_audit_chain import SUBJECTS, TABLE, raw
from .test_audit_verify_fast import write_odd_trail

pytestmark = pytest.mark.postgres_only

COMPILED = audit_verify._compiled
HEAD = AuditChainHead._meta.db_table


def test_the_compiled_walk_is_built():
    """`make install` builds it (gcc, Python's headers, libssl-dev): every verify test on
    PostgreSQL goes through it, with the reference loop behind it."""
    assert COMPILED is not None


@pytest.fixture
def trail(actor_for, django_capture_on_commit_callbacks, monkeypatch, settings):
    """Two entries in the older form, then the newer form: plain case reads (what the compiled
    walk accepts) around entries with escaped characters, non-ASCII and no actor (what it
    leaves to the loop). Every entry checkpointed."""
    if connection.vendor != "postgresql":
        pytest.skip("the compiled walk is PostgreSQL's fast walk")
    if COMPILED is None:
        pytest.fail("samen.core._chainwalk is not built (make install)")
    settings.AUDIT_READS_DURABLE_EVERY = 1
    actor = actor_for("demo-coordinator")

    def reads(numbers: range) -> None:
        for n in numbers:
            audit.record(
                actor, "case.read", object_type="case", object_id=f"MH-2026-{n:06d}",
                fields=["region", "forms"], detail={"shown": [f"MH-2026-{n + 1:06d}"]},
            )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        with monkeypatch.context() as before:
            before.setattr(audit, "form", lambda: audit.FORM_JSON)
            reads(range(1, 3))
        reads(range(3, 10))
        write_odd_trail(actor_for)
        reads(range(10, 20))
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.form for e in entries[:3]] == [1, 1, 2] and len(entries) == 23
    return entries


def walked(trail: list[AuditEntry], anchors: anchor.Anchors) -> list[audit_verify.Span]:
    """Every span the walks make: the whole chain in id and in sequence order, and ranges."""
    key = audit._audit_key()
    ids = [e.pk for e in trail]
    ranges = {
        True: [(0, None), (0, ids[2]), (ids[2], ids[11]), (ids[11], None)],
        False: [(0, None), (0, 3), (3, 12), (12, None)],
    }
    return [
        audit_verify.check_span(key, anchors, lo, hi, by_id=by_id)
        for by_id, bounds in ranges.items()
        for lo, hi in bounds
    ]


def same_both_ways(
    trail: list[AuditEntry], monkeypatch, anchors: anchor.Anchors | None = None, walk=None
) -> tuple[list[audit_verify.Span], audit.VerifyResult]:
    """The spans and verify's result with the compiled walk (or `walk` in its place) and with
    the reference loop alone; they must be equal. Also counts what the compiled walk accepted."""
    anchors = anchors or anchor.load()
    accepted = [0]

    def counted(state, messages, start, *args):
        to, prev = (walk or COMPILED.walk)(state, messages, start, *args)
        accepted[0] += to - start
        return to, prev

    outcomes = []
    for compiled in (SimpleNamespace(prepare=COMPILED.prepare, walk=counted), None):
        with monkeypatch.context() as m:
            m.setattr(audit_verify, "_compiled", compiled)
            outcomes.append((walked(trail, anchors), audit.verify()))
    assert outcomes[0] == outcomes[1]
    assert accepted[0] > 0  # the compiled walk took part
    return outcomes[0]


@contextmanager
def tampered(sql: str, params: list | None = None) -> Iterator[None]:
    """A change rolled back afterwards (one trail serves every change)."""
    sid = transaction.savepoint()
    try:
        raw(sql, params)
        yield
    finally:
        transaction.savepoint_rollback(sid)


def test_an_intact_chain_walks_alike_and_mostly_compiled(trail, monkeypatch):
    spans, result = same_both_ways(trail, monkeypatch)
    assert result.ok and result.checked == 23
    assert spans[0].problem is None and spans[0].checked == 23 and spans[0].saw_columns


def test_each_kind_of_tampering_walks_alike(trail, monkeypatch):
    """The same spans, problems and reasons, tampered with in the compiled walk's part (plain
    entries) and at entries it leaves to the loop."""
    at = {e.seq: e for e in trail}
    swap = (
        f"UPDATE {TABLE} SET seq = -1 WHERE seq = 6; UPDATE {TABLE} SET seq = 6 WHERE seq = 7; "
        f"UPDATE {TABLE} SET seq = 7 WHERE seq = -1"
    )
    not_null = f"ALTER TABLE {TABLE} ALTER COLUMN {{0}} DROP NOT NULL; UPDATE {TABLE} SET {{0}} "
    changes = {
        "altered column": (f"UPDATE {TABLE} SET actor_username = 'x' WHERE seq = 5", 5, "content"),
        "altered odd entry": (f"UPDATE {TABLE} SET purpose = 'p' WHERE seq = 10", 10, "content"),
        "subject index": (
            f"UPDATE {TABLE} SET case_numbers = ARRAY['MH-2026-000099'] WHERE id = %s",
            7, "subject index",
        ),
        "missing seq": (f"DELETE FROM {SUBJECTS} WHERE entry_id = %s; "
                        f"DELETE FROM {TABLE} WHERE id = %s", 7, "sequence 7 is missing"),
        "seq nulled": (f"UPDATE {TABLE} SET seq = NULL WHERE seq = 15", 16, "missing"),
        "reordered": (swap, 6, None),
        "broken link": (f"UPDATE {TABLE} SET prev_hash = repeat('0', 64) WHERE seq = 12", 12,
                        "link"),
        "hash in capitals": (f"UPDATE {TABLE} SET hash = upper(hash) WHERE seq = 13", 13, None),
        "hash shortened": (f"UPDATE {TABLE} SET hash = left(hash, 63) WHERE seq = 13", 13, None),
        "older form after newer": (f"UPDATE {TABLE} SET form = 1 WHERE seq = 18", 18, RELABELLED),
        "unknown form": (f"UPDATE {TABLE} SET form = 3 WHERE seq = 17", 17, "form was altered"),
        "NULL form": (not_null.format("form") + "= NULL WHERE seq = 17", 17, "form NULL"),
        "NULL in the message": (not_null.format("role") + "= NULL WHERE seq = 8", 8, "content"),
        "NULL hash": (not_null.format("hash") + "= NULL WHERE seq = 8", 8, None),
        "escaped character": (f"UPDATE {TABLE} SET legal_basis = legal_basis || E'\\t' "
                              "WHERE seq = 19", 19, "content"),
        "older entry altered": (f"UPDATE {TABLE} SET role = 'x' WHERE seq = 2", 2, "content"),
    }  # fmt: skip
    for name, (sql, seq, reason) in changes.items():
        params = [at[seq].pk] * sql.count("%s") or None
        with tampered(sql, params):
            _, result = same_both_ways(trail, monkeypatch)
        found = seq + 1 if name == "missing seq" else seq  # the entry after the gap
        assert not result.ok and result.first_bad_seq == found, (name, result)
        assert reason is None or reason in result.reason, (name, result)

    keep = 20  # a cut tail, the head rewound: found against the last checkpoint
    cut = (
        f"DELETE FROM {SUBJECTS} WHERE entry_id IN (SELECT id FROM {TABLE} WHERE seq > {keep}); "
        f"DELETE FROM {TABLE} WHERE seq > {keep}; "
        f"UPDATE {HEAD} SET seq = {keep}, hash = '{at[keep].hash}'"
    )
    with tampered(cut):
        _, result = same_both_ways(trail, monkeypatch)
    assert not result.ok and "last checkpoint says 23" in result.reason


def test_an_altered_checkpoint_walks_alike(trail, monkeypatch):
    """A checkpoint that differs from its entry, in the compiled walk's part and after it."""
    for seq in (6, 22):
        anchors = anchor.load()
        assert anchors.present[seq]
        anchors.hashes[seq * anchor.KEPT] ^= 1
        spans, _ = same_both_ways(trail, monkeypatch, anchors)
        assert spans[0].problem.seq == seq and "checkpoint" in spans[0].problem.reason


def test_a_valid_entry_from_a_forked_chain_walks_alike(trail, monkeypatch, actor_for):
    """An entry that hashes right and has the expected sequence but belongs to another chain
    (the tail cut and written anew, the old entry 22 put back): only the link tells, and both
    walks name it. No checkpoints, so that the link is what is checked."""
    raw(f"CREATE TEMP TABLE old_entries AS SELECT * FROM {TABLE} WHERE seq = 22; "
        f"CREATE TEMP TABLE old_subjects AS SELECT * FROM {SUBJECTS} WHERE entry_id IN "
        f"(SELECT id FROM {TABLE} WHERE seq = 22); "
        f"DELETE FROM {SUBJECTS} WHERE entry_id IN (SELECT id FROM {TABLE} WHERE seq > 20); "
        f"DELETE FROM {TABLE} WHERE seq > 20; "
        f"UPDATE {HEAD} SET seq = 20, hash = '{trail[19].hash}'")  # fmt: skip
    actor = actor_for("demo-coordinator")
    for n in (21, 22, 23):
        audit.record(actor, "case.read", object_type="case", object_id=f"MH-2026-{n:06d}")
    raw(f"DELETE FROM {SUBJECTS} WHERE entry_id IN (SELECT id FROM {TABLE} WHERE seq = 22); "
        f"DELETE FROM {TABLE} WHERE seq = 22; INSERT INTO {TABLE} SELECT * FROM old_entries; "
        f"INSERT INTO {SUBJECTS} SELECT * FROM old_subjects")  # fmt: skip
    none = anchor.Anchors(last=None, hashes=bytearray(), present=bytearray())
    spans, _ = same_both_ways(trail, monkeypatch, none)
    exact = spans[4]  # in sequence order (in id order the old entry comes before 21)
    assert (exact.problem.seq, exact.problem.reason) == (22, "link to previous broken")


def test_a_compiled_walk_that_accepts_too_much_is_caught(trail, monkeypatch):
    """The comparison can fail: a walk that takes any line with the expected sequence number
    as right (no link, no HMAC, no checkpoint) clears a changed entry the loop names."""

    def lax(state, messages, start, expected, prev, *rest):
        at = start
        while at < len(messages) and bytes(messages[at]).split(b"\t")[0] == b"%d" % expected:
            prev, at, expected = bytes(messages[at]).split(b"\t")[3], at + 1, expected + 1
        return at, prev

    assert same_both_ways(trail, monkeypatch, walk=lax)[1].ok  # intact: no difference seen
    change = f"UPDATE {TABLE} SET actor_username = 'x' WHERE seq = 5"
    with tampered(change), pytest.raises(AssertionError):
        same_both_ways(trail, monkeypatch, walk=lax)
