"""Reads for the privacy officer and for both sides of a share. The trail of who looked at the
trail is itself audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from samen.cases.selectors import case_by_number
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.core.models import (
    AuditEntry,
    CaseShare,
    EmergencyAccess,
    ProcessingRule,
)
from samen.sharing.subject_access import subject_report_build

SUPERVISION_BASIS = "AVG art. 5 lid 2, art. 30 en art. 32; NEN 7513"


@dataclass
class AuditFilters:
    case: str = ""
    user: str = ""
    organisation: int | None = None
    purpose: str = ""
    date_from: date | None = None
    date_to: date | None = None
    emergency: bool = False

    def as_detail(self) -> dict[str, str]:
        return {k: str(v) for k, v in vars(self).items() if v not in ("", None, False)}


def _audit_qs(f: AuditFilters) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("organisation")
    if f.case:
        qs = audit.about_cases(qs, [f.case.strip().upper()])
    if f.user:
        qs = qs.filter(actor_username=f.user.strip())
    if f.organisation:
        qs = qs.filter(organisation_id=f.organisation)
    if f.purpose:
        qs = qs.filter(purpose=f.purpose)
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    if f.emergency:
        qs = qs.filter(emergency=True)
    return qs.order_by("-seq")


def audit_search(*, actor: Actor, filters: AuditFilters, page: int = 1, per_page: int = 50) -> Page:
    policy.require(actor, "audit.read", object_type="audit")
    result = Paginator(_audit_qs(filters), min(per_page, 200)).get_page(page)
    # The page names the cases its entries touched: that is a use of each person's data too,
    # so the read is indexed to them (their subject-access report shows who read the trail).
    shown = audit.cases_of(result.object_list)
    if filters.case:
        shown.add(filters.case.strip().upper())
    audit.record(
        actor,
        "audit.search",
        object_type="audit",
        object_id="*",
        fields=["audit"],
        purpose=policy.purpose_of(actor),
        legal_basis=SUPERVISION_BASIS,
        detail={
            "filters": filters.as_detail(),
            "cases": sorted(shown),
        },
    )
    return result


#: The most entries one download holds: the privacy officer narrows the filters for more.
AUDIT_EXPORT_LIMIT = 10_000


def audit_export(*, actor: Actor, filters: AuditFilters) -> list[AuditEntry]:
    """The filtered trail for a download (newest first, at most AUDIT_EXPORT_LIMIT entries);
    the download is itself a use, indexed to every case it names."""
    policy.require(actor, "audit.read", object_type="audit")
    entries = list(_audit_qs(filters)[:AUDIT_EXPORT_LIMIT])
    shown = audit.cases_of(entries)
    audit.record(
        actor,
        "audit.export",
        object_type="audit",
        object_id="*",
        fields=["audit"],
        purpose=policy.purpose_of(actor),
        legal_basis=SUPERVISION_BASIS,
        detail={"filters": filters.as_detail(), "cases": sorted(shown), "rows": len(entries)},
    )
    return entries


def subject_report(*, actor: Actor, number: str, export: str = "") -> dict[str, object]:
    """What is held about the person of this case, who got it, why, how long, and every use of
    it (GDPR art. 15); over all the person's cases."""

    policy.require(actor, "audit.read", object_type="case", object_id=number)
    case = case_by_number(actor=actor, number=number, permission="audit.read")
    report = subject_report_build(case=case)
    audit.record(
        actor,
        "subject.export" if export else "subject.report",
        object_type="case",
        object_id=case.number,
        fields=["audit"],
        purpose=policy.purpose_of(actor),
        legal_basis="AVG art. 15 (recht op inzage); " + SUPERVISION_BASIS,
        detail={"format": export or "html", "cases": [c.number for c in report.cases]},
    )
    return {"case": case, "report": report}


def shares_all(*, actor: Actor) -> list[CaseShare]:
    policy.require(actor, "audit.read", object_type="share")
    rows = list(
        CaseShare.objects.select_related(
            "case", "recipient", "from_organisation", "purpose", "shared_by", "revoked_by"
        )
    )
    audit.record(
        actor, "share.search", object_type="share", object_id="*", fields=["shares"],
        purpose=policy.purpose_of(actor), legal_basis=SUPERVISION_BASIS,
        detail={"cases": sorted({s.case.number for s in rows})},
    )  # fmt: skip
    return rows


def shares_of_case(*, actor: Actor, case_number: str) -> list[CaseShare]:
    """Both sides see a share: the organisation that gave it and the one that received it."""
    org = actor.organisation
    if org is None:
        return []
    from django.db.models import Q

    return list(
        CaseShare.objects.filter(case__number=case_number)
        .filter(Q(from_organisation=org) | Q(recipient=org))
        .select_related("recipient", "from_organisation", "purpose", "shared_by")
    )


def emergencies(*, actor: Actor, unreviewed_only: bool = False) -> list[EmergencyAccess]:
    policy.require(actor, "audit.read", object_type="emergency")
    qs = EmergencyAccess.objects.select_related("case", "user", "organisation", "reviewed_by")
    if unreviewed_only:
        qs = qs.filter(reviewed_at__isnull=True)
    rows = list(qs)
    audit.record(
        actor, "emergency.search", object_type="emergency", object_id="*", fields=["emergencies"],
        purpose=policy.purpose_of(actor), legal_basis=SUPERVISION_BASIS,
        detail={"cases": sorted({e.case.number for e in rows})},
    )  # fmt: skip
    return rows


def register_rows() -> list[ProcessingRule]:
    """The register is not personal data: everyone may read it, so nobody has to guess."""
    return list(ProcessingRule.objects.select_related("purpose", "category"))


# --- rows by id, for the pages (views and API views query no models) --------------------------
# A missing row and one the caller may not reach answer alike: the services decide (and audit)
# the latter.


def register_rule_or_404(*, pk: int) -> ProcessingRule:
    rule = ProcessingRule.objects.select_related("purpose", "category").filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def emergency_access_or_404(*, pk: int) -> EmergencyAccess:
    item = EmergencyAccess.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def share_or_404(*, pk: int) -> CaseShare:
    share = CaseShare.objects.select_related("case", "purpose").filter(pk=pk).first()
    if share is None:
        raise Http404
    return share
