"""Minors and high-risk victims through the referral chain: the needs profile comes from the case
on the day of use, a declined place stays declined, COSM checks eligibility."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from samen.cases.models import AgeBand, Gender, Person
from samen.identification import services as identification
from samen.identification.demo import ask_to_assess
from samen.identification.models import AgeAssessment, IdentificationPath
from samen.shelter import selectors, services
from samen.shelter.models import PlaceType, TargetGroup
from samen.shelter.services import NeedsInput
from samen.shelter.tests.conftest import make_place
from samen.signalling.services import PersonInput


@pytest.fixture
def coordinator(actor_for):
    return actor_for("demo-coordinator")


def referral_for(coordinator, case, **needs):
    return services.referral_create(actor=coordinator, case=case, data=NeedsInput(**needs))


def a_day_someone_turns_18(today: date) -> tuple[date, date]:
    """(the day, the birth date of someone who turns 18 on it): today, except on 29 February,
    when nobody does (the year 18 before has no 29 February: one born on the 28th turned 18
    yesterday, one born on 1 March turns 18 tomorrow), so the day before."""
    day = today - timedelta(days=1) if (today.month, today.day) == (2, 29) else today
    return day, day.replace(year=day.year - 18)


def test_a_presumed_minor_with_disputed_age_is_referred_as_a_minor(directory, coordinator, record):
    person = PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_18_22, nationality="ER")
    case = record(person=person).case
    ask_to_assess(case, investigator=actor_for_investigator(record))
    identification.path_facts_set(
        actor=actor_for_investigator(record),
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
        age_assessment=AgeAssessment.DISPUTED,
        presumed_minor=True,
    )
    assert IdentificationPath.objects.get(case=case).guardian_organisation is not None
    referral = referral_for(coordinator, case)
    assert referral.needs["minor"] is True
    assert services.needs_of(referral).minor is True
    # An adult women's place is no place for her; first reception for adults neither.
    result = selectors.referral_matches(actor=coordinator, referral=referral)
    assert result["matches"] == []
    rules = {e["name"]: e["rule"] for e in result["excluded"]}
    assert rules["Vrouwenopvang Utrecht"] == "minor_needs_minors_place"
    assert rules["Eerste opvang Utrecht"] == "minor_needs_minors_place"


def actor_for_investigator(record):
    # The field professional's fixture chain already built the world; reuse its actor factory.
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership

    m = Membership.objects.get(user__username="demo-investigator")
    return actor_for_membership(m, origin="test")


def test_a_minor_discovered_after_the_referral_is_matched_as_a_minor(directory, coordinator, case):
    referral = referral_for(coordinator, case)
    assert services.needs_of(referral).minor is False
    # Later a signal (or a corrected fact) shows she is 15.
    Person.objects.filter(pk=case.person_id).update(age_band=AgeBand.AGE_12_17, is_minor=True)
    referral.refresh_from_db()
    needs = services.needs_of(referral)
    assert needs.minor is True and needs.age_band == AgeBand.AGE_12_17
    names = {
        m["name"]
        for m in selectors.referral_matches(actor=coordinator, referral=referral)["matches"]
    }
    assert names == set()


def test_turning_18_is_noticed_on_the_day_of_use(directory, coordinator, record):
    day, born = a_day_someone_turns_18(timezone.localdate())  # 17 when signalled the day before
    person = PersonInput(gender=Gender.FEMALE, name="Ana Test", date_of_birth=born)
    case = record(person=person, observed_on=day - timedelta(days=1)).case
    assert case.person.is_minor  # as stored when signalled
    referral = referral_for(coordinator, case)
    needs = services.needs_of(referral, on=day)
    assert needs.minor is False and needs.age == 18 and needs.age_band == AgeBand.AGE_18_22
    assert services.needs_of(referral, on=day - timedelta(days=1)).minor is True


def test_the_15_year_old_tonight_gets_only_minors_places_at_her_security_level(
    directory, coordinator, record
):
    loc = directory["women"].location
    minors = dict(
        type=PlaceType.PROTECTED_MINORS, target_group=TargetGroup.MINORS, min_age=12, max_age=17
    )
    secure = make_place(loc, "Beschermde opvang hoog", security_level="high", **minors)
    make_place(loc, "Beschermde opvang standaard", security_level="standard", **minors)
    first_minors = make_place(
        loc,
        "Eerste opvang minderjarigen",
        type=PlaceType.FIRST_RECEPTION_MINORS,
        target_group=TargetGroup.MINORS,
        min_age=12,
        max_age=17,
        security_level="high",
    )
    make_place(
        loc,
        "Eerste opvang hoog",
        type=PlaceType.FIRST_RECEPTION,
        target_group=TargetGroup.ALL,
        security_level="high",
    )
    born = date.today() - timedelta(days=15 * 365 + 100)
    person = PersonInput(gender=Gender.FEMALE, name="Mila Test", date_of_birth=born)
    case = record(person=person, forms=["sexual"]).case
    referral = referral_for(coordinator, case, security="high", urgency="immediate")
    result = selectors.referral_matches(actor=coordinator, referral=referral)
    assert {m["place"] for m in result["matches"]} == {secure.pk, first_minors.pk}
    rules = {e["name"]: e["rule_text"] for e in result["excluded"]}
    # The explanation names the rule, in Dutch on a Dutch page.
    assert rules["Eerste opvang hoog"].startswith("Bescherming van minderjarigen")
    assert rules["Beschermde opvang standaard"] == "Beveiligingsniveau te laag"
    # The allocation proposal agrees with the engine.
    proposal = selectors.allocation_proposal(actor=coordinator)
    assert {r["place"] for r in proposal["rows"] if r["referral"] == referral.pk} <= {
        secure.pk,
        first_minors.pk,
    }


def test_the_dutch_woman_is_refused_a_cosm_place_with_the_reason(
    directory, coordinator, actor_for, record
):
    cosm = make_place(
        directory["women"].location,
        "COSM Utrecht",
        type=PlaceType.COSM,
        target_group=TargetGroup.FAMILIES,
        security_level="elevated",
    )
    person = PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_23_29, nationality="NL")
    case = record(person=person, forms=["sexual"]).case
    referral = referral_for(coordinator, case)
    registrar = actor_for("demo-registrar")
    with pytest.raises(ValidationError) as refused:
        services.hold_place(actor=registrar, referral=referral, place=cosm)
    assert "Toelating COSM: alleen voor slachtoffers met een buitenlandse nationaliteit" in str(
        refused.value.message_dict["place"]
    )


def test_cosm_takes_a_foreign_victim_offered_the_reflection_period_via_the_centre(
    directory, coordinator, actor_for, record
):
    cosm = make_place(
        directory["women"].location,
        "COSM Utrecht",
        type=PlaceType.COSM,
        target_group=TargetGroup.FAMILIES,
        security_level="elevated",
    )
    person = PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_23_29, nationality="NG")
    case = record(person=person, forms=["sexual"]).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)  # the police reach the case through the request
    take = identification.transition_take
    take(actor=police, case=case, code="assessment_start")
    take(
        actor=police,
        case=case,
        code="indication_establish",
        values={"established_on": date.today().isoformat()},
    )
    identification.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=False
    )
    take(
        actor=police,
        case=case,
        code="reflection_offer",
        values={"starts_on": date.today().isoformat()},
    )
    referral = referral_for(coordinator, case)
    # The coordinator's own search explains why COSM is not hers to give...
    own = selectors.referral_matches(actor=coordinator, referral=referral)
    assert {e["rule"] for e in own["excluded"] if e["place"] == cosm.pk} == {
        "cosm_not_via_national_centre"
    }
    # ...the national coordination centre may place her there.
    hold = services.hold_place(actor=actor_for("demo-registrar"), referral=referral, place=cosm)
    assert hold.place_id == cosm.pk


def test_a_declined_place_is_not_offered_again_to_that_referral(
    directory, coordinator, actor_for, case
):
    shelter = actor_for("demo-shelter")
    women = directory["women"]
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=women)
    services.hold_decline(actor=shelter, hold=hold, reason="contra_indication")
    referral.refresh_from_db()
    result = selectors.referral_matches(actor=coordinator, referral=referral)
    assert women.pk not in {m["place"] for m in result["matches"]}
    assert {e["rule"] for e in result["excluded"] if e["place"] == women.pk} == {
        "declined_for_referral"
    }
    women.refresh_from_db()
    assert referral not in services.waiting_referrals(women)
    assert services.place_offer_to_waiting(place_id=women.pk) == 0
    assert all(
        r["place"] != women.pk for r in selectors.allocation_proposal(actor=coordinator)["rows"]
    )
    with pytest.raises(ValidationError):
        services.hold_place(actor=coordinator, referral=referral, place=women)
    # The shelter withdraws its refusal: the place fits again.
    services.hold_decline_withdraw(actor=shelter, hold=hold, reason="contra_indication_ended")
    assert referral in services.waiting_referrals(women)
