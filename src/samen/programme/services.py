"""Writes to the programme register: reading a letter into proposed updates, and accepting or
rejecting each one. Every accepted update names the letter as its provenance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audited, policy

from .letter import LetterReading, read_letter
from .models import (
    Action,
    ActionProgress,
    ActionStatus,
    Commitment,
    Indicator,
    IndicatorValue,
    ItemStatus,
    Letter,
    LetterStatus,
    Motion,
    MotionSubmitter,
    OverviewSnapshot,
    ProposedUpdate,
    Recommendation,
    UpdateState,
)

if TYPE_CHECKING:
    from samen.core.actor import Actor

EDIT_PERMISSION = "programme.update"
ENTERED_IN_SAMEN = "Entered in Samen by programme staff"

# The register keeps three states; the letter's finer reading is kept beside it in
# `letter_status`. A declined motion stays open: only the minister's "afgedaan" closes it.
REGISTER_STATUS: dict[str, str] = {
    LetterStatus.DONE: ItemStatus.DONE,
    LetterStatus.IN_PROGRESS: ItemStatus.IN_PROGRESS,
    LetterStatus.RESEARCH_PENDING: ItemStatus.IN_PROGRESS,
    LetterStatus.DECLINED: ItemStatus.OPEN,
}


class UpdateAlreadyDecided(ValueError):
    pass


def _require_edit(actor: Actor, *, object_type: str, object_id: str = "") -> None:
    """Programme staff edit. Called outside the write transaction, so the audit entry of a
    refusal is not rolled back with it."""
    policy.require(actor, EDIT_PERMISSION, object_type=object_type, object_id=object_id)


def _letter_text(reading: LetterReading) -> str:
    """The letter as read, footnotes after the body, so a passage can be shown in context."""
    notes = [f"[{n}: {text}]" for n, text in sorted(reading.footnotes.items())]
    return "\n".join([*reading.paragraphs, *notes])


def letter_register(
    *, path: Path, by: Actor, title: str = "", sent_on: date | None = None
) -> tuple[Letter, LetterReading, list[ProposedUpdate]]:
    """Read a letter and store one proposed update per item; reading it again changes nothing."""
    _require_edit(by, object_type="programme.letter")
    reading = read_letter(path)  # outside the transaction: parsing a PDF can take a while
    return _register(reading, path, by, title, sent_on)


@transaction.atomic
def _register(
    reading: LetterReading, path: Path, by: Actor, title: str, sent_on: date | None
) -> tuple[Letter, LetterReading, list[ProposedUpdate]]:
    letter, created = Letter.objects.get_or_create(
        sha256=reading.sha256,
        defaults={
            "title": title or path.stem,
            "sent_on": sent_on,
            "file_name": path.name,
            "text": _letter_text(reading),
        },
    )
    updates = proposed_updates_create(letter=letter, reading=reading)
    if created:
        audited.record(
            by,
            "programme.letter.create",
            object_type="programme.letter",
            object_id=str(letter.pk),
            detail={"proposed_updates": len(updates)},
        )
    return letter, reading, updates


def proposed_updates_create(*, letter: Letter, reading: LetterReading) -> list[ProposedUpdate]:
    updates = []
    for item in reading.items:
        payload = item.as_dict()
        update, _ = ProposedUpdate.objects.get_or_create(
            letter=letter,
            item_index=item.index,
            defaults={
                "kind": item.kind,
                "reference_key": item.reference.key if item.reference else "",
                "proposed_status": item.status.value if item.status else "",
                "evidence": item.evidence,
                "payload": payload,
            },
        )
        updates.append(update)
    return updates


def _status_snapshot(record: Motion | Commitment) -> dict[str, Any]:
    return {
        "status": record.status,
        "letter_status": record.letter_status,
        "status_letter": record.status_letter_id,
        "status_date": record.status_date.isoformat() if record.status_date else None,
        "status_evidence": record.status_evidence,
    }


def _location(payload: dict[str, Any]) -> str:
    loc = payload["location"]
    where = (
        f"footnote {loc['footnote']}" if loc.get("footnote") else f"paragraph {loc['paragraph']}"
    )
    if not loc.get("section"):
        return where
    # Section headings can be whole sentences; the field keeps a pointer, the passage the text.
    # Shorten the heading, never the footnote or paragraph number after it (max_length 120).
    section = loc["section"][: 120 - len(where) - 2].rstrip()
    return f"{section}, {where}"


def _set_status(record: Motion | Commitment, update: ProposedUpdate) -> None:
    if not update.proposed_status:
        return
    record.status = REGISTER_STATUS[update.proposed_status]
    record.letter_status = update.proposed_status
    record.status_letter = update.letter
    record.status_date = update.letter.sent_on
    record.status_evidence = update.evidence


def _apply_motion(update: ProposedUpdate) -> Motion:
    payload = update.payload
    ref = payload["reference"]
    motion, created = Motion.objects.select_for_update().get_or_create(
        chamber=ref["chamber"] or "II",
        dossier=ref["dossier"],
        suffix=ref["suffix"],
        document_number=ref["number"],
        defaults={
            "subject": payload["subject"],
            "parliamentary_year": ref["year"],
            "co_signers": payload["co_signers"],
            "source_letter": update.letter,
            "source_passage": payload["passage"],
            "source_location": _location(payload),
        },
    )
    update.before = {} if created else _status_snapshot(motion)
    if not motion.parliamentary_year and ref["year"]:
        motion.parliamentary_year = ref["year"]
    if not motion.submitters.exists():
        for order, member in enumerate(payload["submitters"]):
            MotionSubmitter.objects.create(
                motion=motion,
                name=member["name"],
                party=member["party"],
                party_inferred=member["party_inferred"],
                order=order,
            )
    if parliament := payload.get("parliament"):
        # What the Tweede Kamer records about the motion itself (its case number, the vote).
        motion.tk_id = parliament["id"]
        motion.tk_number = parliament["number"]
        motion.vote_outcome = parliament.get("vote_outcome", "") or motion.vote_outcome
        if not motion.date and payload.get("made_on"):
            motion.date = date.fromisoformat(payload["made_on"])
    _set_status(motion, update)
    motion.save()
    return motion


def _matching_commitment(payload: dict[str, Any]) -> Commitment | None:
    """A commitment has no reference number; match on the members it was made to and the date."""
    names = sorted(m["name"] for m in payload["made_to"])
    if not names:
        return None
    candidates = [
        c
        for c in Commitment.objects.select_for_update().filter(made_on=payload["made_on"])
        if sorted(m["name"] for m in c.made_to_members) == names
    ]
    return candidates[0] if len(candidates) == 1 else None


def _apply_commitment(update: ProposedUpdate) -> Commitment:
    payload = update.payload
    parliament = payload.get("parliament") or {}
    commitment = None
    if parliament.get("number"):
        commitment = (
            Commitment.objects.select_for_update().filter(tk_number=parliament["number"]).first()
        )
    if commitment is None:
        commitment = _matching_commitment(payload)
    if commitment is None:
        members = payload["made_to"]
        code = (
            f"tk-{parliament['number']}".lower()
            if parliament.get("number")
            else f"letter-{update.letter.sha256[:10]}-{update.item_index}"
        )
        commitment = Commitment(
            code=code,
            made_to=", ".join(
                f"{m['name']} ({m['party']})" if m["party"] else m["name"] for m in members
            ),
            made_to_members=[{"name": m["name"], "party": m["party"]} for m in members],
            made_on=date.fromisoformat(payload["made_on"]) if payload["made_on"] else None,
            occasion=payload["location"].get("footnote_text", ""),
            description=payload["subject"],
            source_letter=update.letter,
            source_passage=payload["passage"],
            source_location=_location(payload),
        )
        update.before = {}
    else:
        update.before = _status_snapshot(commitment)
    if parliament:
        commitment.tk_id = parliament["id"]
        commitment.tk_number = parliament["number"]
        commitment.tk_status = parliament.get("status", "")
        if parliament.get("made_by"):
            commitment.made_by = parliament["made_by"][:200]
        if parliament.get("due") and not commitment.due:
            commitment.due = date.fromisoformat(parliament["due"])
    _set_status(commitment, update)
    commitment.save()
    return commitment


def _locked_undecided(update: ProposedUpdate) -> ProposedUpdate:
    # Lock the row so two reviewers cannot decide the same item at once.
    update = ProposedUpdate.objects.select_for_update().select_related("letter").get(pk=update.pk)
    if update.state != UpdateState.PROPOSED:
        raise UpdateAlreadyDecided(f"update {update.pk} is already {update.state}")
    return update


def proposed_update_accept(*, update: ProposedUpdate, by: Actor) -> Motion | Commitment | None:
    """Apply the update to the register, with the letter as provenance of the new status.

    A cited document (a bill, a letter) is acknowledged but changes no register record."""
    _require_edit(by, object_type="programme.proposed_update", object_id=str(update.pk))
    return _accept(update, by)


@transaction.atomic
def _accept(update: ProposedUpdate, by: Actor) -> Motion | Commitment | None:
    update = _locked_undecided(update)
    record: Motion | Commitment | None = None
    if update.kind == "motion" and update.payload.get("reference"):
        record = update.motion = _apply_motion(update)
    elif update.kind == "commitment":
        record = update.commitment = _apply_commitment(update)
    update.state = UpdateState.ACCEPTED
    update.decided_by = by.user if getattr(by.user, "is_authenticated", False) else None
    update.decided_at = timezone.now()
    update.save()
    audited.record(
        by,
        f"programme.{update.kind}.update",
        object_type=f"programme.{update.kind}",
        object_id=str(record.pk) if record else "",
        fields=["status", "letter_status", "status_letter", "status_evidence"] if record else [],
        detail={"proposed_update": update.pk, "letter": update.letter_id, "state": "accepted"},
    )
    return record


def proposed_update_reject(
    *, update: ProposedUpdate, by: Actor, reason: str = ""
) -> ProposedUpdate:
    _require_edit(by, object_type="programme.proposed_update", object_id=str(update.pk))
    return _reject(update, by, reason)


@transaction.atomic
def _reject(update: ProposedUpdate, by: Actor, reason: str) -> ProposedUpdate:
    update = _locked_undecided(update)
    update.state = UpdateState.REJECTED
    update.reason = reason
    update.decided_by = by.user if getattr(by.user, "is_authenticated", False) else None
    update.decided_at = timezone.now()
    update.save()
    audited.record(
        by,
        "programme.proposed_update.update",
        object_type="programme.proposed_update",
        object_id=str(update.pk),
        fields=["state"],
        detail={"letter": update.letter_id, "state": "rejected"},
    )
    return update


def overview_snapshot_create(*, by: Actor, label: str = "") -> OverviewSnapshot:
    """Store what the overview shows now, as the base for "what changed" in the next one."""
    from .overview import current_state  # the overview reads selectors; keep imports one-way

    _require_edit(by, object_type="programme.overview_snapshot")
    snapshot = OverviewSnapshot.objects.create(
        taken_by=by.user if getattr(by.user, "is_authenticated", False) else None,
        label=label,
        state=current_state(),
    )
    audited.record(
        by,
        "programme.overview_snapshot.create",
        object_type="programme.overview_snapshot",
        object_id=str(snapshot.pk),
    )
    return snapshot


def action_update(
    *, action: Action, by: Actor, status: str = "", note: str = "", on: date | None = None
) -> Action:
    """Programme staff set an action's status and/or add a dated progress note. A note entered
    here has no letter behind it; its provenance says so, the audit entry says who."""
    _require_edit(by, object_type="programme.action", object_id=str(action.pk))
    if status and status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if not status and not note.strip():
        raise ValidationError({"note": _("Give a status or a progress note.")})
    return _update_action(action, by, status, note.strip(), on)


@transaction.atomic
def _update_action(action: Action, by: Actor, status: str, note: str, on: date | None) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    fields = []
    if status and status != action.status:
        action.status = status
        action.save(update_fields=["status"])
        fields.append("status")
    if note:
        ActionProgress.objects.create(
            action=action,
            on=on or timezone.localdate(),
            note=note,
            source_note=ENTERED_IN_SAMEN,
        )
        fields.append("progress")
    audited.record(
        by,
        "programme.action.update",
        object_type="programme.action",
        object_id=str(action.pk),
        fields=fields,
    )
    return action


# What programme staff may change by hand, per kind of record. The reference (dossier, number),
# the submitters and the provenance are facts of the parliamentary record: a letter sets them,
# not a form.
EDITABLE: dict[type, tuple[str, ...]] = {
    Action: ("holders", "start", "end", "period_note"),
    Motion: ("status", "status_date", "subject", "notes"),
    Commitment: ("status", "status_date", "made_to", "description", "due", "due_note"),
    Recommendation: ("status", "government_response", "response_due", "text"),
}


def _object_type(record: object) -> str:
    return f"programme.{type(record).__name__.lower()}"


def record_edit(
    *, record: Action | Motion | Commitment | Recommendation, by: Actor, changes: dict[str, Any]
) -> Action | Motion | Commitment | Recommendation:
    """Programme staff correct or advance an action's holders and period, or a motion,
    commitment or recommendation. A status set
    by hand has no letter behind it: the letter's reading is cleared and the audit entry says
    who set it."""
    _require_edit(by, object_type=_object_type(record), object_id=str(record.pk))
    editable = EDITABLE[type(record)]
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    return _edit(record, by, changes)


@transaction.atomic
def _edit(record: Any, by: Actor, changes: dict[str, Any]) -> Any:
    record = type(record).objects.select_for_update().get(pk=record.pk)
    changed = [name for name, value in changes.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, changes[name])
    if "status" in changed and isinstance(record, Motion | Commitment):
        record.letter_status = ""
        record.status_letter = None
        record.status_evidence = ""
        if "status_date" not in changed:
            record.status_date = timezone.localdate()
        changed += ["letter_status", "status_letter", "status_evidence", "status_date"]
    if not changed:
        return record
    record.full_clean()
    record.save(update_fields=sorted(set(changed)))
    audited.record(
        by,
        f"{_object_type(record)}.update",
        object_type=_object_type(record),
        object_id=str(record.pk),
        fields=changed,
    )
    return record


def indicator_value_add(
    *,
    indicator: Indicator,
    by: Actor,
    value: Decimal,
    period: str,
    source: str,
    as_of: date | None = None,
    is_lower_bound: bool = False,
) -> IndicatorValue:
    """A new dated value for an indicator, entered by programme staff with its source."""
    _require_edit(by, object_type="programme.indicator", object_id=str(indicator.pk))
    return _add_value(indicator, by, value, period, source, as_of, is_lower_bound)


@transaction.atomic
def _add_value(
    indicator: Indicator,
    by: Actor,
    value: Decimal,
    period: str,
    source: str,
    as_of: date | None,
    is_lower_bound: bool,
) -> IndicatorValue:
    if value is not None and value < 0:
        raise ValidationError({"value": _("A value cannot be negative.")})
    # The indicator locked: a second entry of the same period and source made meanwhile is then
    # seen by the check below, instead of failing on the unique constraint as a server error.
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    row = IndicatorValue(
        indicator=indicator,
        value=value,
        period=period.strip(),
        source=source.strip(),
        as_of=as_of,
        is_lower_bound=is_lower_bound,
        source_note=ENTERED_IN_SAMEN,
    )
    if IndicatorValue.objects.filter(
        indicator=indicator, period=row.period, source=row.source
    ).exists():
        raise ValidationError(
            {"period": _("This indicator already has a value for this period from this source.")}
        )
    row.full_clean()
    row.save()
    audited.record(
        by,
        "programme.indicator.value_add",
        object_type="programme.indicator",
        object_id=str(indicator.pk),
        fields=["value", "period", "source", "as_of", "is_lower_bound"],
    )
    return row
