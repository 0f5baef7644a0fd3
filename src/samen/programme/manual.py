"""Records that no letter or sync names, entered by programme staff: motions, commitments,
international recommendations; and corrections of progress notes, which keep the earlier
wording. Each write checks the policy, validates with the model's own rules (field-level
errors) and leaves an audit entry."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samen.core import audited

from .models import ActionProgress, Commitment, Motion, MotionSubmitter, Recommendation
from .services import ENTERED_IN_SAMEN, _require_edit

if TYPE_CHECKING:
    from samen.core.actor import Actor

MOTION_FIELDS = (
    "chamber", "dossier", "suffix", "document_number", "parliamentary_year", "date", "subject",
    "co_signers", "status", "notes", "tk_number", "vote_outcome",
)  # fmt: skip
COMMITMENT_FIELDS = (
    "code", "made_by", "made_to", "made_on", "occasion", "description", "due", "due_note",
    "status", "tk_number",
)  # fmt: skip
RECOMMENDATION_FIELDS = (
    "code", "body", "round", "report_date", "title", "text", "government_response",
    "response_due", "status",
)  # fmt: skip


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    return {k: v for k, v in fields.items() if v is not None}


def _created(by: Actor, record: Any) -> None:
    kind = type(record).__name__.lower()
    audited.record(
        by,
        f"programme.{kind}.create",
        object_type=f"programme.{kind}",
        object_id=str(record.pk),
    )


def _parse_submitters(submitters: list[dict[str, str]]) -> list[MotionSubmitter]:
    rows: list[MotionSubmitter] = []
    seen: set[str] = set()
    for order, member in enumerate(submitters):
        name = (member.get("name") or "").strip()
        if not name:
            raise ValidationError({"submitters": _("Every submitter needs a name.")})
        if name.lower() in seen:
            raise ValidationError({"submitters": _("A submitter is named twice.")})
        seen.add(name.lower())
        rows.append(
            MotionSubmitter(
                name=name[:120], party=(member.get("party") or "").strip()[:40], order=order
            )
        )
    return rows


def motion_create(
    *, by: Actor, submitters: list[dict[str, str]] | None = None, **fields: Any
) -> Motion:
    """A motion no letter has named yet, e.g. one adopted last week."""
    _require_edit(by, object_type="programme.motion")
    values = _only(fields, MOTION_FIELDS)
    for name in ("dossier", "document_number", "suffix"):
        values[name] = str(values.get(name, "")).strip().replace(" ", "").upper()
    if not values["dossier"].isdigit() or len(values["dossier"]) != 5:
        raise ValidationError({"dossier": _("A dossier number has five digits, e.g. 28638.")})
    if not values["document_number"]:
        raise ValidationError({"document_number": _("Give the document number.")})
    rows = _parse_submitters(submitters or [])
    motion = Motion(source_note=ENTERED_IN_SAMEN, **values)
    motion.full_clean(validate_constraints=False)
    return _save_motion(by, motion, rows)


@transaction.atomic
def _save_motion(by: Actor, motion: Motion, rows: list[MotionSubmitter]) -> Motion:
    if Motion.objects.filter(
        chamber=motion.chamber,
        dossier=motion.dossier,
        suffix=motion.suffix,
        document_number=motion.document_number,
    ).exists():
        raise ValidationError({"document_number": _("This motion is already in the register.")})
    try:
        with transaction.atomic():
            motion.save()
    except IntegrityError as exc:  # the same motion entered at the same moment
        raise ValidationError(
            {"document_number": _("This motion is already in the register.")}
        ) from exc
    for row in rows:
        row.motion = motion
        row.save()
    _created(by, motion)
    return motion


def commitment_create(*, by: Actor, **fields: Any) -> Commitment:
    """A commitment (toezegging) no letter has named, e.g. from a debate's minutes."""
    _require_edit(by, object_type="programme.commitment")
    values = _only(fields, COMMITMENT_FIELDS)
    if not values.get("code"):
        # A code is the commitment's handle in URLs; the TK number is the natural one.
        number = (
            values.get("tk_number")
            or f"{timezone.localdate():%Y%m%d}-{Commitment.objects.count() + 1}"
        )
        values["code"] = slugify(f"tk-{number}" if values.get("tk_number") else f"hand-{number}")
    commitment = Commitment(source_note=ENTERED_IN_SAMEN, **values)
    if commitment.made_to:
        commitment.made_to_members = [{"name": commitment.made_to, "party": ""}]
    commitment.full_clean()
    return _save(by, commitment)


def recommendation_create(*, by: Actor, **fields: Any) -> Recommendation:
    """A GRETA or OSCE recommendation from a report the register does not hold yet."""
    _require_edit(by, object_type="programme.recommendation")
    values = _only(fields, RECOMMENDATION_FIELDS)
    recommendation = Recommendation(source_note=ENTERED_IN_SAMEN, **values)
    recommendation.full_clean()
    return _save(by, recommendation)


@transaction.atomic
def _save(by: Actor, record: Commitment | Recommendation) -> Any:
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # the same code saved at the same moment
        raise ValidationError({"code": _("This code is already in use.")}) from exc
    _created(by, record)
    return record


def progress_note_correct(
    *, progress: ActionProgress, by: Actor, note: str, on: date | None = None
) -> ActionProgress:
    """Correct a progress note's wording or date; the earlier version is kept with it."""
    _require_edit(by, object_type="programme.action", object_id=str(progress.action_id))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("A progress note cannot be empty.")})
    return _correct(progress, by, note, on)


@transaction.atomic
def _correct(progress: ActionProgress, by: Actor, note: str, on: date | None) -> ActionProgress:
    progress = ActionProgress.objects.select_for_update().get(pk=progress.pk)
    on = on or progress.on
    if note == progress.note and on == progress.on:
        return progress
    progress.history = [
        *progress.history,
        {
            "on": progress.on.isoformat() if progress.on else None,
            "note": progress.note,
            "replaced_at": timezone.now().isoformat(timespec="seconds"),
        },
    ]
    progress.note, progress.on = note, on
    progress.save(update_fields=["note", "on", "history"])
    audited.record(
        by,
        "programme.action.update",
        object_type="programme.action",
        object_id=str(progress.action_id),
        fields=["progress"],
        detail={"progress": progress.pk, "corrected": True},
    )
    return progress
