"""The multidisciplinary identification commission: members from several organisation types
assess a case, the chair decides with reasons, the outcome sets the HTCDS victim status.

Who may sit, how many organisation types are needed, the outcomes and their HTCDS codes are in
the path definition ("commission"), like the rest of the path's rules.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases import crypto
from samen.cases.lifecycle import case_status_follow
from samen.cases.models import Case
from samen.cases.services import event_add
from samen.core import audited
from samen.core.actor import Actor
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.models import (
    CommissionMember,
    CommissionOutcome,
    CommissionReview,
    PathDefinition,
    PathStep,
)
from samen.identification.selectors import commission_candidates
from samen.identification.services import TIMELINE_KIND, access_for, path_locked
from samen.organisations.models import Membership


def _config(definition: PathDefinition) -> dict:
    return dict(definition.body.get("commission", {}))


def _record(actor: Actor, action: str, case: Case, fields: list[str], access, **detail) -> None:
    audited.record(
        actor,
        action,
        object_type="case",
        object_id=case.number,
        fields=fields,
        categories=access.categories,
        emergency=access.emergency,
        detail=detail,
    )


def commission_open(
    *, actor: Actor, case: Case, members: list[Membership], chair: Membership
) -> CommissionReview:
    """Put a case before the commission; the members must span enough organisation types."""
    access = access_for(actor, case, "identification.transition")
    now = timezone.now()
    with transaction.atomic():
        path = path_locked(case)  # the lock also serialises two people opening at once
        if CommissionReview.objects.filter(case=case, decided_at__isnull=True).exists():
            raise ValidationError(
                {"members": [_("This case is already before the commission; await its decision.")]}
            )
        config = _config(path.definition)
        if path.state in config.get("not_on_states", []):
            raise ValidationError(
                {"members": [_("A closed path cannot go before the commission; reopen it first.")]}
            )
        members = list({m.pk: m for m in [*members, chair]}.values())
        # Only staff of the organisation types the register and the definition allow, who
        # reach the case: not the field professional who signalled, not an outsider.
        allowed = {m.pk for m in commission_candidates(actor=actor, case=case)}
        if any(m.pk not in allowed for m in members):
            raise ValidationError(
                {
                    "members": [
                        _(
                            "Only staff of the organisations allowed on the commission may sit "
                            "on it."
                        )
                    ]
                }
            )
        types = {m.organisation.type for m in members}
        needed = int(config.get("min_organisation_types", 2))
        if len(types) < needed:
            raise ValidationError(
                {
                    "members": [
                        _("Members must come from at least %(n)d organisation types.")
                        % {"n": needed}
                    ]
                }
            )
        review = CommissionReview.objects.create(
            case=case, definition=path.definition, opened_by=actor.user, opened_at=now
        )
        CommissionMember.objects.bulk_create(
            CommissionMember(review=review, membership=m, is_chair=m.pk == chair.pk)
            for m in members
        )
        event_add(
            case=case,
            kind=TIMELINE_KIND,
            actor=actor,
            at=now,
            commission="opened",
            organisation_types=sorted(types),
        )
        _record(actor, "commission_review.create", case, ["identification.commission"], access)
    return review


def _move_path(actor: Actor, path, code: str, now) -> None:
    """The commission's finding moves the path (to the slightest indication established, so the
    reflection period is reachable), as a step of its own on the timeline; where the path is
    already further along, it stays there."""
    machine = machine_of(path.definition)
    transition = machine.transitions.get(code)
    if transition is None or path.state not in transition.sources:
        return
    values = {"decided_on": engine.local_date(now).isoformat()}
    step = PathStep.objects.create(
        path=path,
        transition=code,
        source=path.state,
        target=transition.target,
        values=values,
        actor=actor.user,
        organisation=actor.organisation,
        at=now,
    )
    if transition.closes:
        path.deadlines.filter(closed_at__isnull=True, kind__in=transition.closes).update(
            closed_at=now
        )
    source, path.state = path.state, transition.target
    path.save(update_fields=["state", "updated_at"])
    event_add(
        case=path.case,
        kind=TIMELINE_KIND,
        actor=actor,
        at=now,
        transition=code,
        source=source,
        target=step.target,
        values=values,
    )
    case_status_follow(case=path.case, path_state=path.state, actor=actor)


def _seat(actor: Actor, review: CommissionReview) -> CommissionMember:
    seat = review.members.filter(membership=actor.membership).first()
    if seat is None:
        audited.record(
            actor,
            "commission_review.update",
            object_type="case",
            object_id=review.case.number,
            result="denied",
        )
        raise PermissionDenied(_("Only members of this commission may do this."))
    return seat


def _check_reasons(config: dict, reasons: list[str]) -> list[str]:
    allowed = set(config.get("reasons", []))
    reasons = sorted(set(reasons))
    if not reasons or not set(reasons) <= allowed:
        raise ValidationError({"reasons": [_("Choose at least one valid reason.")]})
    return reasons


def commission_assess(
    *, actor: Actor, review: CommissionReview, assessment: str, reasons: list[str]
) -> CommissionMember:
    """A member records their own assessment."""
    access = access_for(actor, review.case, "identification.read")
    seat = _seat(actor, review)
    if review.decided_at:
        raise ValidationError({"assessment": [_("The commission has already decided.")]})
    if assessment not in CommissionOutcome.values:
        raise ValidationError({"assessment": [_("Choose a valid assessment.")]})
    seat.assessment = assessment
    seat.assessment_reasons = _check_reasons(_config(review.definition), reasons)
    seat.assessed_at = timezone.now()
    with transaction.atomic():
        seat.save()
        _record(
            actor,
            "commission_review.update",
            review.case,
            ["identification.commission"],
            access,
            assessment=assessment,
        )
    return seat


def commission_decide(
    *, actor: Actor, review: CommissionReview, outcome: str, reasons: list[str], text: str = ""
) -> CommissionReview:
    """The chair decides, with reasons, once every member has assessed; the outcome sets the
    victim status (HTCDS vic_TraffickingStatus and its decision-making organisation)."""
    case = review.case
    access = access_for(actor, case, "identification.read")
    seat = _seat(actor, review)
    if not seat.is_chair:
        raise PermissionDenied(_("Only the chair records the decision."))
    config = _config(review.definition)
    if outcome not in config.get("outcomes", {}):
        raise ValidationError({"outcome": [_("Choose a valid outcome.")]})
    reasons = _check_reasons(config, reasons)
    if review.members.filter(assessment="").exists():
        raise ValidationError({"outcome": [_("Every member must assess the case first.")]})
    now = timezone.now()
    with transaction.atomic():
        review = CommissionReview.objects.select_for_update().get(pk=review.pk)
        if review.decided_at:
            raise ValidationError({"outcome": [_("The commission has already decided.")]})
        review.outcome, review.reasons, review.decided_at = outcome, reasons, now
        if text.strip():
            review.reasons_text = crypto.encrypt_json(
                {"text": text.strip()[:5000]}, context=f"commission:{case.number}"
            )
        review.save()
        path = path_locked(case)
        path.htcds_status = config["outcomes"][outcome]
        path.htcds_decision_org = config.get("htcds_decision_org", "Other")
        path.save(update_fields=["htcds_status", "htcds_decision_org", "updated_at"])
        _move_path(actor, path, config.get("moves_path", {}).get(outcome, ""), now)
        event_add(
            case=case,
            kind=TIMELINE_KIND,
            actor=actor,
            at=now,
            commission="decided",
            outcome=outcome,
            reasons=reasons,
        )
        fields = ["identification.commission", "identification.victim_status"]
        _record(
            actor,
            "commission_review.update",
            case,
            fields + (["identification.commission_reasons"] if text.strip() else []),
            access,
            outcome=outcome,
        )
    return review
