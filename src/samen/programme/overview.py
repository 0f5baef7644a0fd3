"""The progress overview (the annex of the progress letter) and what changed since the last one.

"What changed" compares the register with a stored snapshot of a previous overview. Before the
first snapshot exists, the accepted letter updates stand in: each keeps the status it replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import (
    ActionLine,
    ActionProgress,
    ActionStatus,
    Commitment,
    ItemStatus,
    LetterStatus,
    Motion,
    OverviewSnapshot,
    ProposedUpdate,
    Recommendation,
    UpdateState,
)

KIND_LABELS = {
    "action": _("Action"),
    "motion": _("Motion"),
    "commitment": _("Commitment"),
}
FIELD_LABELS = {
    "status": _("status"),
    "letter_status": _("status in the letter"),
    "progress": _("latest progress"),
    "new": _("added"),
}
_DISPLAY: dict[str, dict[str, Any]] = {
    "action": dict(ActionStatus.choices),
    "motion": dict(ItemStatus.choices),
    "commitment": dict(ItemStatus.choices),
}
_LETTER_DISPLAY = dict(LetterStatus.choices)


@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    label: str
    field: str
    before: str
    after: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))


def motion_label(motion: Motion) -> str:
    names = ", ".join(s.name for s in motion.submitters.all())
    cs = " c.s." if motion.co_signers else ""
    return f"Motie {names}{cs} ({motion.reference_display})" if names else motion.reference_display


def commitment_label(commitment: Commitment) -> str:
    to = f" {commitment.made_to}" if commitment.made_to else ""
    return f"Toezegging{to}: {commitment.description[:80]}"


def action_lines() -> QuerySet[ActionLine]:
    return selectors.action_lines_with_actions()


def current_state() -> dict[str, dict[str, dict[str, str]]]:
    """The parts of the register an overview reports, keyed by each record's natural key."""
    actions: dict[str, dict[str, str]] = {}
    for line in action_lines():
        for action in line.actions.all():
            notes = list(action.progress.all())
            actions[action.code] = {
                "label": str(action),
                "status": action.status,
                "progress": notes[-1].note if notes else "",
            }
    motions = {
        m.reference_key: {
            "label": motion_label(m),
            "status": m.status,
            "letter_status": m.letter_status,
        }
        for m in selectors.motions()
    }
    commitments = {
        c.code: {
            "label": commitment_label(c),
            "status": c.status,
            "letter_status": c.letter_status,
        }
        for c in selectors.commitments()
    }
    return {"action": actions, "motion": motions, "commitment": commitments}


def _last(progress: Iterable[ActionProgress]) -> ActionProgress | None:
    """The latest progress note (they come in order), or None."""
    notes = list(progress)
    return notes[-1] if notes else None


def _display(kind: str, field: str, value: str) -> str:
    if field == "status":
        return str(_DISPLAY[kind].get(value, value))
    if field == "letter_status":
        return str(_LETTER_DISPLAY.get(value, value or "—"))
    return value


def changes_between(
    before: dict[str, dict[str, dict[str, str]]], after: dict[str, dict[str, dict[str, str]]]
) -> list[Change]:
    """Every status or progress difference, and every record added, in a stable order."""
    found: list[Change] = []
    for kind in ("action", "motion", "commitment"):
        old_records, new_records = before.get(kind, {}), after.get(kind, {})
        for key, now in new_records.items():
            was = old_records.get(key)
            if was is None:
                found.append(
                    Change(
                        kind, key, now["label"], "new", "", _display(kind, "status", now["status"])
                    )
                )
                continue
            for field in ("status", "letter_status", "progress"):
                if field in now and now[field] != was.get(field, ""):
                    found.append(
                        Change(
                            kind,
                            key,
                            now["label"],
                            field,
                            _display(kind, field, was.get(field, "")),
                            _display(kind, field, now[field]),
                        )
                    )
    return found


def changes_from_accepted_updates() -> list[Change]:
    """Without a previous overview: what accepting letter updates changed, from their stored
    before-state (an empty before-state means the update added the record)."""
    found: list[Change] = []
    updates = (
        ProposedUpdate.objects.filter(state=UpdateState.ACCEPTED)
        .exclude(motion=None, commitment=None)
        .select_related("motion", "commitment")
        .prefetch_related("motion__submitters")
        .order_by("decided_at", "id")
    )
    for update in updates:
        record: Motion | Commitment
        if update.motion is not None:
            record, kind = update.motion, "motion"
            key, label = update.motion.reference_key, motion_label(update.motion)
        elif update.commitment is not None:
            record, kind = update.commitment, "commitment"
            key, label = update.commitment.code, commitment_label(update.commitment)
        else:
            continue
        if not update.before:
            found.append(
                Change(kind, key, label, "new", "", _display(kind, "status", record.status))
            )
            continue
        for field in ("status", "letter_status"):
            old, new = update.before.get(field) or "", getattr(record, field)
            if old != new:
                found.append(
                    Change(
                        kind,
                        key,
                        label,
                        field,
                        _display(kind, field, old),
                        _display(kind, field, new),
                    )
                )
    return found


def previous_snapshot(since: str | None = None) -> OverviewSnapshot | None:
    queryset = OverviewSnapshot.objects.all()
    if since and since.isdigit():
        return queryset.filter(pk=int(since)).first()
    return queryset.first()


def overview_context(*, since: str | None = None) -> dict[str, Any]:
    """Everything the overview page and its PDF show."""
    previous = previous_snapshot(since)
    changes = (
        changes_between(previous.state, current_state())
        if previous
        else changes_from_accepted_updates()
    )
    lines = [
        {
            "line": line,
            "actions": [
                {"action": action, "latest": _last(action.progress.all())}
                for action in line.actions.all()
            ],
        }
        for line in action_lines()
    ]
    return {
        "lines": lines,
        "motions": selectors.motions(),
        "commitments": selectors.commitments(),
        "recommendations": Recommendation.objects.all(),
        "previous": previous,
        "snapshots": OverviewSnapshot.objects.select_related("taken_by")[:20],
        "changes": changes,
    }
