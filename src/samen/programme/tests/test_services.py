"""Accepting and rejecting what the letter reader proposes."""

import pytest
from django.core.exceptions import PermissionDenied

from samen.core.models import AuditEntry
from samen.programme import services
from samen.programme.models import (
    Commitment,
    ItemStatus,
    Motion,
    ProposedUpdate,
    UpdateState,
)
from samen.programme.seed import load_seed

pytestmark = pytest.mark.django_db


def _update(updates, key):
    return next(u for u in updates if u.reference_key == key)


def test_reading_a_letter_proposes_one_update_per_item(seed_letter, programme_staff):
    letter, reading, updates = services.letter_register(
        path=seed_letter, by=programme_staff, title="Voortgangsbrief"
    )
    assert len(updates) == len(reading.items) == 18
    assert sum(1 for u in updates if u.reference_key) == 16
    assert sum(1 for u in updates if u.proposed_status == "done") == 6
    # Reading the same file again adds nothing.
    again = services.letter_register(path=seed_letter, by=programme_staff)[2]
    assert [u.pk for u in again] == [u.pk for u in updates]
    assert ProposedUpdate.objects.count() == 18
    assert letter.sha256 == reading.sha256
    assert "[19: Kamerstukken II, 2024/25, 36 547, 29.]" in letter.text
    assert AuditEntry.objects.filter(action="programme.letter.create").count() == 1


def test_only_programme_staff_register_letters(seed_letter, field_professional):
    with pytest.raises(PermissionDenied):
        services.letter_register(path=seed_letter, by=field_professional)
    assert ProposedUpdate.objects.count() == 0


def test_accept_creates_motion_with_letter_as_provenance(seed_letter, programme_staff):
    letter, _, updates = services.letter_register(path=seed_letter, by=programme_staff)
    update = _update(updates, "36547-29")
    motion = services.proposed_update_accept(update=update, by=programme_staff)
    assert isinstance(motion, Motion)
    assert motion.status == ItemStatus.DONE
    assert motion.status_letter == letter and motion.source_letter == letter
    assert motion.status_evidence == "Hiermee beschouw ik bovengenoemde motie als afgedaan."
    assert "footnote 19" in motion.source_location
    assert [(s.name, s.party) for s in motion.submitters.all()] == [("Boomsma", "NSC")]
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED and update.motion == motion
    assert update.decided_by == programme_staff.user and update.before == {}
    entry = AuditEntry.objects.get(action="programme.motion.update")
    assert entry.object_id == str(motion.pk) and entry.operation == "U"


def test_accept_updates_existing_motion_and_keeps_what_it_was(programme_staff, tmp_path):
    load_seed()
    later = tmp_path / "voortgangsbrief_2026.txt"
    later.write_text(
        "Moties\n"
        "Motie Ceder (CU) c.s. – leeftijdsverificatie seksadvertentieplatforms[footnoteRef:1]\n"
        "Het plan van aanpak is gedeeld. Hiermee beschouw ik bovengenoemde motie als afgedaan. "
        "[1:  Kamerstukken II, 2024/25, 36 547, nr. 34.]\n",
        encoding="utf-8",
    )
    letter, _, updates = services.letter_register(
        path=later, by=programme_staff, title="Voortgangsbrief 2026"
    )
    motion = services.proposed_update_accept(update=updates[0], by=programme_staff)
    assert motion.status == ItemStatus.DONE and motion.status_letter == letter
    # Provenance of the motion itself stays with the letter that first named it.
    assert motion.source_letter != letter
    assert motion.submitters.count() == 1
    updates[0].refresh_from_db()
    assert updates[0].before["status"] == ItemStatus.OPEN
    assert updates[0].before["letter_status"] == "declined"


def test_accept_commitment_matches_the_registered_one(seed_letter, programme_staff):
    load_seed()
    _, reading, updates = services.letter_register(path=seed_letter, by=programme_staff)
    index = next(i.index for i in reading.items if i.kind == "commitment" and i.footnote == 8)
    before = Commitment.objects.count()
    commitment = services.proposed_update_accept(update=updates[index], by=programme_staff)
    assert Commitment.objects.count() == before
    assert commitment.code == "tseggai-vastleggen-slachtofferschap"
    assert commitment.letter_status == "in_progress"


def test_accept_new_commitment(seed_letter, programme_staff):
    _, reading, updates = services.letter_register(path=seed_letter, by=programme_staff)
    index = next(i.index for i in reading.items if i.kind == "commitment" and i.footnote == 8)
    commitment = services.proposed_update_accept(update=updates[index], by=programme_staff)
    assert commitment.made_to == "Tseggai (GL/PvdA)"
    assert commitment.made_on.isoformat() == "2025-06-05"
    assert commitment.status == ItemStatus.IN_PROGRESS


def test_accepting_a_cited_document_changes_no_record(seed_letter, programme_staff):
    _, _, updates = services.letter_register(path=seed_letter, by=programme_staff)
    assert (
        services.proposed_update_accept(update=_update(updates, "36835-2"), by=programme_staff)
        is None
    )
    assert Motion.objects.count() == 0


def test_reject_leaves_register_alone(seed_letter, programme_staff):
    load_seed()
    _, _, updates = services.letter_register(path=seed_letter, by=programme_staff)
    update = _update(updates, "36547-38")
    before = Motion.objects.get(document_number="38").status
    services.proposed_update_reject(update=update, by=programme_staff, reason="al verwerkt")
    update.refresh_from_db()
    assert update.state == UpdateState.REJECTED and update.reason == "al verwerkt"
    assert Motion.objects.get(document_number="38").status == before
    assert AuditEntry.objects.filter(action="programme.proposed_update.update").count() == 1


def test_other_roles_may_not_decide(seed_letter, field_professional, programme_staff):
    _, _, updates = services.letter_register(path=seed_letter, by=programme_staff)
    with pytest.raises(PermissionDenied):
        services.proposed_update_accept(update=updates[0], by=field_professional)
    with pytest.raises(PermissionDenied):
        services.proposed_update_reject(update=updates[0], by=field_professional)
    updates[0].refresh_from_db()
    assert updates[0].state == UpdateState.PROPOSED
    assert AuditEntry.objects.filter(result="denied").count() == 2
    assert Motion.objects.count() == 0


def test_an_update_is_decided_once(seed_letter, programme_staff):
    _, _, updates = services.letter_register(path=seed_letter, by=programme_staff)
    services.proposed_update_reject(update=updates[0], by=programme_staff)
    with pytest.raises(services.UpdateAlreadyDecided):
        services.proposed_update_accept(update=updates[0], by=programme_staff)
