"""Barriers raised in the demo world: synthetic, so the maps have something to show."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from samen.barriers.models import Barrier, BarrierState, ProgressNote, RaisedBarrier
from samen.organisations.models import Organisation, OrganisationType, SafetyRegion

# (form, step, barrier code, state, partner types) per demo region
DEMO_BARRIERS = {
    "VR09": [
        ("criminal", "recruitment", "school_truancy_followup", BarrierState.ACTIVE, ["school"]),
        ("criminal", "work", "multidisciplinary_case", BarrierState.EVALUATED, ["police"]),
        ("criminal", "housing", "premises_closure", BarrierState.PLANNED, ["police"]),
        ("sexual", "housing", "hotel_protocol", BarrierState.ACTIVE, ["hospitality", "police"]),
    ],
    "VR01": [
        ("criminal", "money", "asset_tracing", BarrierState.ACTIVE, ["police"]),
        ("labour", "housing", "landlord_licence", BarrierState.PLANNED, []),
    ],
}


def build_barrier_demo(*, today: date) -> int:
    made = 0
    with transaction.atomic():
        for code, rows in DEMO_BARRIERS.items():
            region = SafetyRegion.objects.get(code=code)
            owner = Organisation.objects.filter(
                type=OrganisationType.CARE_COORDINATION, municipality__region=region
            ).first()
            if owner is None:
                continue
            user = owner.memberships.first()
            for form, step, barrier_code, state, partner_types in rows:
                barrier = Barrier.objects.get(
                    step__model__form=form,
                    step__model__is_current=True,
                    step__code=step,
                    code=barrier_code,
                )
                if RaisedBarrier.objects.filter(barrier=barrier, region=region).exists():
                    continue
                creator = user.user if user else None
                if creator is None:
                    continue
                raised = RaisedBarrier.objects.create(
                    barrier=barrier, region=region, owner=owner, state=state, created_by=creator
                )
                raised.partners.set(
                    Organisation.objects.filter(type__in=partner_types, municipality__region=region)
                )
                ProgressNote.objects.create(
                    raised=raised,
                    on=today - timedelta(days=30),
                    text="Afspraken gemaakt met de partners (synthetisch).",
                    state=state,
                    author=creator,
                    organisation=owner,
                )
                made += 1
    return made
