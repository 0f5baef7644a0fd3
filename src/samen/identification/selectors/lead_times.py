"""Lead times and outcomes of the identification path, aggregates only."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.core import audited, policy
from samen.core.actor import Actor
from samen.identification import hooks, leadtimes
from samen.identification import machine as engine
from samen.identification.models import (
    IdentificationPath,
)


def lead_time_records(*, actor: Actor) -> list[leadtimes.CaseRecord]:
    """One plain record per case on the path that the actor reaches (read-only on the shelter's
    placements), each fact only where the actor's relation to the case grants its category: a
    group of few cases would otherwise tell a single case's form of exploitation or outcome.
    Not audited by itself: lead_times_report is the use case."""

    paths = (
        IdentificationPath.objects.filter(case__in=Case.objects.filter(policy.case_filter(actor)))
        .select_related("case__region")
        .prefetch_related("case__forms", "steps")
    )
    paths = list(paths)
    placements: dict[int, list[date]] = {}
    for case_id, started in hooks.placement_starts([p.case_id for p in paths]):
        placements.setdefault(case_id, []).append(engine.local_date(started))
    access = policy.case_access(actor, [p.case_id for p in paths])
    records = []
    for p in paths:
        seen = access.get(p.case_id)
        if seen is None:
            continue
        indication = reflection = permit = None
        for step in p.steps.all():  # in order of time
            if not seen.shows(f"identification.step.{step.transition}"):
                continue
            if step.transition == "indication_establish" and indication is None:
                raw = (step.values or {}).get("established_on")
                indication = date.fromisoformat(raw) if raw else engine.local_date(step.at)
            elif step.transition in ("reflection_accept", "reflection_decline"):
                reflection = "accepted" if step.transition == "reflection_accept" else "declined"
            elif step.transition in ("b83_grant", "b83_refuse"):
                permit = "granted" if step.transition == "b83_grant" else "refused"
        placed = None
        if indication and seen.shows("region"):
            after = [d for d in placements.get(p.case_id, []) if d >= indication]
            placed = min(after) if after else None
        records.append(
            leadtimes.CaseRecord(
                region=p.case.region.name if seen.shows("region") else "",
                forms=tuple(sorted(str(f) for f in p.case.forms.all()))
                if seen.shows("forms")
                else (),
                opened_on=engine.local_date(p.case.opened_at),
                indication_on=indication,
                placed_on=placed,
                reflection=reflection or "",
                permit=permit or "",
            )
        )
    return records


def lead_times_report(*, actor: Actor) -> dict[str, Any]:
    """Lead times per region and per form of exploitation, with the national (in reach) total.
    Aggregates only; one audit entry saying how many cases were counted."""
    policy.require(actor, "identification.lead_times", object_type="case", object_id="*")
    records = lead_time_records(actor=actor)
    result: dict[str, Any] = {
        "total": leadtimes.total(records, str(_("All cases in reach"))),
        "region": leadtimes.group_by(records, "region"),
        "form": leadtimes.group_by(records, "form"),
    }
    audited.record(
        actor,
        "identification_lead_times.read",
        object_type="case",
        object_id="*",
        fields=["identification.steps"],
        detail={"cases_counted": len(records)},
    )
    return result


def victim_statuses(numbers: list[str]) -> dict[str, tuple[str, str]]:
    """Per case number the HTCDS victim status and its decision-making organisation as the path
    set them; a case without a path or without a decided status is absent. Plain data for the
    statistics export; the caller checks the policy and audits."""
    paths = IdentificationPath.objects.filter(case__number__in=numbers).exclude(htcds_status="")
    return {
        number: (status, org)
        for number, status, org in paths.values_list(
            "case__number", "htcds_status", "htcds_decision_org"
        )
    }
