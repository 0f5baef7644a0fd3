"""Recording the facts of a path (age, nationality, consent, ...) and what they set going."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.cases.services import event_add
from samen.core import audited
from samen.core.actor import Actor
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.models import (
    AgeAssessment,
    IdentificationPath,
    Notification,
)
from samen.identification.services.common import (
    TIMELINE_KIND,
    access_for,
    facts_of,
    history_of,
    path_locked,
)
from samen.identification.services.guardians import guardian_attach, recipients_of


class _Unset:
    """A fact the caller did not give: left as it is (a facts form posts only what its reader
    may see, so a fact hidden from the reader is never wiped by its absence)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# The groups of facts of the facts form, each with the presented field whose category decides
# who may see, and so record, them (FIELD_CATEGORIES): whoever may not see a fact may not record
# it either.
FACT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "residence": ("identification.residence", (
        "foreign_national", "lawful_residence", "unaccompanied", "eu_citizen",
        "eu_residence_rights", "dublin_claimant",
    )),
    "age": ("minor", ("age_assessment", "presumed_minor")),
}  # fmt: skip


def path_facts_set(
    *,
    actor: Actor,
    case: Case,
    foreign_national: bool | None = UNSET,
    lawful_residence: bool | None = UNSET,
    unaccompanied: bool | None = UNSET,
    age_assessment: str = UNSET,
    presumed_minor: bool = UNSET,
    eu_citizen: bool | None = UNSET,
    eu_residence_rights: bool | None = UNSET,
    dublin_claimant: bool = UNSET,
) -> IdentificationPath:
    """Record the facts the path depends on; a fact not given stays as it is, and a fact the
    actor may not see on this case is refused at its field (nothing is saved). For a minor (by
    age, estimate or presumption) the guardian (Nidos) is attached and notified at once:
    protection does not wait for a reflection period. When the new facts break the conditions
    of the step the path stands on (Dutch after all, lawful residence after all), the
    coordinator gets a task: nothing is undone silently, and nothing silently stands."""
    access = access_for(actor, case, "identification.transition")
    given = {
        name: value
        for name, value in {
            "foreign_national": foreign_national,
            "lawful_residence": lawful_residence,
            "unaccompanied": unaccompanied,
            "age_assessment": age_assessment,
            "presumed_minor": presumed_minor,
            "eu_citizen": eu_citizen,
            "eu_residence_rights": eu_residence_rights,
            "dublin_claimant": dublin_claimant,
        }.items()
        if value is not UNSET
    }
    errors: dict[str, list[str]] = {}
    for field, names in FACT_GROUPS.values():
        if not access.shows(field):
            for name in set(names) & set(given):
                errors[name] = [_("This fact is not yours to record on this case.")]
    if "age_assessment" in given and given["age_assessment"] not in AgeAssessment.values:
        errors.setdefault("age_assessment", [_("Choose a valid value.")])
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        path = path_locked(case)
        for name, value in given.items():
            setattr(path, name, value)
        if not path.eu_citizen:
            path.eu_residence_rights = None  # rights under EU law only for an EU citizen
        facts = facts_of(path)
        path.save()
        broken = machine_of(path.definition).broken_conditions(
            history_of(path), facts, engine.local_date(now)
        )
        if broken is not None:
            _condition_task(path, broken[0], now)
        guardian_attached = guardian_attach(path, now) is not None
        advice = [a.code for a in machine_of(path.definition).advice_for(facts)]
        event_add(
            case=case,
            kind=TIMELINE_KIND,
            actor=actor,
            at=now,
            facts={k: v for k, v in facts.items()},
            advice=advice,
            guardian=path.guardian_organisation_id,
        )
        changed = [field for field, names in FACT_GROUPS.values() if set(names) & set(given)]
        audited.record(
            actor,
            "identification_path.update",
            object_type="case",
            object_id=case.number,
            fields=changed + (["identification.guardian"] if guardian_attached else []),
            categories=access.categories,
            emergency=access.emergency,
            detail={"facts": "recorded", "advice": advice},
        )
    return path


def _condition_task(path: IdentificationPath, step: str, now: datetime) -> None:
    """A task for the coordinator (the responsible organisation's members): the facts no longer
    meet the step the path stands on. Once per step: a second change of facts does not add
    another open task."""
    case = path.case
    open_task = Notification.objects.filter(
        case=case, kind=Notification.Kind.CONDITION, read_at__isnull=True, data__step=step
    ).exists()
    if not open_task:
        Notification.objects.bulk_create(
            Notification(
                user=m.user,
                organisation=m.organisation,
                kind=Notification.Kind.CONDITION,
                case=case,
                data={"case": case.number, "step": step},
                created_at=now,
            )
            for m in recipients_of(case.responsible_organisation)
        )
    event_add(case=case, kind=TIMELINE_KIND, actor=None, at=now, condition_broken=step)
