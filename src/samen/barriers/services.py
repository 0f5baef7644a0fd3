"""Writes: raising a barrier in a region and recording its progress. Each is one transaction
that checks the policy and writes its own audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.barriers import selectors
from samen.barriers.models import Barrier, BarrierState, ProgressNote, RaisedBarrier
from samen.core import audited, policy
from samen.core.actor import Actor
from samen.organisations.models import Municipality, Organisation


def barrier_raise(
    *,
    actor: Actor,
    barrier: Barrier,
    partners: Iterable[Organisation],
    state: str = BarrierState.PLANNED,
    municipality: Municipality | None = None,
    note: str = "",
) -> RaisedBarrier:
    """The actor's region raises a barrier of a current model, with partners of the types that
    own it. The actor's organisation owns the record."""
    policy.require(actor, "barrier.raise", object_type="barrier", object_id=str(barrier.pk))
    org = actor.organisation
    region = org.municipality.region
    partners = list(partners)
    errors: dict[str, list[str]] = {}
    if not barrier.step.model.is_current:
        errors["barrier"] = [_("This barrier belongs to an earlier version of the model.")]
    if state not in BarrierState.values:
        errors["state"] = [_("Choose a state.")]
    if municipality is not None and municipality.region_id != region.pk:
        errors["municipality"] = [_("Choose a municipality in your own region.")]
    wrong = [p for p in partners if p.type not in barrier.partner_types and p.pk != org.pk]
    if wrong:
        errors["partners"] = [_("Choose partners of the types that own this barrier.")]
    # Only the actor's own raisings: another organisation's is invisible to it, and refusing
    # because of one would reveal it.
    if RaisedBarrier.objects.filter(
        barrier=barrier, region=region, municipality=municipality, owner=org
    ).exists():
        errors["barrier"] = [_("This barrier has already been raised here.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        raised = RaisedBarrier.objects.create(
            barrier=barrier,
            region=region,
            municipality=municipality,
            owner=org,
            state=state,
            created_by=actor.user,
        )
        raised.partners.set(partners)
        if note.strip():
            ProgressNote.objects.create(
                raised=raised,
                on=timezone.localdate(),
                text=note.strip(),
                state=state,
                author=actor.user,
                organisation=org,
            )
        audited.record(
            actor,
            "barrier.raise",
            object_type="raised_barrier",
            object_id=str(raised.pk),
            fields=["state", "partners"],
        )
    return raised


def barrier_progress(
    *, actor: Actor, raised: RaisedBarrier, state: str, on: date, text: str
) -> ProgressNote:
    """A dated progress note, and the state it leaves the barrier in. Only an owning partner;
    a refusal is audited."""
    if not selectors.may_update(actor=actor, raised=raised):
        audited.record(
            actor,
            "barrier.update",
            object_type="raised_barrier",
            object_id=str(raised.pk),
            result="denied",
        )
        raise PermissionDenied("barrier.update")
    errors: dict[str, list[str]] = {}
    if state not in BarrierState.values:
        errors["state"] = [_("Choose a state.")]
    if not text.strip():
        errors["text"] = [_("Write what happened.")]
    if on > timezone.localdate():
        errors["on"] = [_("The date cannot lie in the future.")]
    elif on < timezone.localtime(raised.created_at).date():
        errors["on"] = [_("The date cannot lie before the barrier was raised.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = RaisedBarrier.objects.select_for_update().get(pk=raised.pk)
        note = ProgressNote.objects.create(
            raised=locked,
            on=on,
            text=text.strip(),
            state=state,
            author=actor.user,
            organisation=actor.organisation,
        )
        locked.state = state
        locked.save(update_fields=["state", "updated_at"])
        audited.record(
            actor,
            "barrier.update",
            object_type="raised_barrier",
            object_id=str(raised.pk),
            fields=["state", "note"],
        )
    return note
