"""Deadlines of the identification path and of its deadline sources (shelter holds), in
buckets by how soon they fall due, for an organisation's work queue."""

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from samen.cases.models import Case
from samen.core import audited, policy
from samen.core.actor import Actor
from samen.core.policy import CaseAccess
from samen.identification import hooks
from samen.identification import machine as engine
from samen.identification.models import (
    Deadline,
)
from samen.identification.services import (
    is_minor,
)

BUCKETS = ("overdue", "due_0", "due_7", "due_14", "later")


def bucket_of(due_on: date, today: date) -> str:
    """overdue; due today (0); within 7 days; within 14 days; later."""
    days = (due_on - today).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "due_0"
    if days <= 7:
        return "due_7"
    if days <= 14:
        return "due_14"
    return "later"


HOLD_EXPIRY = "hold_expiry"


def _deadline_shown(access: CaseAccess | None, row: dict[str, Any]) -> dict | None:
    """A deadline row as the reader's relation to its case allows: listed only when the
    deadline's category is granted there (a B8/3 decision is immigration data, a held shelter
    place location data), and whether the person is a minor only with their demographics."""
    if access is None or not access.shows_deadline(str(row["kind"])):
        return None
    if not access.shows("minor"):
        row.pop("minor", None)
        row.pop("minor_estimated", None)
    return row


def deadlines_of_organisation(
    *, actor: Actor, today: date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Open deadlines the actor's organisation owns or coordinates (it is the case's responsible
    organisation), in reach of the policy, bucketed: overdue, due today, within 7, within 14."""
    policy.require(actor, "identification.read", object_type="deadline", object_id="*")
    org = actor.organisation
    assert org is not None
    today = today or engine.local_date(timezone.now())
    rows = (
        Deadline.objects.filter(closed_at__isnull=True)
        .filter(
            Q(organisation=org)
            | Q(path__case__responsible_organisation=org)
            | Q(path__guardian_organisation=org)  # a minor's deadlines are the guardian's too
        )
        .filter(path__case__in=Case.objects.filter(policy.case_filter(actor)))
        .select_related("path__case__person", "organisation")
        .order_by("due_on", "id")
    )
    result: dict[str, list[dict[str, Any]]] = {b: [] for b in BUCKETS}
    for d in rows:
        result[bucket_of(d.due_on, today)].append(
            {
                "case_id": d.path.case_id,
                "case": d.path.case.number,
                "kind": d.kind,
                "kind_display": d.kind_display,
                "due_on": d.due_on,
                "days_left": (d.due_on - today).days,
                "organisation": d.organisation.name,
                "minor": is_minor(d.path),
                "minor_estimated": is_minor(d.path)
                and (d.path.case.person.age_is_estimate or d.path.presumed_minor),
            }
        )
    for source in hooks.deadline_sources(actor=actor, today=today):
        for row in source:
            result[bucket_of(row["due_on"], today)].append(row)
    access = policy.case_access(
        actor, list({row["case_id"] for rows_ in result.values() for row in rows_})
    )
    for bucket, rows_ in result.items():
        result[bucket] = [_deadline_shown(access.get(row.pop("case_id")), row) for row in rows_]
        result[bucket] = [row for row in result[bucket] if row is not None]
    for rows_ in result.values():
        rows_.sort(key=lambda r: (r["due_on"], r["due_at"].timestamp() if "due_at" in r else 0))
    shown = sorted({row["case"] for rows_ in result.values() for row in rows_})
    audited.record(
        actor,
        "identification_deadline.list",
        object_type="case",
        object_id="*",
        fields=["identification.deadlines"],
        detail={"shown": shown},
    )
    return result
