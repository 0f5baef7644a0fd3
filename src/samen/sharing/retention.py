"""Retention per person and per data category.

A person's data in a category is treated once the register's period for that category has
passed since the day the person's *last* case closed; nothing of a person is touched while any of
their cases is open. The period of a category is the longest any rule of the register keeps it:
data is kept while at least one lawful purpose still needs it. What happens to each category
(which model fields are deleted, cleared or redacted) is data: data/retention.json.

The audit trail is kept (it holds no personal data); every run that changes something writes its
own entry per category, with counts and case numbers only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count, Max, Q

from samen.cases import crypto
from samen.cases.models import Case, CaseEvent, CaseStatus, Identity, Person
from samen.cases.services import event_add
from samen.i18n import pick
from samen.sharing import audit
from samen.sharing.actor import Actor
from samen.sharing.models import ProcessingRule

TREATMENTS_FILE = Path(__file__).parent / "data" / "retention.json"
LEGAL_BASIS = "AVG art. 5 lid 1 sub e (opslagbeperking); art. 17"


@dataclass(frozen=True)
class Target:
    """One place where a category's data lives, and what retention does to it."""

    model: str  # "app_label.Model"
    person: str  # lookup from the model to the person ("pk" for Person itself)
    where: dict[str, Any] = field(default_factory=dict)
    delete: bool = False
    clear: dict[str, Any] = field(default_factory=dict)
    json_field: str = ""
    json_keys: tuple[str, ...] = ()
    encrypted_keys: tuple[str, ...] = ()
    m2m: str = ""

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def fields(self) -> list[str]:
        """The model fields this target touches, for the register and the tests."""
        if self.delete:
            return ["*"]
        if self.clear:
            return sorted(self.clear)
        if self.json_field:
            return [f"{self.json_field}.{k}" for k in self.json_keys]
        if self.encrypted_keys:
            return [f"ciphertext.{k}" for k in self.encrypted_keys]
        return [self.m2m]


@dataclass(frozen=True)
class Treatment:
    category: str
    kind: str  # "delete" or "redact"
    description_nl: str
    description_en: str
    targets: tuple[Target, ...]

    @property
    def description(self) -> str:
        return pick(self.description_nl, self.description_en)


@cache
def treatments() -> dict[str, Treatment]:
    data = json.loads(TREATMENTS_FILE.read_text(encoding="utf-8"))
    result = {}
    for code, spec in data["categories"].items():
        targets = []
        for t in spec["targets"]:
            keys = t.get("json_keys", {})
            targets.append(
                Target(
                    model=t["model"],
                    person=t["person"],
                    where=t.get("where", {}),
                    delete=bool(t.get("delete")),
                    clear=t.get("clear", {}),
                    json_field=keys.get("field", ""),
                    json_keys=tuple(keys.get("keys", ())),
                    encrypted_keys=tuple(t.get("encrypted_keys", ())),
                    m2m=t.get("m2m", ""),
                )
            )
        result[code] = Treatment(code, spec["treatment"], spec["nl"], spec["en"], tuple(targets))
    return result


def periods() -> dict[str, int]:
    rows = ProcessingRule.objects.values("category__code").annotate(days=Max("retention_days"))
    return {r["category__code"]: r["days"] for r in rows}


def _open_q() -> Q:
    # A case without a closing date counts as open, whatever its status says.
    return ~Q(cases__status=CaseStatus.CLOSED) | Q(cases__closed_at__isnull=True)


def persons_closed_before(cutoff: datetime) -> models.QuerySet[Person]:
    """Persons whose every case is closed, the last one before the cutoff."""
    return (
        Person.objects.annotate(
            open_cases=Count("cases", filter=_open_q()),
            case_count=Count("cases"),
            last_closed=Max("cases__closed_at"),
        )
        .filter(case_count__gt=0, open_cases=0, last_closed__lt=cutoff)
        .order_by()
    )


def _rows(target: Target, person_ids: list[int]) -> models.QuerySet:
    lookup = "pk__in" if target.person == "pk" else f"{target.person}__in"
    return target.model_class.objects.filter(**{lookup: person_ids}, **target.where)


def _holding(target: Target, person_ids: list[int]) -> models.QuerySet:
    """The rows of these persons that still hold data of this target."""
    qs = _rows(target, person_ids)
    if target.clear:
        return qs.exclude(Q(**target.clear))
    if target.json_field:
        return qs.filter(**{f"{target.json_field}__has_any_keys": list(target.json_keys)})
    return qs


def _count(target: Target, person_ids: list[int]) -> int:
    if target.m2m:
        through = getattr(target.model_class, target.m2m).through
        owner = target.model_class._meta.model_name
        lookup = f"{owner}__pk__in"
        return through.objects.filter(**{lookup: _rows(target, person_ids).values("pk")}).count()
    if target.encrypted_keys:
        rows = _holding(target, person_ids).select_related("person")
        return sum(1 for i in rows if _identity_keys(i, target))
    return _holding(target, person_ids).count()


def _identity_keys(identity: Identity, target: Target) -> set[str]:
    data = crypto.decrypt_json(identity.ciphertext, context=str(identity.person.ref))
    return set(data) & set(target.encrypted_keys)


def _apply_target(target: Target, person_ids: list[int]) -> int:
    if target.m2m:
        n = _count(target, person_ids)
        for obj in _rows(target, person_ids):
            getattr(obj, target.m2m).clear()
        return n
    if target.delete:
        n = _holding(target, person_ids).count()
        _holding(target, person_ids).delete()
        return n
    if target.clear:
        return _holding(target, person_ids).update(**target.clear)
    if target.json_field:
        n = 0
        for obj in _holding(target, person_ids):
            data = dict(getattr(obj, target.json_field))
            for key in target.json_keys:
                data.pop(key, None)
            setattr(obj, target.json_field, data)
            obj.save(update_fields=[target.json_field])
            n += 1
        return n
    if target.encrypted_keys:
        return _redact_identities(target, person_ids)
    raise ValueError(f"target of {target.model} has no treatment")  # a typo in the data file


def _redact_identities(target: Target, person_ids: list[int]) -> int:
    n = 0
    for identity in _holding(target, person_ids).select_related("person"):
        context = str(identity.person.ref)
        data = crypto.decrypt_json(identity.ciphertext, context=context)
        if not set(data) & set(target.encrypted_keys):
            continue
        rest = {k: v for k, v in data.items() if k not in target.encrypted_keys}
        if rest:
            identity.ciphertext = crypto.encrypt_json(rest, context=context)
            identity.save(update_fields=["ciphertext", "updated_at"])
        else:
            identity.delete()
        n += 1
    return n


@dataclass
class RetentionStep:
    category: str
    period_days: int
    treatment: str
    person_ids: list[int] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    records: int = 0


def plan(*, now: datetime) -> list[RetentionStep]:
    """What is due, per category: the persons and cases that still hold data of it, and how many
    records would change. Counts only; nothing is changed."""
    steps = []
    days_by_category = periods()
    for category, treatment in treatments().items():
        days = days_by_category.get(category)
        if days is None:  # the register keeps nothing of this category
            continue
        candidates = list(
            persons_closed_before(now - timedelta(days=days)).values_list("pk", flat=True)
        )
        records = sum(_count(t, candidates) for t in treatment.targets) if candidates else 0
        holding = sorted(_persons_holding(treatment, candidates)) if records else []
        numbers = sorted(
            Case.objects.filter(person_id__in=holding).values_list("number", flat=True)
        )
        steps.append(
            RetentionStep(category, days, treatment.description, holding, numbers, records)
        )
    return steps


def _persons_holding(treatment: Treatment, person_ids: list[int]) -> set[int]:
    """Which of these persons still have data of the treatment's category."""
    holding: set[int] = set()
    for target in treatment.targets:
        if target.encrypted_keys:
            rows = _holding(target, person_ids).select_related("person")
            holding |= {i.person_id for i in rows if _identity_keys(i, target)}
            continue
        if target.m2m:
            through = getattr(target.model_class, target.m2m).through
            owner = target.model_class._meta.model_name
            rows = through.objects.filter(
                **{f"{owner}__pk__in": _rows(target, person_ids).values("pk")}
            )
            holding |= set(rows.values_list(f"{owner}__{target.person}", flat=True))
            continue
        holding |= set(_holding(target, person_ids).values_list(target.person, flat=True))
    return holding


def apply(*, steps: list[RetentionStep], actor: Actor, now: datetime) -> dict[str, int]:
    """Carry out a plan; one transaction, one audit entry and one timeline event per case and
    category. Returns the number of records treated per category."""
    done: dict[str, int] = {}
    for step in steps:
        if not step.person_ids:
            continue
        treatment = treatments()[step.category]
        with transaction.atomic():
            # Re-check inside the transaction: a case may have been reopened since the plan.
            due = list(
                persons_closed_before(now - timedelta(days=step.period_days))
                .filter(pk__in=step.person_ids)
                .values_list("pk", flat=True)
            )
            records = sum(_apply_target(t, due) for t in treatment.targets)
            cases = list(Case.objects.filter(person_id__in=due))
            for case in cases:
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
                legal_basis=LEGAL_BASIS,
                detail={
                    "cases": sorted(c.number for c in cases),
                    "persons": len(due),
                    "records": records,
                    "period_days": step.period_days,
                },
            )
        done[step.category] = records
    return done


@dataclass(frozen=True)
class PersonRetention:
    category: str
    period_days: int
    ends_on: datetime | None  # None while a case of the person is open
    treatment: Treatment | None


def person_retention(*, person: Person) -> list[PersonRetention]:
    """For the subject-access report: per category, how long and until when it is kept."""
    days_by_category = periods()
    cases = list(person.cases.values_list("status", "closed_at"))
    still_open = any(s != CaseStatus.CLOSED or c is None for s, c in cases)
    last_closed = max((c for _s, c in cases if c), default=None)
    rows = []
    for category, days in sorted(days_by_category.items()):
        ends = None if still_open or last_closed is None else last_closed + timedelta(days=days)
        rows.append(PersonRetention(category, days, ends, treatments().get(category)))
    return rows
