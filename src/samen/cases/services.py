"""Writes to the case register. Callers: samen.signalling.services and the case views."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases import crypto, hooks
from samen.cases.models import (
    MINOR_BANDS,
    AgeBand,
    Case,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    CaseStatus,
    ExploitationForm,
    Identity,
    NationalityGroup,
    Person,
)
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.organisations.models import Municipality, Organisation, OrganisationType

NUMBER_PREFIX = "MH"


def format_case_number(year: int, sequence: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-{sequence:06d}"


def case_number_next(*, year: int) -> str:
    """Hand out the next number of the year. Must run inside the caller's transaction: the counter
    row stays locked until commit, so two signals at once never get the same number."""
    CaseNumberCounter.objects.get_or_create(year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_case_number(year, counter.last)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def band_for_age(age: int) -> str:
    for band, upper in (
        (AgeBand.UNDER_12, 11),
        (AgeBand.AGE_12_17, 17),
        (AgeBand.AGE_18_22, 22),
        (AgeBand.AGE_23_29, 29),
        (AgeBand.AGE_30_49, 49),
    ):
        if age <= upper:
            return band
    return AgeBand.AGE_50_UP


@cache
def _eu_countries() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "eu_countries.json"
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["eu"])


def nationality_group(nationality: str) -> str:
    """NL / EU / non-EU from an ISO 3166 alpha-2 code; anything else (free text) is unknown."""
    code = (nationality or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        return NationalityGroup.UNKNOWN
    if code == "NL":
        return NationalityGroup.DUTCH
    return NationalityGroup.EU if code in _eu_countries() else NationalityGroup.NON_EU


def person_facts(*, age_band: str, date_of_birth: date | None, on: date) -> tuple[str, bool, bool]:
    """(age band, is minor, age is an estimate). A known birth date beats an estimated band."""
    if date_of_birth:
        age = age_on(date_of_birth, on)
        return band_for_age(age), age < 18, False
    return age_band or AgeBand.UNKNOWN, age_band in MINOR_BANDS, True


def identity_payload(
    *, name: str, date_of_birth: date | None, nationality: str, contact: str
) -> dict[str, str]:
    payload = {
        "name": name.strip(),
        "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
        "nationality": nationality.strip(),
        "contact": contact.strip(),
    }
    return {k: v for k, v in payload.items() if v}


def identity_store(*, person: Person, payload: dict[str, str]) -> None:
    if not payload:
        return
    blob = crypto.encrypt_json(payload, context=str(person.ref))
    Identity.objects.update_or_create(person=person, defaults={"ciphertext": blob})


def _comparable(key: str, value: str | None) -> str:
    """A spelling that compares like the match key does ('Jansen, Piet' is 'piet jansen')."""
    if key == "name":
        return crypto.normalise_name(value or "")
    return (value or "").strip().upper()


def identity_merge(*, person: Person, payload: dict[str, str]) -> dict[str, str]:
    """Add the details given with a signal to the person's identity; returns those that are new
    to it. Missing ones are stored in the identity; ones that differ from what it holds are
    returned too but not overwritten (the signal keeps them, encrypted, for the coordinator to
    decide). One read and one write whether the person is new or known."""
    identity = Identity.objects.select_for_update().filter(person=person).first()
    held = crypto.decrypt_json(identity.ciphertext, context=str(person.ref)) if identity else {}
    new = {k: v for k, v in payload.items() if _comparable(k, held.get(k)) != _comparable(k, v)}
    merged = {**payload, **held}
    if merged:
        blob = crypto.encrypt_json(merged, context=str(person.ref))
        if identity is None:
            Identity.objects.create(person=person, ciphertext=blob)
        else:
            identity.ciphertext = blob
            identity.save(update_fields=["ciphertext", "updated_at"])
    return new


def identity_read(person: Person) -> dict[str, str]:
    """Decrypt; callers must have passed policy.sees_identity first (selectors do)."""
    try:
        identity = person.identity
    except Identity.DoesNotExist:
        return {}
    return crypto.decrypt_json(identity.ciphertext, context=str(person.ref))


def responsible_organisation_for(
    *, municipality: Municipality, fallback: Organisation
) -> Organisation:
    """The region's care coordination is the hub of a case; without one the signaller's
    organisation keeps it until a coordinator takes it over."""
    hub = (
        Organisation.objects.filter(
            type=OrganisationType.CARE_COORDINATION, municipality__region_id=municipality.region_id
        )
        .order_by("id")
        .first()
    )
    return hub or fallback


def event_add(
    *, case: Case, kind: str, actor: Actor | None, at: datetime, **data: object
) -> CaseEvent:
    user = actor.user if actor and getattr(actor.user, "is_authenticated", False) else None
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at,
        actor=user,
        organisation=actor.organisation if actor else None,
        data=data,
    )


def case_open(
    *,
    actor: Actor,
    person: Person,
    municipality: Municipality,
    forms: list[ExploitationForm],
    at: datetime,
    synthetic: bool = False,
) -> Case:
    """Open a case for a person. Runs inside the calling use case's transaction."""
    local_year = timezone.localtime(at).year
    case = Case.objects.create(
        number=case_number_next(year=local_year),
        person=person,
        responsible_organisation=responsible_organisation_for(
            municipality=municipality, fallback=actor.organisation
        ),
        municipality=municipality,
        region_id=municipality.region_id,
        opened_at=at,
        is_synthetic=synthetic,
    )
    case.forms.add(*forms)  # a new case has none: add, one statement like case_link's
    event_add(
        case=case, kind=CaseEvent.Kind.CREATED, actor=actor, at=at, forms=[f.code for f in forms]
    )
    # Audited by the calling use case, which writes the one entry for the whole request.
    return case


def case_link(
    *,
    actor: Actor,
    case: Case,
    forms: list[ExploitationForm],
    at: datetime,
    identity_new: list[str],
) -> Case:
    """Join a new signal about a known person to their open case. Runs inside the signal's
    transaction and does what case_open does, statement for statement (the year's counter
    locked and written, the region's hub looked up, the case row and its forms written, one
    event), so linking costs what opening costs: the time of the signaller's response does not
    tell whether the person was known (see the signalling tests and benchmarks/signal_oneway.py)."""
    year = timezone.localtime(at).year
    CaseNumberCounter.objects.get_or_create(year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(year=year)
    counter.save(update_fields=["last"])
    responsible_organisation_for(municipality=case.municipality, fallback=actor.organisation)
    case.save(update_fields=["updated_at"])
    case.forms.add(*forms)
    event_add(
        case=case,
        kind=CaseEvent.Kind.LINKED,
        actor=actor,
        at=at,
        forms=[f.code for f in forms],
        identity_new=identity_new,
    )
    return case


def _reachable(actor: Actor, case: Case, permission: str) -> None:
    """404 unless the actor reaches this case at all (same answer as for a missing case)."""
    if not policy.case_access(actor, [case.pk]):
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)


def case_status_change(*, actor: Actor, case: Case, status: str) -> Case:
    """Change the status of a case the actor may update."""
    policy.require(actor, "case.update", object_type="case", object_id=case.number)
    _reachable(actor, case, "case.update")
    if status not in CaseStatus.values:
        raise ValidationError({"status": [_("Choose a valid status.")]})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == status:
            return case
        # Closing and reopening need a reason on the timeline (cases.lifecycle.case_close and
        # case_reopen); a bare status change must not be a way around it.
        if CaseStatus.CLOSED in (status, case.status):
            raise ValidationError({"status": [_("Close or reopen a case with its reason.")]})
        old = case.status
        case.status = status
        case.save(update_fields=["status", "updated_at"])
        event_add(
            case=case,
            kind=CaseEvent.Kind.STATUS_CHANGED,
            actor=actor,
            at=timezone.now(),
            old=old,
            new=status,
        )
        audit.record(
            actor,
            "case.update",
            object_type="case",
            object_id=case.number,
            fields=["status"],
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, set(policy.grants(actor))),
        )
    return case


NOTE_KIND_BY_PURPOSE = {
    "investigation": CaseNote.Kind.INVESTIGATION,
    "shelter_placement": CaseNote.Kind.SHELTER,
}
MAX_NOTE = 5000


def note_add(*, actor: Actor, case: Case, text: str) -> CaseNote:
    """Add a note; its kind (and so its data category) follows the author's purpose."""
    policy.require(actor, "case.note", object_type="case", object_id=case.number)
    _reachable(actor, case, "case.note")
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write a note first.")]})
    if len(text) > MAX_NOTE:
        raise ValidationError(
            {"text": [_("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}]}
        )
    kind = NOTE_KIND_BY_PURPOSE.get(policy.purpose_of(actor), CaseNote.Kind.CARE)
    now = timezone.now()
    with transaction.atomic():
        note = CaseNote.objects.create(
            case=case,
            kind=kind,
            ciphertext=crypto.encrypt_json({"text": text}, context=f"note:{case.number}"),
            author=actor.user,
            organisation=actor.organisation,
            created_at=now,
        )
        event_add(case=case, kind=CaseEvent.Kind.NOTE_ADDED, actor=actor, at=now, note_kind=kind)
        category = policy.FIELD_CATEGORIES[f"notes.{kind}"]
        audit.record(
            actor,
            "case_note.create",
            object_type="case",
            object_id=case.number,
            fields=[f"notes.{kind}"],
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, {category}),
        )
    return note


# -- duplicates: merge and split (issue #16) ------------------------------------------------
#
# Two cases about one person (a signal whose identity was too thin for the match key) are
# merged by the national registrar: the signals move to the case that stays, the other case is
# closed with a pointer to it, and both keep their timelines and their audit entries. A split
# undoes a wrong join: chosen signals move to a new case of a new pseudonymous person. Each is
# one transaction and one audit entry indexed to both cases, so each person's subject-access
# report shows it.


def _merge_check(actor: Actor, source: Case, target: Case) -> None:
    errors = []
    if source.pk == target.pk:
        errors.append(_("Choose two different cases."))
    if CaseStatus.CLOSED in (source.status, target.status):
        errors.append(_("Only open cases can be merged."))
    if errors:
        raise ValidationError({"target": errors})


def case_merge(*, actor: Actor, source: Case, target: Case) -> Case:
    """Merge `source` into `target`: its signals and forms join `target`; `source` is closed
    and points to `target`. Returns `target`."""
    policy.require(actor, "case.merge", object_type="case", object_id=source.number)
    _reachable(actor, source, "case.merge")
    _reachable(actor, target, "case.merge")
    _merge_check(actor, source, target)
    now = timezone.now()
    with transaction.atomic():
        locked = {
            c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        }
        source, target = locked[source.pk], locked[target.pk]
        _merge_check(actor, source, target)
        moved = hooks.signal_ids_of_case(source)
        hooks.signals_move(moved, target)
        target.forms.add(*source.forms.all())
        target.save(update_fields=["updated_at"])
        source.status = CaseStatus.CLOSED
        source.closed_at = now
        source.save(update_fields=["status", "closed_at", "updated_at"])
        event_add(
            case=target, kind=CaseEvent.Kind.LINKED, actor=actor, at=now,
            merged_from=source.number, signals=moved,
        )  # fmt: skip
        event_add(
            case=source, kind=CaseEvent.Kind.STATUS_CHANGED, actor=actor, at=now,
            old="open", new=CaseStatus.CLOSED, merged_into=target.number, signals=moved,
        )  # fmt: skip
        audit.record(
            actor,
            "case.merge",
            object_type="case",
            object_id=target.number,
            fields=["signals", "forms", "status"],
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, set(policy.grants(actor))),
            detail={"cases": [source.number, target.number], "signals": moved},
        )
    return target


def case_split(*, actor: Actor, case: Case, signal_ids: list[int]) -> Case:
    """Move the chosen signals of `case` to a new case of a new pseudonymous person (the same
    coarse facts, no identity: who it is must be established again). Returns the new case."""
    policy.require(actor, "case.merge", object_type="case", object_id=case.number)
    _reachable(actor, case, "case.merge")
    chosen = set(signal_ids)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("person", "municipality")
            .get(pk=case.pk)
        )
        all_signals = hooks.signal_ids_of_case(case)
        if not chosen or not chosen <= set(all_signals):
            raise ValidationError({"signals": [_("Choose signals of this case.")]})
        if chosen == set(all_signals):
            raise ValidationError({"signals": [_("Leave at least one signal on this case.")]})
        now = timezone.now()
        old = case.person
        person = Person.objects.create(
            gender=old.gender, age_band=old.age_band, is_minor=old.is_minor,
            nationality_group=old.nationality_group, is_synthetic=old.is_synthetic,
        )  # fmt: skip
        new = case_open(
            actor=actor, person=person, municipality=case.municipality,
            forms=list(case.forms.all()), at=now, synthetic=case.is_synthetic,
        )  # fmt: skip
        hooks.signals_move(sorted(chosen), new)
        event_add(
            case=case, kind=CaseEvent.Kind.STATUS_CHANGED, actor=actor, at=now,
            split_into=new.number, signals=sorted(chosen),
        )  # fmt: skip
        event_add(
            case=new, kind=CaseEvent.Kind.LINKED, actor=actor, at=now,
            split_from=case.number, signals=sorted(chosen),
        )  # fmt: skip
        audit.record(
            actor,
            "case.split",
            object_type="case",
            object_id=case.number,
            fields=["signals"],
            purpose=policy.purpose_of(actor),
            legal_basis=policy.legal_basis(actor, set(policy.grants(actor))),
            detail={"cases": [case.number, new.number], "signals": sorted(chosen)},
        )
    return new
