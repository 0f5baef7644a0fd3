"""What the shelter provides to the identification app below it (samen.hooks,
identification/hooks.py): its held places as deadlines and reminders, its placements for the
lead times. Imported from ShelterConfig.ready()."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.core import policy
from samen.core.actor import Actor
from samen.identification import hooks as id_hooks
from samen.identification import machine as engine
from samen.identification.models import IdentificationPath
from samen.identification.selectors.deadlines import HOLD_EXPIRY
from samen.shelter.models import Hold, HoldStatus, Placement


@id_hooks.deadline_sources.provide
def shelter_hold_deadlines(*, actor: Actor, today: date) -> list[dict[str, Any]]:
    """Active shelter holds of referrals the actor's organisation made or coordinates, as
    deadlines: a held place is lost when the hold expires. A read-only query on the shelter
    tables; the work queue audits it with the rest of the list."""
    org = actor.organisation
    holds = (
        Hold.objects.filter(status=HoldStatus.ACTIVE)
        .filter(Q(referral__organisation=org) | Q(referral__case__responsible_organisation=org))
        .filter(referral__case__in=Case.objects.filter(policy.case_filter(actor)))
        .select_related("referral__case__person", "referral__organisation")
        .order_by("expires_at", "id")
    )
    label = _("Shelter place held until")
    rows = []
    for h in holds:
        due_on = engine.local_date(h.expires_at)
        path = IdentificationPath.objects.filter(case=h.referral.case).first()
        person = h.referral.case.person
        presumed = bool(path and path.presumed_minor)
        rows.append(
            {
                "case_id": h.referral.case_id,
                "case": h.referral.case.number,
                "kind": HOLD_EXPIRY,
                "kind_display": str(label),
                "due_on": due_on,
                "due_at": h.expires_at,
                "days_left": (due_on - today).days,
                "organisation": h.referral.organisation.name,
                "minor": person.is_minor or presumed,
                "minor_estimated": (person.is_minor and person.age_is_estimate) or presumed,
            }
        )
    return rows


@id_hooks.holds_expiring.provide
def holds_expiring(*, now: datetime, until: datetime, excluded: QuerySet) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(status=HoldStatus.ACTIVE, expires_at__gt=now, expires_at__lte=until)
        .exclude(pk__in=excluded)
        .select_related("referral__case", "referral__organisation")
        .order_by("expires_at", "id")
    )


@id_hooks.placement_starts.provide
def placement_starts(case_ids: list[int]) -> list[tuple[int, datetime]]:
    rows = Placement.objects.filter(referral__case_id__in=case_ids)
    return list(rows.values_list("referral__case_id", "started_at"))
