"""Reads of the case register, filtered by the policy and audited. Views and API call only these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from samen.cases import services as case_services
from samen.cases.models import Case, CaseEvent
from samen.sharing import audit, policy
from samen.sharing.actor import Actor

MAX_PAGE_SIZE = 100


@dataclass
class CaseFilters:
    status: str = ""
    form: str = ""  # exploitation form code
    region: str = ""  # safety region code
    municipality: str = ""  # CBS code
    minor: bool | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    number: str = ""

    def as_detail(self) -> dict[str, object]:
        # Filter values are codes and dates, never personal data, so they may go in the audit trail.
        return {
            k: (str(v) if v is not None else None)
            for k, v in vars(self).items()
            if v not in ("", None)
        }


def _visible_cases(actor: Actor) -> QuerySet[Case]:
    return Case.objects.filter(policy.case_filter(actor))


def _apply(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    if f.status:
        qs = qs.filter(status=f.status)
    if f.form:
        qs = qs.filter(forms__code=f.form)
    if f.region:
        qs = qs.filter(region__code=f.region)
    if f.municipality:
        qs = qs.filter(municipality__code=f.municipality)
    if f.minor is not None:
        qs = qs.filter(person__is_minor=f.minor)
    if f.opened_from:
        qs = qs.filter(opened_at__date__gte=f.opened_from)
    if f.opened_to:
        qs = qs.filter(opened_at__date__lte=f.opened_to)
    if f.number:
        qs = qs.filter(number__icontains=f.number.strip())
    return qs


def case_search(*, actor: Actor, filters: CaseFilters, page: int = 1, per_page: int = 25) -> Page:
    """One page of the cases the actor may see; one audit entry naming the cases shown."""
    policy.require(actor, "case.read", object_type="case")
    qs = (
        _apply(_visible_cases(actor), filters)
        .select_related("person", "municipality", "region", "responsible_organisation")
        .prefetch_related("forms")
        .order_by("-opened_at", "-id")
    )
    paginator = Paginator(qs, max(1, min(per_page, MAX_PAGE_SIZE)))
    result = paginator.get_page(page)
    audit.record(
        actor,
        "case.search",
        object_type="case",
        fields=list(LIST_FIELDS),
        purpose=policy.purpose_of(actor),
        detail={"filters": filters.as_detail(), "shown": [c.number for c in result.object_list]},
    )
    return result


LIST_FIELDS = (
    "number",
    "status",
    "forms",
    "municipality",
    "region",
    "opened_at",
    "minor",
    "age_band",
    "gender",
)


def case_summary(case: Case) -> dict[str, object]:
    return {
        "number": case.number,
        "status": case.status,
        "status_display": case.get_status_display(),
        "forms": [f.code for f in case.forms.all()],
        "forms_display": [str(f) for f in case.forms.all()],
        "municipality": case.municipality.code,
        "municipality_name": case.municipality.name,
        "region": case.region.code,
        "region_name": case.region.name,
        "responsible_organisation": case.responsible_organisation_id,
        "responsible_organisation_name": case.responsible_organisation.name,
        "opened_at": case.opened_at,
        "minor": case.person.is_minor,
        "age_band": case.person.age_band,
        "gender": case.person.gender,
        "is_synthetic": case.is_synthetic,
    }


def case_get(*, actor: Actor, number: str) -> dict[str, object]:
    """Everything the actor may see of one case; fields the policy does not allow are absent."""
    policy.require(actor, "case.read", object_type="case", object_id=number)
    case = (
        _visible_cases(actor)
        .select_related("person", "municipality", "region", "responsible_organisation")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise policy.not_visible(actor, "case.read", object_type="case", object_id=number)
    data = case_summary(case)
    fields = [*list(LIST_FIELDS), "timeline", "signals"]
    if policy.sees_identity(actor):
        identity = case_services.identity_read(case.person)
        data["identity"] = identity
        fields += [f"identity.{k}" for k in identity]
    from samen.signalling.selectors import signals_of_case

    data["signals"] = signals_of_case(actor=actor, case=case)
    data["timeline"] = timeline(actor=actor, case=case)
    audit.record(
        actor,
        "case.read",
        object_type="case",
        object_id=case.number,
        fields=fields,
        purpose=policy.purpose_of(actor),
    )
    return data


def timeline(*, actor: Actor, case: Case) -> list[dict[str, object]]:
    events = CaseEvent.objects.filter(case=case).select_related("actor", "organisation")
    if not policy.sees_all_of_case(actor):
        events = events.filter(actor_id=actor.user.pk)
    return [
        {
            "at": e.at,
            "kind": e.kind,
            "kind_display": e.get_kind_display(),
            "by": e.actor.get_full_name() or e.actor.username if e.actor else "",
            "organisation": e.organisation.name if e.organisation else "",
            "data": e.data,
        }
        for e in events
    ]


def case_counts(*, actor: Actor) -> dict[str, int]:
    """Counts for the dashboard; no personal data, so it is not audited as a read of cases."""
    if not policy.allows(actor, "case.read"):
        return {}
    qs = _visible_cases(actor)
    return {
        "total": qs.count(),
        "open": qs.exclude(status="closed").count(),
        "minors": qs.filter(person__is_minor=True).count(),
        "signalled": qs.filter(Q(status="signalled")).count(),
    }
