"""The audited-operation helper writes the entry the apps used to write by hand."""

import pytest

from samen.core import audit, audited, policy
from samen.core.models import AuditEntry

COMPARED = ("action", "object_type", "object_id", "fields", "purpose", "legal_basis", "result")


def _entry_of(write) -> dict:
    before = AuditEntry.objects.count()
    write()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    return {name: getattr(entry, name) for name in (*COMPARED, "emergency", "detail", "role")}


def test_an_entry_names_the_actors_purpose_and_the_legal_basis_of_its_categories(actor_for):
    actor = actor_for("demo-coordinator")
    categories = {"demographics", "health"}
    by_hand = _entry_of(
        lambda: audit.record(
            actor,
            "referral.create",
            object_type="case",
            object_id="Z-1",
            fields=["gender"],
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, categories),
            detail={"referral": 1},
        )
    )
    helped = _entry_of(
        lambda: audited.record(
            actor,
            "referral.create",
            object_type="case",
            object_id="Z-1",
            fields=["gender"],
            categories=categories,
            detail={"referral": 1},
        )
    )
    assert helped == by_hand
    assert helped["purpose"] and helped["legal_basis"]


def test_an_entry_without_categories_names_no_legal_basis(actor_for):
    actor = actor_for("demo-coordinator")
    entry = _entry_of(lambda: audited.record(actor, "shelter_place.update", object_type="place"))
    assert entry["purpose"] == policy.purpose_of(actor) and entry["legal_basis"] == ""


def test_a_refusal_outlives_the_rolled_back_transaction(actor_for):
    actor = actor_for("demo-coordinator")
    before = AuditEntry.objects.count()

    @audit.atomic
    def refused() -> None:
        audited.record(actor, "barrier.update", object_type="raised_barrier", result="denied")
        raise PermissionError

    with pytest.raises(PermissionError):
        refused()
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-seq").first().result == "denied"
