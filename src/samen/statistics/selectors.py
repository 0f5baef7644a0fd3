"""Case data for statistics, read through the register for the statistics purpose."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from samen.cases.models import Case
from samen.cases.selectors import case_summary
from samen.sharing import audit, policy
from samen.sharing.actor import Actor
from samen.sharing.policy import CaseAccess, Relation

PURPOSE = "statistics"


def cases_for_statistics(*, actor: Actor) -> list[dict]:
    """Every case, each with only the fields the register grants for statistics (never identity);
    one audit entry (an export) naming the cases."""
    policy.require(actor, "statistics.export", object_type="case", object_id="*")
    if policy.purpose_of(actor) != PURPOSE:
        audit.record(actor, "statistics.export", object_type="case", object_id="*",
                     result="denied", purpose=policy.purpose_of(actor))  # fmt: skip
        raise PermissionDenied("statistics purpose required")
    categories = frozenset(policy.grants(actor))
    access = CaseAccess(Relation.OWN_WORK, categories, policy.legal_basis(actor, categories))
    cases = list(
        Case.objects.select_related("person", "municipality", "region", "responsible_organisation")
        .prefetch_related("forms")
        .order_by("pk")
    )
    rows = [case_summary(c, access) for c in cases]
    audit.record(
        actor,
        "case.export",
        object_type="case",
        object_id="*",
        fields=sorted(
            {
                f
                for r in rows
                for f in r
                if f in {"gender", "age_band", "forms", "nationality_group", "municipality"}
            }
        ),
        purpose=PURPOSE,
        legal_basis=access.legal_basis,
        detail={"count": len(rows), "format": "htcds-2.0"},
    )
    return rows
