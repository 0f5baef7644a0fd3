"""Over random referrals and places: no minor is ever matched or allocated to a place that does
not take minors (of her age), and no security need to a place below it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samen.shelter.allocation import allocate
from samen.shelter.matching import Needs, PlaceInfo, match

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TYPES = ["first_reception", "first_reception_minors", "specialised", "cosm", "protected_minors",
         "combined"]  # fmt: skip
SECURITY = ["standard", "elevated", "high"]


@st.composite
def needs(draw) -> Needs:
    minor = draw(st.booleans())
    return Needs(
        gender=draw(st.sampled_from(["female", "male", "other", "unknown"])),
        minor=minor,
        age=draw(st.none() | st.integers(0, 17 if minor else 80)),
        age_band=draw(st.sampled_from(["0-11", "12-17", "18-22", "unknown"])),
        security=draw(st.sampled_from(SECURITY)),
        network_risk=draw(st.booleans()),
        care=draw(st.frozensets(st.sampled_from(["addiction", "psychiatric", "medical"]))),
        foreign=draw(st.none() | st.booleans()),
        reflection=draw(st.booleans()),
        via_national_centre=draw(st.booleans()),
        urgency=draw(st.sampled_from(["normal", "high", "immediate"])),
    )


@st.composite
def places(draw) -> list[PlaceInfo]:
    count = draw(st.integers(1, 25))
    return [
        PlaceInfo(
            id=i,
            name=f"p{i}",
            type=draw(st.sampled_from(TYPES)),
            target_group=draw(st.sampled_from(["women", "men", "minors", "families", "all"])),
            region="VR09",
            security=draw(st.sampled_from(SECURITY)),
            min_age=draw(st.none() | st.integers(0, 18)),
            max_age=draw(st.none() | st.integers(11, 17)),
            free=draw(st.integers(0, 3)),
            availability_at=NOW - timedelta(hours=1),
        )
        for i in range(count)
    ]


BANDS = {"0-11": (0, 11), "12-17": (12, 17), "18-22": (18, 22)}
LEVEL = {"standard": 0, "elevated": 1, "high": 2}


def allowed(place: PlaceInfo, n: Needs) -> bool:
    """The protection guarantees, stated independently of the engine and its rule table."""
    if LEVEL[place.security] < LEVEL[n.security]:
        return False
    if n.minor:
        minors_place = place.target_group == "minors" or place.type in (
            "protected_minors",
            "first_reception_minors",
        )
        if not minors_place:
            return False
        low, high = (n.age, n.age) if n.age is not None else BANDS.get(n.age_band, (0, 17))
        if place.min_age is not None and high < place.min_age:
            return False
        if place.max_age is not None and low > place.max_age:
            return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=needs(), ps=places())
def test_no_minor_or_security_need_is_matched_to_an_unfitting_place(n, ps):
    for m in match(n, ps, now=NOW).matches:
        assert allowed(m.place, n), (m.place, n)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(referrals=st.lists(needs(), min_size=1, max_size=12), ps=places())
def test_no_minor_or_security_need_is_allocated_to_an_unfitting_place(referrals, ps):
    by_id = {p.id: p for p in ps}
    keyed = dict(enumerate(referrals))
    for proposal in allocate(list(keyed.items()), ps, now=NOW):
        assert allowed(by_id[proposal.place], keyed[proposal.referral])
