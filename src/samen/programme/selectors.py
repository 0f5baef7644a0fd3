"""Reads of the programme register, for the web layer and the progress overview."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import F, Model, Prefetch, QuerySet
from django.http import Http404

from samen.core import audited

from . import models
from .models import (
    Action,
    ActionLine,
    ActionProgress,
    Commitment,
    Indicator,
    IndicatorValue,
    ItemStatus,
    Letter,
    Motion,
    ProposedUpdate,
    Recommendation,
    UpdateState,
)

if TYPE_CHECKING:
    from samen.core.actor import Actor

READ = "programme.read"
# The register's choices, for the pages and the API (which import no models) to check and show.
ActionStatus = models.ActionStatus
Chamber = models.Chamber
LetterStatus = models.LetterStatus
RecommendationBody = models.RecommendationBody
RecommendationStatus = models.RecommendationStatus
M = TypeVar("M", bound=Model)


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
    queryset = ProposedUpdate.objects.filter(letter=letter).select_related(
        "motion", "commitment", "decided_by"
    )
    return queryset.filter(state=state) if state else queryset


# --- one record, or 404 ------------------------------------------------------------------------


def _one(queryset: QuerySet[M]) -> M:
    found = queryset.first()
    if found is None:
        raise Http404
    return found


def letters() -> QuerySet[Letter]:
    return Letter.objects.order_by("-registered_at")


def letter(*, pk: int) -> Letter:
    return _one(Letter.objects.filter(pk=pk))


def action_lines() -> QuerySet[ActionLine]:
    return ActionLine.objects.prefetch_related("actions")


def action_line(*, number: int) -> ActionLine:
    return _one(action_lines().filter(number=number))


def actions(*, status: str = "", line: int | None = None) -> QuerySet[Action]:
    """Actions with their line and progress notes (in order), optionally by status or line."""
    queryset = Action.objects.select_related("action_line").prefetch_related(
        Prefetch("progress", queryset=progress_in_order())
    )
    if status:
        queryset = queryset.filter(status=status)
    if line is not None:
        queryset = queryset.filter(action_line__number=line)
    return queryset


def action_with_progress(*, code: str) -> Action:
    return _one(actions().filter(code=code))


def action(*, code: str) -> Action:
    return _one(Action.objects.filter(code=code))


def action_page(*, code: str) -> Action:
    """An action with what its page shows: the line, the source letter, the progress notes
    in order with theirs."""
    notes = progress_in_order().select_related("source_letter")
    return _one(
        Action.objects.select_related("action_line", "source_letter")
        .prefetch_related(Prefetch("progress", queryset=notes))
        .filter(code=code)
    )


def progress_note(*, pk: int, action: Action | None = None) -> ActionProgress:
    """A progress note; with `action`, only one of that action (else 404)."""
    queryset = ActionProgress.objects.filter(pk=pk)
    return _one(queryset.filter(action=action) if action is not None else queryset)


def motions_by_reference() -> dict[str, Motion]:
    return {m.reference_key: m for m in Motion.objects.all()}


def commitment(*, code: str) -> Commitment | None:
    return commitments().filter(code=code).first()


def recommendations() -> QuerySet[Recommendation]:
    return Recommendation.objects.all()


def recommendation(*, code: str) -> Recommendation | None:
    return Recommendation.objects.filter(code=code).first()


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("action_line").prefetch_related("values")


def indicator(*, code: str) -> Indicator:
    return _one(indicators().filter(code=code))


def proposed_update(*, pk: int) -> ProposedUpdate:
    return _one(ProposedUpdate.objects.select_related("letter").filter(pk=pk))


def proposed_update_decided(*, pk: int) -> ProposedUpdate:
    """An update as the API shows it once decided: who decided and what it changed."""
    return ProposedUpdate.objects.select_related("decided_by", "motion", "commitment").get(pk=pk)


def fresh(record: M) -> M:
    """The record read again from the database: an edit form works on its own copy, so the one
    the service compares the changes against stays as it was."""
    return type(record)._default_manager.get(pk=record.pk)
