"""Retention: remove or pseudonymise personal data of closed cases once the register's period
for its category has passed. The period of a category is the longest any lawful purpose in the
register keeps it: data is kept while at least one purpose still needs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max

from samen.cases import crypto
from samen.cases.models import Case, CaseEvent, CaseNote, Identity
from samen.cases.services import event_add, identity_read
from samen.sharing import audit
from samen.sharing.actor import Actor
from samen.sharing.models import ProcessingRule
from samen.signalling.models import Signal

# What happens to each category; categories not listed are pseudonymous case facts that stay.
TREATMENT = {
    "identity": "delete identity and the match key (the case becomes fully pseudonymous)",
    "contact": "remove contact details from the identity",
    "free_text": "delete signal notes and care and shelter notes",
    "criminal": "delete investigation notes",
}


@dataclass
class RetentionStep:
    category: str
    period_days: int
    treatment: str
    case_numbers: list[str] = field(default_factory=list)


def periods() -> dict[str, int]:
    rows = ProcessingRule.objects.values("category__code").annotate(days=Max("retention_days"))
    return {r["category__code"]: r["days"] for r in rows}


def _closed_before(cutoff: datetime):
    return Case.objects.filter(status="closed", closed_at__lt=cutoff)


def plan(*, now: datetime) -> list[RetentionStep]:
    steps = []
    days_by_category = periods()
    for category, treatment in TREATMENT.items():
        days = days_by_category.get(category)
        if days is None:
            continue
        closed = _closed_before(now - timedelta(days=days))
        if category == "identity" or category == "contact":
            closed = closed.filter(person__identity__isnull=False)
        elif category == "free_text":
            closed = closed.filter(
                pk__in=Signal.objects.filter(notes_ciphertext__isnull=False).values("case_id")
            ) | closed.filter(notes__kind__in=["care", "shelter"])
        elif category == "criminal":
            closed = closed.filter(notes__kind="investigation")
        numbers = sorted(set(closed.values_list("number", flat=True)))
        if category == "contact":
            numbers = [n for n in numbers if _has_contact(n)]
        steps.append(RetentionStep(category, days, treatment, numbers))
    return steps


def _has_contact(number: str) -> bool:
    case = Case.objects.select_related("person").get(number=number)
    return "contact" in identity_read(case.person)


def apply(*, steps: list[RetentionStep], actor: Actor, now: datetime) -> dict[str, int]:
    """Carry out a plan; one transaction and one audit entry per category."""
    done: dict[str, int] = {}
    for step in steps:
        if not step.case_numbers:
            continue
        with transaction.atomic():
            cases = list(Case.objects.filter(number__in=step.case_numbers).select_related("person"))
            for case in cases:
                _apply_one(step.category, case)
                event_add(
                    case=case, kind=CaseEvent.Kind.RETENTION, actor=None, at=now,
                    category=step.category,
                )  # fmt: skip
            audit.record(
                actor,
                "case.retention",
                object_type="case",
                object_id="*",
                fields=[step.category],
                purpose="retention",
                legal_basis="AVG art. 5 lid 1 sub e (opslagbeperking)",
                detail={"cases": step.case_numbers, "period_days": step.period_days},
            )
        done[step.category] = len(cases)
    return done


def _apply_one(category: str, case: Case) -> None:
    person = case.person
    if category in ("identity", "contact"):
        # Identity details a linked signal added and the identity did not take over (#12).
        Signal.objects.filter(case=case).update(identity_ciphertext=None, identity_new=[])
    if category == "identity":
        Identity.objects.filter(person=person).delete()
        if person.match_key:
            person.match_key = None
            person.save(update_fields=["match_key"])
    elif category == "contact":
        identity = Identity.objects.filter(person=person).first()
        if identity:
            data = crypto.decrypt_json(identity.ciphertext, context=str(person.ref))
            data.pop("contact", None)
            identity.ciphertext = crypto.encrypt_json(data, context=str(person.ref))
            identity.save(update_fields=["ciphertext", "updated_at"])
    elif category == "free_text":
        Signal.objects.filter(case=case).update(notes_ciphertext=None)
        CaseNote.objects.filter(case=case, kind__in=["care", "shelter"]).delete()
    elif category == "criminal":
        CaseNote.objects.filter(case=case, kind="investigation").delete()
