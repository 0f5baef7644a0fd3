"""The demo's bulk referrals get the holds that led to their placement."""

from __future__ import annotations

from samen.capacity.demo import add_capacity_flows
from samen.capacity.selectors import directory_units
from samen.shelter.demo import build_shelter_directory
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


def test_the_demo_directory_has_a_few_hundred_places_for_the_chain(world):
    """The Netherlands has a few hundred categorical places for victims (COSM about 70); the
    demo directory counted some 4,100 beds for about 40 referrals a year."""
    build_shelter_directory(seed=1)
    beds = sum(u.beds for u in directory_units())
    cosm = sum(u.beds for u in directory_units() if u.place.type == "cosm")
    assert 300 <= beds <= 1000 and 65 <= cosm <= 75
