"""The demo's bulk referrals get the holds that led to their placement."""

from __future__ import annotations

from samen.capacity.demo import add_capacity_flows
from samen.shelter.models import Hold, HoldStatus


def test_each_placed_referral_gets_its_accepted_hold_within_its_wait(register):
    Hold.objects.all().delete()
    created = add_capacity_flows(seed=1)
    placed = register.referrals * 2  # the year and the year before
    accepted = Hold.objects.filter(status=HoldStatus.ACCEPTED).select_related("referral")
    assert accepted.count() == placed and created >= placed
    for hold in Hold.objects.select_related("referral").prefetch_related("referral__placements"):
        start = hold.referral.placements.all()[0].started_at
        assert hold.referral.created_at <= hold.created_at <= hold.responded_at <= start
    assert add_capacity_flows(seed=1) == 0  # idempotent
