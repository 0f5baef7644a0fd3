"""The allocation proposal places at least as many as greedy first-fit, and more where it can."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samen.shelter.allocation import allocate, allocate_greedy
from samen.shelter.matching import FIRST_RECEPTION, SPECIALISED, Needs, PlaceInfo

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def place(pid: int, **kw: object) -> PlaceInfo:
    base = {"id": pid, "name": f"p{pid}", "type": SPECIALISED, "target_group": "all",
            "region": "VR09", "free": 1, "availability_at": NOW - timedelta(hours=1)}  # fmt: skip
    base.update(kw)
    return PlaceInfo(**base)


def test_allocation_beats_greedy_when_first_fit_blocks_a_harder_case():
    # The man fits only place 1 (the other is for women); greedy gives place 1 to the woman first.
    places = [place(1, target_group="all"), place(2, target_group="women")]
    referrals = [(10, Needs(gender="female")), (11, Needs(gender="male"))]
    assert len(allocate_greedy(referrals, places)) == 1
    proposal = allocate(referrals, places, now=NOW)
    assert {(p.referral, p.place) for p in proposal} == {(10, 2), (11, 1)}


def test_allocation_uses_every_free_bed_of_a_place_and_never_a_forbidden_pair():
    places = [place(1, type=FIRST_RECEPTION, free=2), place(2, target_group="men", free=3)]
    referrals = [(i, Needs(gender="female")) for i in range(4)]
    proposal = allocate(referrals, places, now=NOW)
    assert len(proposal) == 2 and {p.place for p in proposal} == {1}


def test_allocation_prefers_the_better_fit_when_counts_are_equal():
    places = [place(1, region="VR01"), place(2, region="VR09")]
    proposal = allocate([(7, Needs(region="VR09"))], places, now=NOW)
    assert [(p.referral, p.place) for p in proposal] == [(7, 2)]
