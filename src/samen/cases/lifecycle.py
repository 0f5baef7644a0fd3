"""A case's lifecycle: signalled -> in assessment -> in care -> closed, following the
identification path and the shelter; closing and reopening with a reason; the responsible person.

The status follows facts recorded elsewhere (a path step, a placement), so the lists, filters
and counts can be trusted; only closing and reopening are decisions of their own, taken by the
registrar or the coordinator with a reason.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case, CaseEvent, CaseStatus
from samen.cases.services import event_add
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.organisations.models import Membership

# Where the path stands -> the case's status. A state not listed leaves the status as it is.
PATH_STATUS: dict[str, str] = {
    "signalled": CaseStatus.SIGNALLED,
    "under_assessment": CaseStatus.IN_ASSESSMENT,
    "indication_established": CaseStatus.IN_ASSESSMENT,
    "indication_not_established": CaseStatus.IN_ASSESSMENT,
    "reflection_offered": CaseStatus.IN_CARE,
    "reflection_accepted": CaseStatus.IN_CARE,
    "reflection_declined": CaseStatus.IN_ASSESSMENT,
    "reflection_ended": CaseStatus.IN_CARE,
    "report_made": CaseStatus.IN_CARE,
    "exempted": CaseStatus.IN_CARE,
    "b83_applied": CaseStatus.IN_CARE,
    "b83_granted": CaseStatus.IN_CARE,
    "b83_refused": CaseStatus.IN_CARE,
    "b83_ended": CaseStatus.IN_CARE,
    "continued_residence_applied": CaseStatus.IN_CARE,
    "continued_residence_granted": CaseStatus.IN_CARE,
    "continued_residence_refused": CaseStatus.IN_CARE,
    "other_route": CaseStatus.IN_CARE,
}
CLOSE_REASONS = ("care_completed", "left_the_country", "no_contact", "no_victim", "other")
REOPEN_REASONS = ("new_signal", "new_information", "closed_in_error", "other")


def case_status_follow(
    *, case: Case, path_state: str | None = None, in_care: bool = False, actor: Actor | None
) -> str:
    """Set the status that the path's state (or a running placement) implies. A closed case
    stays closed: closing is a decision, not a consequence. Returns the status."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        return case.status
    wanted = PATH_STATUS.get(path_state or "", "")
    if in_care:
        wanted = CaseStatus.IN_CARE
    elif not wanted:
        return case.status
    if case.status == wanted:
        return wanted
    old = case.status
    case.status = wanted
    case.save(update_fields=["status", "updated_at"])
    event_add(
        case=case, kind=CaseEvent.Kind.STATUS_CHANGED, actor=actor, at=timezone.now(),
        old=old, new=wanted,
    )  # fmt: skip
    return wanted


def _reachable(actor: Actor, case: Case, permission: str) -> None:
    policy.require(actor, permission, object_type="case", object_id=case.number)
    if not policy.case_access(actor, [case.pk]):
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)


def _record(actor: Actor, case: Case, fields: list[str], **detail: object) -> None:
    audit.record(
        actor,
        "case.update",
        object_type="case",
        object_id=case.number,
        fields=fields,
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, set(policy.grants(actor))),
        detail=detail,
    )


def case_close(*, actor: Actor, case: Case, reason: str) -> Case:
    """Close a case with a reason (registrar or coordinator: permission case.update)."""
    _reachable(actor, case, "case.update")
    if reason not in CLOSE_REASONS:
        raise ValidationError({"reason": [_("Choose a reason for closing the case.")]})
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError({"reason": [_("This case is closed already.")]})
        old = case.status
        case.status, case.closed_at = CaseStatus.CLOSED, now
        case.save(update_fields=["status", "closed_at", "updated_at"])
        event_add(
            case=case, kind=CaseEvent.Kind.CLOSED, actor=actor, at=now,
            old=old, new=CaseStatus.CLOSED, close_reason=reason,
        )  # fmt: skip
        _record(actor, case, ["status"], reason=reason)
    return case


def case_reopen(*, actor: Actor, case: Case, reason: str) -> Case:
    """Reopen a closed case with a reason; the history stays. The status follows the path
    again (a path that was closed is reopened on the path itself, with its own step)."""
    _reachable(actor, case, "case.update")
    if reason not in REOPEN_REASONS:
        raise ValidationError({"reason": [_("Choose a reason for reopening the case.")]})
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.CLOSED:
            raise ValidationError({"reason": [_("Only a closed case can be reopened.")]})
        state = case.identification_path.state if hasattr(case, "identification_path") else ""
        new = PATH_STATUS.get(state, CaseStatus.IN_ASSESSMENT if state else CaseStatus.SIGNALLED)
        case.status, case.closed_at = new, None
        case.save(update_fields=["status", "closed_at", "updated_at"])
        event_add(
            case=case, kind=CaseEvent.Kind.REOPENED, actor=actor, at=now,
            old=CaseStatus.CLOSED, new=new, reopen_reason=reason,
        )  # fmt: skip
        _record(actor, case, ["status"], reason=reason)
    return case


def case_owner_set(*, actor: Actor, case: Case, user_id: int | None) -> Case:
    """Make a member of the responsible organisation the case's responsible person."""
    _reachable(actor, case, "case.update")
    if actor.organisation is None or actor.organisation.pk != case.responsible_organisation_id:
        raise ValidationError(
            {"owner": [_("Only the responsible organisation chooses the responsible person.")]}
        )
    user = None
    if user_id is not None:
        member = Membership.objects.filter(
            organisation_id=case.responsible_organisation_id, user_id=user_id, is_active=True
        ).first()
        if member is None:
            raise ValidationError(
                {"owner": [_("Choose a member of the responsible organisation.")]}
            )
        user = get_user_model().objects.get(pk=user_id)
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.responsible_user = user
        case.save(update_fields=["responsible_user", "updated_at"])
        event_add(
            case=case, kind=CaseEvent.Kind.OWNER_CHANGED, actor=actor, at=now,
            owner=user.pk if user else None,
        )  # fmt: skip
        _record(actor, case, ["responsible_user"])
    return case
