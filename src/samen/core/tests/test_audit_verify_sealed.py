"""Entries keep the bytes their hash covers and verify hashes them as stored (ADR 0050): bytes
changed without the columns are found, and so are columns changed without the bytes (the
column cases are test_audit_verify_fast's); entries written before the bytes were stored still
verify from their columns; the subject index check on the server cannot be fooled by a number
only Python takes for one."""

import hmac

import pytest
from django.db import connection

from samen.core import anchor, audit
from samen.core.keys import key
from samen.core.models import AuditEntry

from .test_audit_chain import SUBJECTS, TABLE, raw


@pytest.fixture
def trail(actor_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actor = actor_for("demo-coordinator")
        for n in range(1, 5):
            audit.record(
                actor, "case.read", object_type="case", object_id=f"MH-2026-00000{n}",
                fields=["status"], legal_basis="AVG art. 6 — lid 1 \\ \"e\"\t",
                detail={"shown": [f"MH-2026-00010{n}"]},
            )  # fmt: skip
    return list(AuditEntry.objects.order_by("seq"))


def test_an_entry_stores_the_bytes_its_hash_covers(trail):
    for entry in trail:
        stored = entry.canonical.encode("ascii")
        values = {name: getattr(entry, name) for name in audit.CHAINED_FIELDS}
        assert stored == audit._canonical(values)
        mac = hmac.new(key("SAMEN_AUDIT_KEY"), digestmod="sha256")
        mac.update(entry.prev_hash.encode() + b"|" + stored)
        assert mac.hexdigest() == entry.hash


def test_stored_bytes_changed_with_the_columns_left_are_found(trail):
    raw(f"UPDATE {TABLE} SET canonical = replace(canonical, 'case.read', 'case.x') WHERE seq = 2")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 2 and "altered" in result.reason
    assert result.first_bad_id == trail[1].pk and result.checked == 1


def test_stored_bytes_with_an_escape_written_out_raw_are_found(trail):
    """JSON escapes a tab as backslash-t, and COPY writes a raw tab as backslash-t too: the walk
    must read the bytes as stored, not take the raw tab for the escape (which would let it pass
    the hash and leave the server to parse JSON that is not)."""
    raw(f"UPDATE {TABLE} SET canonical = replace(canonical, %s, %s) WHERE seq = 3", ["\\t", "\t"])
    assert "\t" in AuditEntry.objects.get(seq=3).canonical
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3 and "altered" in result.reason


@pytest.mark.postgres_only
def test_entries_without_stored_bytes_verify_from_their_columns(trail):
    """The entries appended before the bytes were stored, and one of an old process among
    newer ones: intact they verify; a change in either kind is found."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite walks every entry from its columns")
    raw(f"UPDATE {TABLE} SET canonical = NULL WHERE seq IN (1, 3)")
    assert audit.verify().ok
    raw(f"UPDATE {TABLE} SET canonical = replace(canonical, 'status', 'statue') WHERE seq = 2")
    result = audit.verify()  # stored bytes among entries walked from their columns
    assert not result.ok and result.first_bad_seq == 2 and "altered" in result.reason
    raw(f"UPDATE {TABLE} SET canonical = replace(canonical, 'statue', 'status') WHERE seq = 2")
    raw(f"UPDATE {TABLE} SET role = 'national_registrar' WHERE seq = 3")
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3 and "altered" in result.reason


@pytest.mark.postgres_only
def test_a_removed_index_row_of_a_number_only_python_reads_as_one_is_found(
    actor_for, django_capture_on_commit_callbacks
):
    """`subjects_of` takes other scripts' digits for digits; the server's strict pattern does
    not, so deleting that index row leaves both sides equal there: such an entry must still go
    to the column-by-column check."""
    if connection.vendor != "postgresql":
        pytest.skip("the server's subject index check is PostgreSQL's")
    odd = "MH-\uff12\uff10\uff12\uff16-000001"  # fullwidth digits
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(
            actor_for("demo-coordinator"), "case.search", object_type="case", object_id="*",
            detail={"shown": [odd, "MH-2026-000002"]},
        )  # fmt: skip
    entry = AuditEntry.objects.get()
    assert sorted(entry.subjects.values_list("case_number", flat=True)) == sorted(
        [odd, "MH-2026-000002"]
    )
    assert audit.verify().ok
    raw(f"DELETE FROM {SUBJECTS} WHERE case_number = %s", [odd])
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 1 and "subject index" in result.reason


def test_the_checkpoint_file_read_in_parts_is_the_file_read_whole(
    trail, audit_anchor_file, monkeypatch
):
    """A large file is read by several processes; what they find joins into what one reader
    finds: the same checkpoints, a bad line named by its number in the whole file, and two
    lines for one sequence in different parts still a rewrite."""
    lines = audit_anchor_file.read_text().splitlines(keepends=True)
    assert len(lines) == 4
    monkeypatch.setattr(anchor, "PARALLEL_BYTES", 0)
    whole, parts = anchor.load(workers=1), anchor.load(workers=3)
    assert (parts.last, parts.present, parts.hashes) == (whole.last, whole.present, whole.hashes)
    assert parts.rewritten_at is None and audit.verify().ok

    audit_anchor_file.write_text("".join([*lines, lines[1].replace('"seq":2', '"seq":1')]))
    with pytest.raises(anchor.AnchorBroken, match="line 5 "):
        anchor.load(workers=3)
    rewritten = anchor._mac(anchor._anchor_key(), 2, trail[0].hash, "2026-01-01T00:00:00+00:00")
    line = '{"seq":2,"hash":"%s","at":"2026-01-01T00:00:00+00:00","mac":"%s"}\n'
    audit_anchor_file.write_text("".join([*lines, line % (trail[0].hash, rewritten)]))
    assert anchor.load(workers=3).rewritten_at == 2
