"""Reads of the programme register, for the web layer and the progress overview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, Prefetch, QuerySet

from samen.core import audited

from .models import (
    Action,
    ActionLine,
    ActionProgress,
    Commitment,
    IndicatorValue,
    ItemStatus,
    Letter,
    Motion,
    ProposedUpdate,
    UpdateState,
)

if TYPE_CHECKING:
    from samen.core.actor import Actor

READ = "programme.read"


def record_read(actor: Actor, object_type: str, object_id: str = "") -> None:
    """The register holds no victims' data, but who read what is still kept: the issue's rule
    is that every read is audited, and one entry per request keeps the trail readable."""
    audited.record(
        actor,
        READ,
        object_type=f"programme.{object_type}",
        object_id=object_id,
    )


def progress_in_order() -> QuerySet[ActionProgress]:
    """Undated notes (as a letter reports them) first, then by date: the same order on SQLite and
    PostgreSQL, which otherwise disagree on where NULL dates go, so "latest" is the last one."""
    return ActionProgress.objects.order_by(F("on").asc(nulls_first=True), "id")


def action_lines_with_actions() -> QuerySet[ActionLine]:
    """Every action line with its actions and their progress notes, newest note last."""
    return ActionLine.objects.prefetch_related(
        Prefetch(
            "actions",
            queryset=Action.objects.order_by("number", "code").prefetch_related(
                Prefetch("progress", queryset=progress_in_order())
            ),
        )
    )


def motions(*, status: str | None = None) -> QuerySet[Motion]:
    queryset = Motion.objects.prefetch_related("submitters").select_related(
        "status_letter", "source_letter"
    )
    return queryset.filter(status=status) if status else queryset


def motion_by_key(key: str) -> Motion | None:
    """A motion by its reference key: dossier[-suffix]-number, e.g. 36547-29 or 35570-VI-12."""
    dossier, *suffix, number = key.split("-") if "-" in key else (key, "")
    if not number:
        return None
    return (
        motions().filter(dossier=dossier, suffix="-".join(suffix), document_number=number).first()
    )


def open_motions() -> QuerySet[Motion]:
    return motions().exclude(status=ItemStatus.DONE)


def commitments(*, status: str | None = None) -> QuerySet[Commitment]:
    queryset = Commitment.objects.select_related("related_motion", "status_letter")
    return queryset.filter(status=status) if status else queryset


def indicator_series(*, code: str) -> list[IndicatorValue]:
    """Values of one indicator in time order (undated values last), for a chart."""
    values = list(IndicatorValue.objects.filter(indicator__code=code).select_related("indicator"))
    return sorted(values, key=lambda v: (v.as_of is None, v.as_of, v.period))


def proposed_updates(
    *, letter: Letter, state: str | None = UpdateState.PROPOSED
) -> QuerySet[ProposedUpdate]:
    queryset = ProposedUpdate.objects.filter(letter=letter).select_related("motion", "commitment")
    return queryset.filter(state=state) if state else queryset
