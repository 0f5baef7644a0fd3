"""Recording a signal: validation, linking to a known person, the case, triage advice, audit.

A signal is a one-way door: the signaller gets the advice and a receipt, the same whether or not
the person was known. Only those who reach the case (coordinator, registrar) see the link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases import crypto
from samen.cases import services as case_services
from samen.cases.models import (
    AgeBand,
    Case,
    CaseEvent,
    CaseStatus,
    ExploitationForm,
    Gender,
    Person,
)
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.countries import nationality_code
from samen.organisations.models import Municipality
from samen.signalling import hooks, triage
from samen.signalling.models import Indicator, Signal, SignalList

EARLIEST_OBSERVATION = date(2000, 1, 1)
MAX_NOTES = 5000


@dataclass
class PersonInput:
    gender: str = Gender.UNKNOWN
    age_band: str = AgeBand.UNKNOWN
    name: str = ""
    date_of_birth: date | None = None
    nationality: str = ""
    contact: str = ""


@dataclass
class SignalInput:
    signal_list: str  # code of a current signal list
    indicators: list[str]  # indicator codes of that list
    observed_on: date
    municipality: str  # CBS code, e.g. GM0363
    setting: str = ""
    notes: str = ""
    forms: list[str] = field(default_factory=list)  # suspected forms of exploitation (codes)
    person: PersonInput = field(default_factory=PersonInput)


RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def receipt_new() -> str:
    """A random reference for the signaller, e.g. S-7K3MQ-9XDA2: it names the signal, not the
    case, and says nothing about whether the person was known."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"S-{code[:5]}-{code[5:]}"


@dataclass(frozen=True)
class SignalOutcome:
    """What recording a signal did. `case` and `linked` are for the chain (coordinator,
    registrar, the audit trail); what a signaller is shown comes from `receipt` and `triage`
    alone (see signalling.selectors.receipt_of)."""

    signal: Signal
    case: Case
    linked: bool
    triage: triage.TriageResult

    @property
    def receipt(self) -> str:
        return str(self.signal.receipt)


@dataclass(frozen=True)
class _Resolved:
    signal_list: SignalList
    indicators: list[Indicator]
    municipality: Municipality
    forms: list[ExploitationForm]


def _resolve(data: SignalInput, today: date) -> _Resolved:
    """Check every field against the reference data; collect all errors before raising."""
    errors: dict[str, list[str]] = {}
    signal_list = SignalList.objects.filter(code=data.signal_list, is_current=True).first()
    if signal_list is None:
        errors["signal_list"] = [_("Choose one of the available signal lists.")]
    indicators: list[Indicator] = []
    if signal_list is not None:
        wanted = list(dict.fromkeys(data.indicators))
        indicators = list(signal_list.indicators.filter(code__in=wanted))
        unknown = sorted(set(wanted) - {i.code for i in indicators})
        if unknown:
            errors["indicators"] = [
                _("These indicators are not on the chosen signal list: %(codes)s")
                % {"codes": ", ".join(unknown[:10])}
            ]
        elif not indicators:
            errors["indicators"] = [_("Tick at least one indicator.")]
    municipality = Municipality.objects.filter(code=data.municipality).first()
    if municipality is None:
        errors["municipality"] = [_("Choose a municipality from the list.")]
    if data.observed_on > today:
        errors["observed_on"] = [_("The date cannot be in the future.")]
    elif data.observed_on < EARLIEST_OBSERVATION:
        errors["observed_on"] = [_("The date is too far in the past.")]
    forms = list(ExploitationForm.objects.filter(code__in=data.forms))
    if len(forms) != len(set(data.forms)):
        errors["forms"] = [_("Choose forms of exploitation from the list.")]
    p = data.person
    if p.gender not in Gender.values:
        errors["gender"] = [_("Choose a valid gender.")]
    if p.age_band not in AgeBand.values:
        errors["age_band"] = [_("Choose a valid age group.")]
    if p.date_of_birth and (p.date_of_birth > today or p.date_of_birth.year < 1900):
        errors["date_of_birth"] = [_("Enter a real date of birth.")]
    if len(data.notes) > MAX_NOTES:
        errors["notes"] = [_("Keep the notes under %(n)d characters.") % {"n": MAX_NOTES}]
    if errors:
        raise ValidationError(errors)
    return _Resolved(signal_list, indicators, municipality, forms)


def signal_record(
    *, actor: Actor, data: SignalInput, synthetic: bool = False, at: datetime | None = None
) -> SignalOutcome:
    """Record a signal, join it to the person's open case or open one, and give triage advice.

    One transaction: on any error nothing is saved. `at` backdates the recording; only the
    demo-data builder and imports use it.
    """
    policy.require(actor, "signal.create", object_type="signal")
    now = at or timezone.now()
    # One nationality, one spelling: "Roemenië", "Romania" and "RO" give one match key, so one
    # person is one case whichever way it was typed (the form offers the list of countries).
    nationality = nationality_code(data.person.nationality)
    data = replace(data, person=replace(data.person, nationality=nationality))
    resolved = _resolve(data, timezone.localdate(now))
    p = data.person
    age_band, is_minor, estimated = case_services.person_facts(
        age_band=p.age_band, date_of_birth=p.date_of_birth, on=data.observed_on
    )
    result = triage.advise(
        [
            triage.TickedIndicator(i.code, i.severity, i.acute, i.concerns_minor)
            for i in resolved.indicators
        ],
        person_is_minor=is_minor,
    )
    key = crypto.match_key(name=p.name, date_of_birth=p.date_of_birth, nationality=p.nationality)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _store(
                    actor=actor,
                    data=data,
                    resolved=resolved,
                    result=result,
                    key=key,
                    now=now,
                    synthetic=synthetic,
                    age_band=age_band,
                    is_minor=is_minor,
                    estimated=estimated,
                )
        except IntegrityError:
            # Two signals about the same new person (or the first case of a year) at the same
            # moment: the loser retries once and then finds the winner's person and case.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _store(
    *,
    actor: Actor,
    data: SignalInput,
    resolved: _Resolved,
    result: triage.TriageResult,
    key: str | None,
    now: datetime,
    synthetic: bool,
    age_band: str,
    is_minor: bool,
    estimated: bool,
) -> SignalOutcome:
    p = data.person
    payload = case_services.identity_payload(
        name=p.name, date_of_birth=p.date_of_birth, nationality=p.nationality, contact=p.contact
    )
    # Constant work: a known and an unknown person take the same statements (a person row
    # written, the identity read and written, the year's number counter locked, the case's forms
    # written), so the response time tells a signaller nothing (benchmarks/signal_oneway.py).
    case = (
        Case.objects.filter(person__match_key=key)
        .select_related("municipality")
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-opened_at")
        .first()
        if key
        else None
    )
    person = Person.objects.select_for_update().filter(match_key=key).first() if key else None
    linked = case is not None
    if person is None:
        person = Person.objects.create(
            match_key=key,
            gender=p.gender,
            age_band=age_band,
            is_minor=is_minor or bool(result.facts["minor"]),
            age_is_estimate=estimated,
            nationality_group=case_services.nationality_group(p.nationality),
            is_synthetic=synthetic,
        )
    else:
        person.is_minor = person.is_minor or bool(result.facts["minor"])
        person.save(update_fields=["is_minor"])
    # Details given now that the identity did not hold are kept, never dropped; for a new
    # person every detail is new, so only a linked signal reports them.
    added = case_services.identity_merge(person=person, payload=payload) if payload else {}
    new_identity = added if linked else {}
    if case is None:
        case = case_services.case_open(
            actor=actor,
            person=person,
            municipality=resolved.municipality,
            forms=resolved.forms,
            at=now,
            synthetic=synthetic,
        )
    else:
        case_services.case_link(
            actor=actor, case=case, forms=resolved.forms, at=now, identity_new=sorted(new_identity)
        )
    signal = Signal.objects.create(
        case=case,
        signal_list=resolved.signal_list,
        recorded_by=actor.user,
        organisation=actor.organisation,
        municipality=resolved.municipality,
        region_id=resolved.municipality.region_id,
        observed_on=data.observed_on,
        setting=data.setting.strip(),
        notes_ciphertext=(
            crypto.encrypt_json({"notes": data.notes}, context=f"signal:{case.number}")
            if data.notes.strip()
            else None
        ),
        advice=result.advice,
        advice_reasons=[r.rule for r in result.reasons],
        linked_to_existing=linked,
        receipt=receipt_new(),
        identity_ciphertext=(
            crypto.encrypt_json(new_identity, context=f"signal-identity:{case.number}")
            if new_identity
            else None
        ),
        identity_new=sorted(new_identity),
        created_at=now,
        is_synthetic=synthetic,
    )
    signal.indicators.set(resolved.indicators)
    case_services.event_add(
        case=case,
        kind=CaseEvent.Kind.SIGNAL_ADDED,
        actor=actor,
        at=now,
        signal=signal.pk,
        signal_list=resolved.signal_list.code,
        advice=result.advice,
    )
    fields = ["indicators", "observed_on", "municipality", "setting", "gender", "age_band"]
    fields += [
        f"identity.{k}"
        for k in ("name", "date_of_birth", "nationality", "contact")
        if getattr(p, k)
    ]
    if data.notes.strip():
        fields.append("notes")
    audit.record(
        actor,
        "signal.create",
        object_type="signal",
        object_id=str(signal.pk),
        fields=fields,
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, set(policy.grants(actor))),
        detail={
            "case": case.number,
            "linked": linked,
            "case_created": not linked,
            "identity_new": sorted(new_identity),
        },
    )
    if is_minor or result.facts["minor"]:
        # The signal says minor: the guardian is attached at the first signal and told of every
        # one, in the same statements whether or not the minor was known (constant work, ADR
        # 0008 and 0016). Decided by what the signal says, not by what the chain holds: a known
        # person flagged minor before and described as an adult now must cost what an unknown
        # adult costs (their guardian was attached when the case became a minor's).
        hooks.minor_signalled(case=case, at=now)
    return SignalOutcome(signal=signal, case=case, linked=linked, triage=result)


def signal_new_identity(signal: Signal) -> dict[str, str]:
    """Decrypt the identity details a linked signal added; selectors call this only for readers
    who may see the case's identity."""
    if not signal.identity_ciphertext:
        return {}
    return crypto.decrypt_json(
        signal.identity_ciphertext, context=f"signal-identity:{signal.case.number}"
    )


def signal_notes(signal: Signal) -> str:
    """Decrypt a signal's notes; selectors call this only where the policy allows it."""
    if not signal.notes_ciphertext:
        return ""
    return crypto.decrypt_json(signal.notes_ciphertext, context=f"signal:{signal.case.number}")[
        "notes"
    ]
