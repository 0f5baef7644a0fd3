"""The checkpoint file read in parts by several processes (a large file, ADR 0050) finds what
one reader of the whole file finds."""

import pytest

from samen.core import anchor, audit
from samen.core.models import AuditEntry


@pytest.fixture
def trail(actor_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actor = actor_for("demo-coordinator")
        for n in range(1, 5):
            audit.record(actor, "case.read", object_type="case", object_id=f"MH-2026-00000{n}")
    return list(AuditEntry.objects.order_by("seq"))


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
