"""Referral, hold, acceptance and placement through the services, with the policy's answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from samen.cases.lifecycle import case_status_follow
from samen.cases.models import Case, CaseEvent, CaseStatus
from samen.core import policy
from samen.core.models import AuditEntry, CaseShare
from samen.shelter import selectors, services
from samen.shelter.models import (
    ContraIndication,
    HoldStatus,
    Place,
    PlaceAvailability,
    ReferralStatus,
)
from samen.shelter.services import NeedsInput


@pytest.fixture
def coordinator(actor_for):
    return actor_for("demo-coordinator")


@pytest.fixture
def shelter(actor_for):
    return actor_for("demo-shelter")


def referral_for(coordinator, case, **needs):
    return services.referral_create(actor=coordinator, case=case, data=NeedsInput(**needs))


# --- directory ---------------------------------------------------------------------------


def test_availability_update_is_stamped_and_history_kept(directory, shelter):
    place = directory["women"]
    services.availability_update(actor=shelter, place=place, capacity=5, free=3)
    services.availability_update(actor=shelter, place=place, capacity=5, free=1)
    place.refresh_from_db()
    assert (place.capacity, place.free, place.availability_by.username) == (5, 1, "demo-shelter")
    history = PlaceAvailability.objects.filter(place=place, cause="report")
    assert [h.free for h in history] == [1, 3]
    assert all(h.reported_by.username == "demo-shelter" for h in history)


def test_availability_refuses_negative_and_more_free_than_capacity(directory, shelter):
    with pytest.raises(ValidationError) as err:
        services.availability_update(actor=shelter, place=directory["women"], capacity=2, free=3)
    assert "free" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.availability_update(actor=shelter, place=directory["women"], capacity=-1, free=0)
    assert "capacity" in err.value.message_dict


def test_shelter_cannot_update_another_shelters_place(directory, shelter):
    with pytest.raises(Http404):
        services.availability_update(
            actor=shelter, place=directory["groningen"], capacity=2, free=1
        )


def test_coordinator_cannot_update_availability(directory, coordinator):
    with pytest.raises(PermissionDenied):
        services.availability_update(
            actor=coordinator, place=directory["women"], capacity=2, free=1
        )


def test_contra_indications_are_versioned(directory, shelter):
    place = directory["women"]
    first = services.contra_indication_set(
        actor=shelter, place=place, code="no_network_tie", reason="No secure location"
    )
    second = services.contra_indication_set(
        actor=shelter, place=place, code="no_network_tie", reason="Reworded reason"
    )
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.superseded_at is not None and second.superseded_at is None


def test_first_reception_refuses_contra_indications(directory, shelter):
    with pytest.raises(ValidationError) as err:
        services.contra_indication_set(
            actor=shelter, place=directory["first"], code="adults_only", reason="why"
        )
    assert "code" in err.value.message_dict
    rule = ContraIndication(
        place=directory["first"], code="adults_only", reason="r", valid_from=timezone.now()
    )
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert "code" in err.value.message_dict


# --- referral and matching ---------------------------------------------------------------


def test_referral_needs_profile_is_filled_from_the_case(directory, coordinator, case):
    referral = referral_for(coordinator, case, languages=["RO"], network_risk=True)
    assert referral.needs["gender"] == "female"
    assert referral.needs["age_band"] == "23-29"
    assert referral.needs["forms"] == ["sexual"]
    assert referral.needs["region"] == "VR09"
    assert referral.needs["languages"] == ["ro"]
    assert "name" not in str(referral.needs).lower() or "Test Persoon" not in str(referral.needs)
    assert case.events.filter(kind="shelter_referral").exists()


def test_referral_create_refused_for_shelter_staff(directory, shelter, case):
    with pytest.raises(PermissionDenied):
        referral_for(shelter, case)


def test_referral_create_for_a_case_out_of_reach_is_404(directory, actor_for, case):
    with pytest.raises(Http404):
        referral_for(actor_for("demo-coordinator-noord"), case)


def test_matches_rank_with_reasons_and_explain_exclusions(directory, coordinator, shelter, case):
    services.contra_indication_set(
        actor=shelter, place=directory["women"], code="no_network_tie", reason="No safe house"
    )
    referral = referral_for(coordinator, case, network_risk=True)
    result = selectors.referral_matches(actor=coordinator, referral=referral)
    ranked = [m["place"] for m in result["matches"]]
    assert ranked[0] == directory["first"].pk  # same region, takes everyone
    assert directory["groningen"].pk in ranked
    excluded = {e["place"]: e for e in result["excluded"]}
    assert excluded[directory["women"].pk]["rule"] == "contra:no_network_tie"
    assert excluded[directory["women"].pk]["reason"] == "No safe house"
    assert excluded[directory["men"].pk]["rule"] == "target_group"
    assert result["matches"][0]["reasons"]


def test_matches_for_another_organisations_referral_are_404(
    directory, coordinator, case, actor_for
):
    referral = referral_for(coordinator, case)
    with pytest.raises(Http404):
        selectors.referral_matches(actor=actor_for("demo-coordinator-noord"), referral=referral)


# --- hold, respond, placement ------------------------------------------------------------


def test_hold_takes_a_bed_and_expires_by_itself(directory, coordinator, case):
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    assert hold.expires_at - hold.created_at == timedelta(hours=3)
    assert Place.objects.get(pk=directory["women"].pk).free == 0
    later = hold.expires_at + timedelta(seconds=1)
    assert services.holds_expire(now=later) == 1
    assert services.holds_expire(now=later) == 0  # idempotent
    hold.refresh_from_db()
    referral.refresh_from_db()
    assert hold.status == HoldStatus.EXPIRED and referral.status == ReferralStatus.OPEN
    assert Place.objects.get(pk=directory["women"].pk).free == 1


def test_hold_duration_is_configurable(directory, coordinator, case, settings):
    settings.SHELTER_HOLD_HOURS = 1
    hold = services.hold_place(
        actor=coordinator, referral=referral_for(coordinator, case), place=directory["women"]
    )
    assert hold.expires_at - hold.created_at == timedelta(hours=1)


def test_hold_on_a_full_place_names_the_next_best(directory, coordinator, case, record):
    first = referral_for(coordinator, case)
    services.hold_place(actor=coordinator, referral=first, place=directory["women"])
    second_case = record(forms=["sexual"]).case
    second = referral_for(coordinator, second_case)
    with pytest.raises(services.PlaceTaken) as err:
        services.hold_place(actor=coordinator, referral=second, place=directory["women"])
    assert "place" in err.value.message_dict
    assert "Eerste opvang Utrecht" in err.value.message_dict["place"][0]
    assert AuditEntry.objects.filter(action="referral_hold.create", result="conflict").count() == 1


def test_hold_refuses_a_place_that_does_not_fit(directory, coordinator, case):
    referral = referral_for(coordinator, case)
    with pytest.raises(ValidationError) as err:
        services.hold_place(actor=coordinator, referral=referral, place=directory["men"])
    assert "place" in err.value.message_dict


def test_shelter_sees_needs_not_identity_until_it_accepts(directory, coordinator, shelter, case):
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    offered = selectors.holds_for_shelter(actor=shelter)
    assert [o["hold"] for o in offered] == [hold.pk]
    assert offered[0]["needs"]["gender"] == "female"
    assert case.number not in str(offered)
    assert policy.case_access(shelter, [case.pk]) == {}

    services.hold_accept(actor=shelter, hold=hold)
    share = CaseShare.objects.get(case=case, recipient=shelter.organisation)
    assert "identity" in share.categories
    assert "identity" in policy.case_access(shelter, [case.pk])[case.pk].categories
    assert case.events.filter(kind="shelter_accepted").exists()


def test_the_shelter_that_accepted_keeps_the_needs_categories_by_its_own_relation(
    directory, coordinator, shelter, case
):
    """From acceptance the shelter is related to the person: revoking the identity share leaves
    it the needs profile's categories, not the identity; another shelter reaches nothing."""
    from samen.accounts.models import User
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership
    from samen.sharing.services import share_revoke

    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    share_revoke(
        actor=coordinator, share=CaseShare.objects.get(case=case, recipient=shelter.organisation)
    )
    access = policy.case_access(shelter, [case.pk])[case.pk]
    assert access.relation is policy.Relation.SHELTER
    assert access.categories == {"demographics", "exploitation", "health"}
    other = directory["groningen"].location.provider.organisation
    user = User.objects.create(username="test-shelter-groningen")
    member = Membership.objects.create(user=user, organisation=other, role="shelter_staff")
    assert policy.case_access(actor_for_membership(member, origin="test"), [case.pk]) == {}


def test_decline_needs_a_listed_reason_and_frees_the_bed(directory, coordinator, shelter, case):
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    with pytest.raises(ValidationError):
        services.hold_decline(actor=shelter, hold=hold, reason="because")
    services.hold_decline(actor=shelter, hold=hold, reason="safety")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OPEN
    assert Place.objects.get(pk=directory["women"].pk).free == 1
    assert not CaseShare.objects.filter(case=case).exists()


def test_coordinator_cannot_respond_and_other_shelter_gets_404(
    directory, coordinator, shelter, case
):
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["groningen"])
    with pytest.raises(PermissionDenied):
        services.hold_accept(actor=coordinator, hold=hold)
    with pytest.raises(Http404):
        services.hold_accept(actor=shelter, hold=hold)  # not demo-shelter's place


def test_placement_runs_from_arrival_to_departure(directory, coordinator, shelter, case):
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    placement = services.placement_start(
        actor=shelter, hold=hold, at=timezone.now() - timedelta(days=31)
    )
    with pytest.raises(ValidationError):
        services.placement_start(actor=shelter, hold=hold)  # no second, overlapping placement
    with pytest.raises(ValidationError):  # a departure is recorded when it happened, not before
        services.placement_end(
            actor=shelter,
            placement=placement,
            outflow="family",
            at=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.placement_end(actor=shelter, placement=placement, outflow="moon")
    services.placement_end(
        actor=shelter,
        placement=placement,
        outflow="supported_housing",
        at=placement.started_at + timedelta(days=30),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ENDED
    assert Place.objects.get(pk=directory["women"].pk).free == 1
    kinds = set(case.events.values_list("kind", flat=True))
    assert {"placement_started", "placement_ended"} <= kinds
    assert CaseEvent.objects.filter(case=case, kind="shelter_hold").count() == 1


def test_overview_flags_stale_counts(directory, coordinator):
    Place.objects.filter(pk=directory["groningen"].pk).update(
        availability_at=timezone.now() - timedelta(hours=25)
    )
    rows = {r["id"]: r for r in selectors.places_overview(actor=coordinator)}
    assert rows[directory["groningen"].pk]["stale"]
    assert not rows[directory["women"].pk]["stale"]


def test_expire_holds_command_releases_expired_holds(directory, coordinator, case):
    from io import StringIO

    from django.core.management import call_command

    referral = referral_for(coordinator, case)
    hold = services.hold_place(
        actor=coordinator,
        referral=referral,
        place=directory["women"],
        now=timezone.now() - timedelta(hours=4),
    )
    out = StringIO()
    call_command("shelter", "expire-holds", stdout=out)
    assert "1 hold(s) released" in out.getvalue()
    hold.refresh_from_db()
    assert hold.status == HoldStatus.EXPIRED


def test_a_placement_puts_the_case_in_care_but_never_reopens_a_closed_one(
    directory, coordinator, shelter, case
):
    # The case's status follows the shelter (issue #14 item 5): a placed person is in care.
    referral = referral_for(coordinator, case)
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    assert Case.objects.get(pk=case.pk).status != CaseStatus.IN_CARE
    services.placement_start(actor=shelter, hold=hold)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_CARE
    assert case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).exists()
    # Closing is a decision of its own: a later placement does not undo it.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    assert case_status_follow(case=case, in_care=True, actor=None) == CaseStatus.CLOSED


def test_shelter_home_lists_an_incoming_request_without_its_referral(
    directory, coordinator, case, web_for
):
    # The home queue reads holds_for_shelter, which gives the needs profile only: its line must
    # not need a referral or case number (it once raised KeyError on 'referral': a 500).
    hold = services.hold_place(
        actor=coordinator,
        referral=referral_for(coordinator, case),
        place=directory["women"],
    )
    response = web_for("demo-shelter").get("/")
    assert response.status_code == 200
    page = response.content.decode()
    queue = page.split('data-testid="queue-requests"')[1].split("</section>")[0]
    assert f"#hold-{hold.pk}" in queue and "vastgehouden tot" in queue
    assert case.number not in queue and "verwijzing" not in queue
