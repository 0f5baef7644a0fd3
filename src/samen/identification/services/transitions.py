"""Taking a step on the identification path: the engine decides, the step, its deadlines, one
timeline event and one audit entry are written in one transaction."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.lifecycle import case_status_follow
from samen.cases.models import Case
from samen.cases.services import event_add
from samen.core import audited
from samen.core.actor import Actor
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.models import (
    Deadline,
    IdentificationPath,
    PathStep,
)
from samen.identification.services.common import (
    TIMELINE_KIND,
    access_for,
    facts_of,
    history_of,
    owner_organisation,
    path_locked,
    refusal,
)
from samen.organisations.models import Organisation


def transition_take(
    *, actor: Actor, case: Case, code: str, values: Mapping[str, object] | None = None
) -> IdentificationPath:
    """Take one step on the case's identification path."""
    access = access_for(actor, case, "identification.transition")
    org = actor.organisation
    assert org is not None  # a membership exists: policy.require passed
    now = timezone.now()
    today = engine.local_date(now)
    try:
        with transaction.atomic():
            path = path_locked(case)
            machine = machine_of(path.definition)
            open_deadlines = {
                d.kind: d.due_on for d in path.deadlines.filter(closed_at__isnull=True)
            }
            history = history_of(path)
            try:
                outcome = machine.apply(
                    state=path.state,
                    code=code,
                    organisation_type=org.type,
                    role=actor.role,
                    values=values or {},
                    facts=facts_of(path),
                    today=today,
                    open_deadlines=open_deadlines,
                    history=history,
                )
            except engine.NotPermitted:
                raise
            except engine.TransitionError as exc:
                raise refusal(exc, machine, path.state, access) from exc
            step = PathStep.objects.create(
                path=path,
                transition=code,
                source=outcome.source,
                target=outcome.target,
                values=outcome.values,
                actor=actor.user,
                organisation=org,
                at=now,
            )
            _deadlines_apply(path, outcome, step, org, now)
            path.state = outcome.target
            status = machine.states[outcome.target].htcds_status
            if status and machine.outranks(status, path.htcds_status):
                path.htcds_status = status
                path.htcds_decision_org = machine.decision_org(org.type)
            path.save()
            case_status_follow(case=case, path_state=path.state, actor=actor)
            event_add(
                case=case,
                kind=TIMELINE_KIND,
                actor=actor,
                at=now,
                transition=code,
                source=outcome.source,
                target=outcome.target,
                values=outcome.values,
            )
            audited.record(
                actor,
                "identification_path.update",
                object_type="case",
                object_id=case.number,
                fields=["identification.state", *(f"identification.{k}" for k in outcome.values)],
                categories=access.categories,
                emergency=access.emergency,
                detail={"transition": code, "from": outcome.source, "to": outcome.target},
            )
    except engine.NotPermitted as exc:
        # Outside the rolled-back transaction, so the refusal stays in the trail.
        audited.record(
            actor,
            "identification_path.update",
            object_type="case",
            object_id=case.number,
            result="denied",
            detail={"transition": code},
        )
        raise PermissionDenied(
            _("Your organisation and role may not take step %(step)s.") % {"step": exc.code}
        ) from exc
    return path


def _deadlines_apply(
    path: IdentificationPath,
    outcome: engine.Outcome,
    step: PathStep,
    org: Organisation,
    now: object,
) -> None:
    if outcome.closes:
        open_ones = path.deadlines.filter(closed_at__isnull=True)
        if "*" not in outcome.closes:
            open_ones = open_ones.filter(kind__in=outcome.closes)
        open_ones.update(closed_at=now)
    for new in outcome.opens:
        Deadline.objects.create(
            path=path,
            kind=new.kind,
            due_on=new.due_on,
            organisation=owner_organisation(path.case, new.owner, org),
            opened_by_step=step,
        )
