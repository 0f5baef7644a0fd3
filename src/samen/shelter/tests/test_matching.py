"""The matching engine rule by rule, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from samen.shelter.matching import (
    COSM,
    FIRST_RECEPTION,
    FIRST_RECEPTION_MINORS,
    PROTECTED_MINORS,
    SPECIALISED,
    Contra,
    Needs,
    PlaceInfo,
    Weights,
    exclusion_for,
    match,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ADULT_WOMAN = Needs(gender="female", age_band="23-29", forms=frozenset({"sexual"}), region="VR09")


def place(pid: int = 1, **kw: object) -> PlaceInfo:
    base = {
        "id": pid,
        "name": f"place {pid}",
        "type": SPECIALISED,
        "target_group": "women",
        "region": "VR09",
        "free": 2,
        "availability_at": NOW - timedelta(hours=1),
    }
    base.update(kw)
    return PlaceInfo(**base)


def rule(p: PlaceInfo, needs: Needs = ADULT_WOMAN) -> str | None:
    excluded = exclusion_for(p, needs)
    return excluded.rule if excluded else None


def test_a_full_place_is_excluded_for_no_free_place():
    assert rule(place(free=0)) == "no_free_place"


def test_first_reception_applies_no_care_criteria_with_a_free_bed():
    needs = Needs(gender="male", network_risk=True, care=frozenset({"psychiatric"}))
    fr = place(type=FIRST_RECEPTION, target_group="women", security="standard")
    assert rule(fr, needs) is None


def test_first_reception_without_intake_criteria_still_applies_the_safety_rules():
    # The man with a tie to a criminal network and high security needs: open first reception
    # (standard security) is no place for him, and it names the rule and its version.
    man = Needs(gender="male", network_risk=True, security="high", urgency="immediate")
    open_first = place(1, type=FIRST_RECEPTION, target_group="all", security="standard")
    secure_first = place(2, type=FIRST_RECEPTION, target_group="all", security="high")
    result = match(man, [open_first, secure_first], now=NOW)
    assert [m.place.id for m in result.matches] == [2]
    [excluded] = result.excluded
    assert (excluded.place.id, excluded.rule, excluded.version) == (1, "security_too_low", 2)


def test_a_minor_is_matched_only_to_places_that_take_minors_of_her_age():
    # The 15-year-old girl, high security, tonight: adult first reception is not for her.
    girl = Needs(
        gender="female",
        age_band="12-17",
        age=15,
        minor=True,
        security="high",
        urgency="immediate",
        region="VR09",
    )
    places = [
        place(1, type=FIRST_RECEPTION, target_group="all", security="high"),
        place(2, type=FIRST_RECEPTION, target_group="all", security="standard"),
        place(
            3, type=PROTECTED_MINORS, target_group="minors", security="high", min_age=12, max_age=17
        ),
        place(
            4,
            type=FIRST_RECEPTION_MINORS,
            target_group="minors",
            security="high",
            min_age=12,
            max_age=17,
        ),
        place(
            5,
            type=PROTECTED_MINORS,
            target_group="minors",
            security="standard",
            min_age=12,
            max_age=17,
        ),
        place(6, type=PROTECTED_MINORS, target_group="minors", security="high", max_age=11),
        place(7, type=SPECIALISED, target_group="women", security="high"),
    ]
    result = match(girl, places, now=NOW)
    assert {m.place.id for m in result.matches} == {3, 4}
    assert {e.place.id: e.rule for e in result.excluded} == {
        1: "minor_needs_minors_place",
        2: "minor_needs_minors_place",
        5: "security_too_low",
        6: "age_outside_place",
        7: "minor_needs_minors_place",
    }


def test_a_presumed_minor_without_a_known_age_fits_any_minors_place():
    presumed = Needs(gender="female", minor=True)
    assert rule(place(type=PROTECTED_MINORS, target_group="minors", min_age=12), presumed) is None
    assert rule(place(type=FIRST_RECEPTION, target_group="all"), presumed) == (
        "minor_needs_minors_place"
    )


def test_cosm_takes_only_foreign_victims_in_the_reflection_period_via_the_centre():
    cosm = place(type=COSM, target_group="families", security="elevated")
    eligible = replace(ADULT_WOMAN, foreign=True, reflection=True, via_national_centre=True)
    assert rule(cosm, eligible) is None
    # The Dutch woman.
    assert rule(cosm, replace(eligible, foreign=False)) == "cosm_not_foreign"
    assert rule(cosm, replace(eligible, foreign=None)) == "cosm_not_foreign"
    assert rule(cosm, replace(eligible, reflection=False)) == "cosm_no_reflection_period"
    assert rule(cosm, replace(eligible, via_national_centre=False)) == (
        "cosm_not_via_national_centre"
    )


def test_a_place_the_shelter_declined_stays_excluded_for_that_referral():
    declined = replace(ADULT_WOMAN, refused=frozenset({1}))
    result = match(declined, [place(1), place(2)], now=NOW)
    assert [m.place.id for m in result.matches] == [2]
    assert [(e.place.id, e.rule) for e in result.excluded] == [(1, "declined_for_referral")]


def test_target_group_women_excludes_men_but_not_unknown_gender():
    assert rule(place(), replace(ADULT_WOMAN, gender="male")) == "target_group"
    assert rule(place(), replace(ADULT_WOMAN, gender="unknown")) is None


def test_adult_places_exclude_minors_and_minor_places_exclude_adults():
    assert rule(place(target_group="families"), replace(ADULT_WOMAN, minor=True)) == (
        "minor_needs_minors_place"
    )
    minors = place(type=PROTECTED_MINORS, target_group="minors")
    assert rule(minors) == "adult_in_minors_place"
    assert rule(minors, replace(ADULT_WOMAN, minor=True)) is None


def test_form_not_served_only_when_both_sides_name_forms():
    labour_only = place(forms=frozenset({"labour"}))
    assert rule(labour_only) == "form_not_served"
    assert rule(labour_only, replace(ADULT_WOMAN, forms=frozenset())) is None
    assert rule(place(forms=frozenset())) is None


def test_security_level_must_reach_the_need():
    needs = replace(ADULT_WOMAN, security="high")
    assert rule(place(security="elevated"), needs) == "security_too_low"
    assert rule(place(security="high"), needs) is None


def test_care_needed_must_be_on_site():
    needs = replace(ADULT_WOMAN, care=frozenset({"psychiatric", "medical"}))
    assert rule(place(care=frozenset({"medical"})), needs) == "care_not_on_site:psychiatric"
    assert rule(place(care=frozenset({"medical", "psychiatric"})), needs) is None


def test_accessibility_need_excludes_inaccessible_places():
    needs = replace(ADULT_WOMAN, accessibility=True)
    assert rule(place(accessible=False), needs) == "not_accessible"
    assert rule(place(accessible=True), needs) is None


def test_contra_network_tie_excludes_with_the_places_reason_and_version():
    p = place(contra=(Contra("no_network_tie", "We cannot protect against a network", 3),))
    excluded = exclusion_for(p, replace(ADULT_WOMAN, network_risk=True))
    assert excluded.rule == "contra:no_network_tie"
    assert excluded.reason == "We cannot protect against a network"
    assert excluded.version == 3
    assert rule(p) is None


def test_contra_addiction_adults_only_and_gender_rules():
    addicted = replace(ADULT_WOMAN, addiction=True)
    assert rule(place(contra=(Contra("no_active_addiction", "r"),)), addicted) == (
        "contra:no_active_addiction"
    )
    adults = place(target_group="minors", contra=(Contra("adults_only", "r"),))
    assert rule(adults, replace(ADULT_WOMAN, minor=True)) == "contra:adults_only"
    men = place(target_group="all", contra=(Contra("women_only", "r"),))
    assert rule(men, replace(ADULT_WOMAN, gender="male")) == "contra:women_only"


def test_an_unknown_contra_rule_excludes_rather_than_being_ignored():
    assert rule(place(contra=(Contra("something_new", "r"),))) == "contra:something_new"


def test_same_region_ranks_above_other_regions_and_says_so():
    result = match(ADULT_WOMAN, [place(1, region="VR01"), place(2, region="VR09")], now=NOW)
    assert [m.place.id for m in result.matches] == [2, 1]
    assert "same_region" in result.matches[0].reasons


def test_same_province_ranks_between_region_and_elsewhere():
    needs = replace(ADULT_WOMAN, province="7")
    result = match(
        needs,
        [place(1, region="VR01"), place(2, region="VR08", province="7"), place(3)],
        now=NOW,
    )
    assert [m.place.id for m in result.matches] == [3, 2, 1]


def test_stale_availability_is_flagged_and_ranks_lower():
    stale = place(1, availability_at=NOW - timedelta(hours=30))
    fresh = place(2, availability_at=NOW - timedelta(hours=2))
    result = match(ADULT_WOMAN, [stale, fresh], now=NOW)
    assert [m.place.id for m in result.matches] == [2, 1]
    assert result.matches[1].stale and not result.matches[0].stale


def test_stale_age_is_configurable():
    p = place(availability_at=NOW - timedelta(hours=5))
    assert not match(ADULT_WOMAN, [p], now=NOW).matches[0].stale
    weights = Weights(stale_after=timedelta(hours=4))
    assert match(ADULT_WOMAN, [p], now=NOW, weights=weights).matches[0].stale


def test_fit_counts_forms_and_languages():
    plain = place(1)
    fitting = place(2, forms=frozenset({"sexual"}), languages=frozenset({"ro"}))
    needs = replace(ADULT_WOMAN, languages=frozenset({"ro"}))
    result = match(needs, [plain, fitting], now=NOW)
    assert result.matches[0].place.id == 2
    assert {"form:sexual", "language:ro"} <= set(result.matches[0].reasons)


def test_immediate_urgency_lifts_first_reception():
    specialised = place(1, forms=frozenset({"sexual"}))
    first = place(2, type=FIRST_RECEPTION, target_group="all")
    normal = match(ADULT_WOMAN, [specialised, first], now=NOW)
    urgent = match(replace(ADULT_WOMAN, urgency="immediate"), [specialised, first], now=NOW)
    assert normal.matches[0].place.id == 1
    assert urgent.matches[0].place.id == 2
    assert "urgent_first_reception" in urgent.matches[0].reasons


def test_every_place_is_either_matched_or_excluded():
    places = [place(1), place(2, free=0), place(3, type=COSM, target_group="men")]
    result = match(ADULT_WOMAN, places, now=NOW)
    assert {m.place.id for m in result.matches} == {1}
    assert {e.place.id: e.rule for e in result.excluded} == {
        2: "no_free_place",
        3: "cosm_not_foreign",
    }
