"""The multidisciplinary commission of a case: its members, candidates, advice and the victim
status, as the readers of the path may see them."""

from typing import Any

from samen.cases.models import Case
from samen.core import audited, policy
from samen.core.actor import Actor, actor_for_membership
from samen.identification.labels import (
    reason_label,
)
from samen.identification.models import (
    CommissionOutcome,
    CommissionReview,
    IdentificationPath,
)
from samen.identification.services import (
    access_for,
    current_definition,
)
from samen.organisations.models import Membership


def commission_of(*, actor: Actor, case: Case) -> dict[str, Any] | None:
    """The latest commission review of the case: members by organisation and role, who has
    assessed, the outcome; and the actor's own seat, if any. Unaudited: part of the case
    block's read. The chair's free-text reasons are not shown here."""

    review = CommissionReview.objects.filter(case=case).select_related("definition").first()
    if review is None:
        return None
    outcomes = dict(CommissionOutcome.choices)
    members = list(review.members.select_related("membership__organisation"))
    own = actor.membership.pk if actor.membership else None
    mine = next((m for m in members if m.membership_id == own), None)
    reasons = list(review.definition.body.get("commission", {}).get("reasons", []))
    return {
        "id": review.pk,
        "opened_at": review.opened_at,
        "decided_at": review.decided_at,
        "outcome": review.outcome,
        "outcome_display": str(outcomes.get(review.outcome, "")),
        "reasons_display": [reason_label(r) for r in review.reasons],
        "members": [
            {
                "organisation": m.membership.organisation.name,
                "role": m.membership.get_role_display(),
                "is_chair": m.is_chair,
                "assessed": bool(m.assessment),
            }
            for m in members
        ],
        "my_seat": None
        if mine is None
        else {"is_chair": mine.is_chair, "assessment": mine.assessment},
        "outcome_choices": [(k, str(v)) for k, v in CommissionOutcome.choices],
        "reason_choices": [(r, reason_label(r)) for r in reasons],
    }


def commission_config(case: Case) -> dict:
    """The commission section of the case's path definition (the current one for a new path)."""
    path = IdentificationPath.objects.select_related("definition").filter(case=case).first()
    definition = path.definition if path else current_definition()
    return dict(definition.body.get("commission", {}))


def commission_candidates(*, actor: Actor, case: Case) -> list[Membership]:
    """The memberships that may sit on the case's commission: active staff whose role reads
    identification data, of the organisation types the commission configuration lists
    ("organisation_types"; any chain organisation when it lists none), who reach this case
    (else they could not assess). Only for those who may open a commission. Not audited by
    itself: the request's one entry is the opening (commission_open) or, when the form is
    shown, commission_candidates_audit."""
    access_for(actor, case, "identification.transition")
    config = commission_config(case)
    rows = (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            role__in=policy.PERMISSIONS["identification.read"],
        )
        .filter(policy.memberships_reaching(case))
        .select_related("user", "organisation__municipality__region")
        .order_by("organisation__name", "user__last_name", "user__first_name", "id")
    )
    if config.get("organisation_types"):
        rows = rows.filter(organisation__type__in=config["organisation_types"])
    return [
        m
        for m in rows
        if case.pk in policy.case_access(actor_for_membership(m, origin=actor.origin), [case.pk])
    ]


def commission_candidates_audit(*, actor: Actor, case: Case) -> None:
    """The audit entry of showing the opening form (staff names for a case, no case data)."""
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    audited.record(
        actor,
        "commission_review.read",
        object_type="case",
        object_id=case.number,
        fields=["identification.commission"],
        categories=access.categories if access else None,
        emergency=bool(access and access.emergency),
    )


def commission_detail(review: CommissionReview | None, path_status: tuple[str, str]) -> dict:
    """The commission as the API shows it: members by organisation and role with their
    assessments, the decision and its reason codes (never the chair's encrypted words), and the
    case's HTCDS victim status. Plain data; the caller checks the policy and audits."""
    status, decision_org = path_status
    data: dict[str, Any] = {
        "htcds_status": status,
        "htcds_decision_org": decision_org,
        "commission": None,
    }
    if review is None:
        return data
    data["commission"] = {
        "id": review.pk,
        "opened_at": review.opened_at,
        "decided_at": review.decided_at,
        "outcome": review.outcome,
        "reasons": list(review.reasons),
        "members": [
            {
                "membership": m.membership_id,
                "organisation": m.membership.organisation.name,
                "organisation_type": m.membership.organisation.type,
                "role": m.membership.role,
                "is_chair": m.is_chair,
                "assessment": m.assessment,
                "assessment_reasons": list(m.assessment_reasons),
                "assessed_at": m.assessed_at,
            }
            for m in review.members.select_related("membership__organisation")
        ],
    }
    return data


def commission_get(*, actor: Actor, case: Case, audit_read: bool = True) -> dict[str, Any]:
    """The case's latest commission and victim status for the API; one audit entry."""
    access = access_for(actor, case, "identification.read")
    if not access.shows("identification.commission"):
        raise policy.not_visible(
            actor, "commission_review.read", object_type="case", object_id=case.number
        )
    review = CommissionReview.objects.filter(case=case).first()
    status = (
        IdentificationPath.objects.filter(case=case)
        .values_list("htcds_status", "htcds_decision_org")
        .first()
    ) or ("", "")
    data = {"case": case.number, **commission_detail(review, status)}
    if audit_read:
        audited.record(
            actor,
            "commission_review.read",
            object_type="case",
            object_id=case.number,
            fields=["identification.commission", "identification.victim_status"],
            categories=access.categories,
            emergency=access.emergency,
        )
    return data


def membership_label(m: Membership) -> str:
    """Staff name, organisation and role: nothing about the case or the victim."""
    name = m.user.get_full_name() or m.user.username
    return f"{name} · {m.organisation.name} · {m.get_role_display()}"


def commission_review_latest(*, case: Case) -> CommissionReview | None:
    """The case's latest commission, unaudited: the caller's service or selector checks the
    reach and writes the request's one audit entry."""
    return CommissionReview.objects.filter(case=case).select_related("case", "definition").first()


def commission_review_of_case(*, case: Case, pk: str) -> CommissionReview | None:
    """The case's commission with this id (from a form), or None; unaudited like the above. An
    id that is no number names none."""
    if not pk.isdigit():
        return None
    return CommissionReview.objects.filter(case=case, pk=pk).first()


def victim_status(*, case: Case) -> tuple[str, str]:
    """The case's victim status and the organisation that decided it ("" when it has no path)."""
    return (
        IdentificationPath.objects.filter(case=case)
        .values_list("htcds_status", "htcds_decision_org")
        .first()
    ) or ("", "")
