"""Retention per person and per data category.

A person's data in a category is treated once the register's period for that category has
passed since the day the person's *last* case closed; nothing of a person is touched while any of
their cases is open. The period of a category is the longest any rule of the register keeps it:
data is kept while at least one lawful purpose still needs it. What happens to each category
(which model fields are deleted, cleared or redacted) is data: data/retention.json.

Once every category's period has passed, the skeleton goes too: the person, their cases and
everything attached to them, so nothing links to the person any more (ADR 0012). It
waits while the statistics may still release a period that counts the person; published periods
are archived with their counts (statistics.Publication), so they do not need the records.

Online data (scraped ads, scan results) is about no known person: it is deleted a fixed period
after it was collected. A lead sent into the chain is a signal and follows the case rules.

The audit trail is kept (it holds no personal data); every run that changes something writes its
own entry per category, with counts and case numbers only.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from samen.cases import crypto
from samen.cases.models import Case, CaseEvent, CaseStatus, Identity, Person
from samen.cases.services import event_add
from samen.core import audit
from samen.core.actor import Actor
from samen.core.models import ProcessingRule
from samen.i18n import pick
from samen.identification.models import IdentificationPath
from samen.shelter.models import Placement
from samen.signalling.models import Signal
from samen.statistics.periods import release_periods

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
    clock: str = ""  # online data: the field that says when it was collected
    # A row that names another by id, not by foreign key: (its id field, the other model);
    # `person` is then the lookup from that other model to the person.
    by_id: tuple[str, str] = ("", "")

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


SKELETON = "skeleton"


@dataclass(frozen=True)
class Skeleton:
    """What goes once every category's period has passed: rows deleted in this order (the rest
    cascades from them)."""

    description_nl: str
    description_en: str
    targets: tuple[Target, ...]

    @property
    def description(self) -> str:
        return pick(self.description_nl, self.description_en)


@dataclass(frozen=True)
class OnlineTreatment:
    """Scraped online data: deleted `period_days` after it was collected, files and rows alike."""

    category: str
    period_days: int
    description_nl: str
    description_en: str
    files_setting: str  # the setting naming the directory Samen keeps scraped data in
    targets: tuple[Target, ...]

    @property
    def description(self) -> str:
        return pick(self.description_nl, self.description_en)

    @property
    def directory(self) -> Path:
        return Path(getattr(settings, self.files_setting))


def _target(t: dict[str, Any]) -> Target:
    keys = t.get("json_keys", {})
    return Target(
        model=t["model"],
        person=t.get("person", ""),
        where=t.get("where", {}),
        delete=bool(t.get("delete")),
        clear=t.get("clear", {}),
        json_field=keys.get("field", ""),
        json_keys=tuple(keys.get("keys", ())),
        encrypted_keys=tuple(t.get("encrypted_keys", ())),
        m2m=t.get("m2m", ""),
        clock=t.get("clock", ""),
        by_id=(t["by_id"]["field"], t["by_id"]["model"]) if "by_id" in t else ("", ""),
    )


@cache
def _data() -> dict[str, Any]:
    return json.loads(TREATMENTS_FILE.read_text(encoding="utf-8"))


@cache
def treatments() -> dict[str, Treatment]:
    result = {}
    for code, spec in _data()["categories"].items():
        targets = tuple(_target(t) for t in spec["targets"])
        result[code] = Treatment(code, spec["treatment"], spec["nl"], spec["en"], targets)
    return result


@cache
def skeleton() -> Skeleton:
    spec = _data()["skeleton"]
    return Skeleton(spec["nl"], spec["en"], tuple(_target(t) for t in spec["delete"]))


@cache
def online() -> OnlineTreatment:
    spec = _data()["online"]
    return OnlineTreatment(
        spec["category"], int(spec["period_days"]), spec["nl"], spec["en"], spec["files"],
        tuple(_target(t) for t in spec["targets"]),
    )  # fmt: skip


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
    id_field, id_model = target.by_id
    if id_field:
        named = apps.get_model(id_model).objects.filter(**{lookup: person_ids}).values("pk")
        return target.model_class.objects.filter(**{f"{id_field}__in": named}, **target.where)
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
    category: str  # a data category, SKELETON, or the online category
    period_days: int
    treatment: str
    person_ids: list[int] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    records: int = 0
    waiting: int = 0  # skeleton: persons past every period still counted by the statistics

    @property
    def due(self) -> bool:
        return bool(self.person_ids or (self.category == online().category and self.records))


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
    if days_by_category:
        steps.append(_skeleton_step(now=now, days=max(days_by_category.values())))
    steps.append(_online_step(now=now))
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


# -- the skeleton ---------------------------------------------------------------------------


def _counted_in_statistics(person_ids: list[int], *, now: datetime) -> set[int]:
    """The persons a period the statistics may still release counts (by the dates the
    statistics count on: signals, identification paths, placements). Periods already released
    are archived with their counts, so only these need the records."""

    # The day in Amsterdam, as the statistics count it (the UTC date is a day behind from
    # midnight to 01:00 or 02:00, and a year behind on New Year's night).
    releasable = release_periods(timezone.localdate(now))
    if not person_ids or not releasable:
        return set()
    since = min(p.period.bounds()[0] for p in releasable)
    counted = (
        (Signal, "created_at", "case__person"),
        (IdentificationPath, "started_at", "case__person"),
        (Placement, "started_at", "referral__case__person"),
    )
    held: set[int] = set()
    for model, clock, person in counted:
        rows = model.objects.filter(**{f"{person}__in": person_ids, f"{clock}__gte": since})
        held |= set(rows.values_list(person, flat=True).distinct())
    return held


def _skeleton_due(
    *, now: datetime, days: int, among: list[int] | None = None
) -> tuple[list[int], set[int]]:
    """The persons whose skeleton goes now, and those past every period that must wait."""
    persons = persons_closed_before(now - timedelta(days=days))
    if among is not None:
        persons = persons.filter(pk__in=among)
    candidates = list(persons.values_list("pk", flat=True))
    waiting = _counted_in_statistics(candidates, now=now)
    return sorted(set(candidates) - waiting), waiting


def _skeleton_step(*, now: datetime, days: int) -> RetentionStep:
    due, waiting = _skeleton_due(now=now, days=days)
    numbers = sorted(Case.objects.filter(person_id__in=due).values_list("number", flat=True))
    records = sum(_rows(t, due).count() for t in skeleton().targets) if due else 0
    return RetentionStep(
        SKELETON, days, skeleton().description, due, numbers, records, waiting=len(waiting)
    )


def _apply_skeleton(step: RetentionStep, *, actor: Actor, now: datetime) -> int:
    with transaction.atomic():
        # Lock the cases (PostgreSQL) so nobody reopens or links to them while they go, then
        # re-check: a case may have been reopened since the plan.
        list(
            Case.objects.select_for_update()
            .filter(person_id__in=step.person_ids)
            .values_list("pk", flat=True)
        )
        due, _waiting = _skeleton_due(now=now, days=step.period_days, among=step.person_ids)
        if not due:
            return 0
        numbers = sorted(Case.objects.filter(person_id__in=due).values_list("number", flat=True))
        records = 0
        for target in skeleton().targets:
            deleted, _per_model = _rows(target, due).delete()
            records += deleted
        audit.record(
            actor,
            "case.retention",
            object_type="case",
            object_id="*",
            fields=[SKELETON],
            purpose="retention",
            legal_basis=LEGAL_BASIS,
            detail={
                "cases": numbers,
                "persons": len(due),
                "records": records,
                "period_days": step.period_days,
            },
        )
    return records


# -- online data ----------------------------------------------------------------------------


def _newest_write(path: Path) -> float:
    """When an entry of the online directory was last written (a directory: its newest file)."""
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_mtime
    times = [path.lstat().st_mtime]
    times += [p.lstat().st_mtime for p in path.rglob("*")]
    return max(times)


def _online_files(cutoff: datetime) -> list[Path]:
    directory = online().directory
    if not directory.is_dir():
        return []
    limit = cutoff.timestamp()
    return sorted(p for p in directory.iterdir() if _newest_write(p) < limit)


def _online_rows(target: Target, cutoff: datetime) -> models.QuerySet:
    return target.model_class.objects.filter(**{f"{target.clock}__lt": cutoff}, **target.where)


def _online_step(*, now: datetime) -> RetentionStep:
    spec = online()
    cutoff = now - timedelta(days=spec.period_days)
    records = len(_online_files(cutoff))
    records += sum(_online_rows(t, cutoff).count() for t in spec.targets)
    return RetentionStep(spec.category, spec.period_days, spec.description, records=records)


def _delete_files(paths: list[Path]) -> tuple[int, int]:
    """Delete these entries of the online directory; (deleted, failed). One that cannot be
    deleted now (permissions, a file in use) stays for the next run instead of stopping it."""
    deleted = failed = 0
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            deleted += 1
        except OSError:
            failed += 1
    return deleted, failed


def _apply_online(step: RetentionStep, *, actor: Actor, now: datetime) -> int:
    spec = online()
    cutoff = now - timedelta(days=spec.period_days)
    with transaction.atomic():
        records = 0
        for target in spec.targets:
            rows = _online_rows(target, cutoff)
            if target.delete:
                records += rows.delete()[0]
            else:
                records += rows.exclude(Q(**target.clear)).update(**target.clear)
        # Files cannot roll back: delete them first and audit what was actually deleted.
        files, failed = _delete_files(_online_files(cutoff))
        audit.record(
            actor,
            "online.retention",
            object_type="online",
            object_id="*",
            fields=[spec.category],
            purpose="retention",
            legal_basis=LEGAL_BASIS,
            detail={
                "records": records,
                "files": files,
                "files_failed": failed,
                "period_days": spec.period_days,
            },
        )
    return records + files


def apply(*, steps: list[RetentionStep], actor: Actor, now: datetime) -> dict[str, int]:
    """Carry out a plan; one transaction, one audit entry and one timeline event per case and
    category. Returns the number of records treated per category."""
    done: dict[str, int] = {}
    for step in steps:
        if not step.due:
            continue
        if step.category == SKELETON:
            if records := _apply_skeleton(step, actor=actor, now=now):
                done[step.category] = records
            continue
        if step.category == online().category:
            if records := _apply_online(step, actor=actor, now=now):
                done[step.category] = records
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
    treatment: Treatment | Skeleton | None


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
    if days_by_category:  # then the cases themselves, once every period has passed
        days = max(days_by_category.values())
        ends = None if still_open or last_closed is None else last_closed + timedelta(days=days)
        rows.append(PersonRetention(SKELETON, days, ends, skeleton()))
    return rows
