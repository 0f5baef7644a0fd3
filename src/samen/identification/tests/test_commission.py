"""The multidisciplinary commission: several organisation types, member assessments, the chair's
decision with reasons, and the HTCDS victim status that follows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samen.core.models import AuditEntry
from samen.identification.commission import (
    commission_assess,
    commission_decide,
    commission_open,
)
from samen.identification.models import IdentificationPath

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(actor_for):
    return {
        name: actor_for(name)
        for name in ("demo-investigator", "demo-coordinator", "demo-registrar")
    }


def test_a_commission_needs_several_organisation_types(panel, case):
    police, coordinator = panel["demo-investigator"], panel["demo-coordinator"]
    with pytest.raises(ValidationError):
        commission_open(
            actor=coordinator,
            case=case,
            members=[police.membership],
            chair=coordinator.membership,
        )


def test_members_assess_and_the_chair_decides_with_reasons(panel, case, colleague_of):
    police, coordinator, registrar = panel.values()
    review = commission_open(
        actor=coordinator,
        case=case,
        members=[police.membership, coordinator.membership],
        chair=registrar.membership,
    )
    commission_assess(
        actor=police, review=review, assessment="identified", reasons=["indicators_present"]
    )
    commission_assess(
        actor=coordinator, review=review, assessment="identified", reasons=["credible_account"]
    )
    with pytest.raises(ValidationError, match=r"Every member|Elk lid"):
        commission_decide(
            actor=registrar, review=review, outcome="identified", reasons=["credible_account"]
        )
    commission_assess(actor=registrar, review=review, assessment="possible", reasons=["other"])
    with pytest.raises(PermissionDenied):  # only the chair decides
        commission_decide(
            actor=police, review=review, outcome="identified", reasons=["credible_account"]
        )
    with pytest.raises(PermissionDenied):  # and only members assess
        commission_assess(
            actor=colleague_of("demo-investigator", "test-police-2"),
            review=review,
            assessment="possible",
            reasons=["other"],
        )
    before = AuditEntry.objects.count()
    reasons = ["credible_account", "corroborated"]
    commission_decide(
        actor=registrar,
        review=review,
        outcome="identified",
        reasons=reasons,
        text="Consistent account.",
    )
    assert AuditEntry.objects.count() - before == 1
    path = IdentificationPath.objects.get(case=case)
    assert path.htcds_status == "ActualVictimOfTrafficking"
    assert path.htcds_decision_org == "Other"
    review.refresh_from_db()
    assert review.reasons == ["corroborated", "credible_account"]
    assert bytes(review.reasons_text) and b"Consistent" not in bytes(review.reasons_text)
