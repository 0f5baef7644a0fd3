"""Holds for the demo's bulk referrals, so that refusal rates, search delays and response times
can be calibrated: the statistics volume (samen.statistics.demo) records each earlier referral
with its placement only. Each such referral gets the holds that led to its placement: zero to
two refusals (more often for men and minors, whom fewer places take) and the accepted hold,
inside the wait the volume recorded. Idempotent: referrals that have holds are left alone."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from samen.shelter.models import DeclineReason, Hold, HoldStatus, Place, Placement

REFUSAL_BY_PROFILE = {"female": 0.15, "male": 0.3, "unknown": 0.2}
MINOR_EXTRA = 0.15


@transaction.atomic
def add_capacity_flows(*, seed: int = 1) -> int:
    rng = random.Random(seed * 31 + 5)
    places = list(Place.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    if not places:
        return 0
    placements = (
        Placement.objects.filter(hold__isnull=True, referral__holds__isnull=True)
        .select_related("referral__case__person")
        .order_by("pk")
    )
    holds = []
    for placement in placements:
        referral = placement.referral
        person = referral.case.person
        waited = placement.started_at - referral.created_at
        p = REFUSAL_BY_PROFILE.get(person.gender, 0.2) + (MINOR_EXTRA if person.is_minor else 0)
        refusals = sum(rng.random() < p for _ in range(2))
        # The wait split into the search, the shelters' answers and the way to the place.
        at = referral.created_at + waited * rng.uniform(0.2, 0.5)
        step = (placement.started_at - at) / (refusals + 2)
        for _ in range(refusals):
            holds.append(
                Hold(
                    referral=referral,
                    place_id=rng.choice(places),
                    created_at=at,
                    expires_at=at + timedelta(hours=3),
                    status=HoldStatus.DECLINED,
                    responded_at=at + step * rng.uniform(0.3, 1.0),
                    decline_reason=rng.choice(
                        [
                            DeclineReason.NO_FIT,
                            DeclineReason.SAFETY,
                            DeclineReason.CONTRA_INDICATION,
                        ]
                    ),
                )
            )
            at += step
        holds.append(
            Hold(
                referral=referral,
                place_id=placement.place_id,
                created_at=at,
                expires_at=at + timedelta(hours=3),
                status=HoldStatus.ACCEPTED,
                responded_at=at + step * rng.uniform(0.3, 1.0),
            )
        )
    Hold.objects.bulk_create(holds)
    return len(holds)
