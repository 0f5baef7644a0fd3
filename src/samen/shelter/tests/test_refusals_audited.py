"""A refused shelter action stays in the audit trail although the service's transaction rolls
back with the refusal: each of the transactional services, called by someone it refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from samen.core import audit
from samen.core.middleware import ActorMiddleware
from samen.core.models import AuditEntry
from samen.shelter import services
from samen.shelter.models import ContraIndication, Hold, Placement


def calls(place, case):
    hold, placement = Hold(pk=4242, place=place), Placement(pk=4343, place=place)
    rule = ContraIndication(pk=4444, place=place)
    return {
        "availability_update": lambda a: services.availability_update(
            actor=a, place=place, capacity=3, free=1
        ),
        "contra_indication_set": lambda a: services.contra_indication_set(
            actor=a, place=place, code="x", reason="y"
        ),
        "contra_indication_end": lambda a: services.contra_indication_end(actor=a, rule=rule),
        "location_save": lambda a: services.location_save(actor=a, data={"name": "x"}),
        "place_save": lambda a: services.place_save(actor=a, data={"name": "x"}, place=place),
        "referral_create": lambda a: services.referral_create(
            actor=a, case=case, data=services.NeedsInput()
        ),
        "hold_accept": lambda a: services.hold_accept(actor=a, hold=hold),
        "hold_decline": lambda a: services.hold_decline(actor=a, hold=hold, reason="no_fit"),
        "hold_decline_withdraw": lambda a: services.hold_decline_withdraw(
            actor=a, hold=hold, reason="other"
        ),
        "placement_start": lambda a: services.placement_start(actor=a, hold=hold),
        "placement_end": lambda a: services.placement_end(
            actor=a, placement=placement, outflow="other_shelter"
        ),
    }


SERVICES = list(calls(None, None))


@pytest.mark.parametrize("name", SERVICES)
def test_a_refused_shelter_service_call_is_audited_despite_the_rollback(
    name, directory, case, actor_for
):
    call = calls(directory["women"], case)[name]
    before = AuditEntry.objects.count()
    with pytest.raises((PermissionDenied, Http404)):
        call(actor_for("demo-professional"))
    new = list(AuditEntry.objects.filter(seq__gt=before).values("result", "actor_username"))
    assert new == [{"result": "denied", "actor_username": "demo-professional"}]
    assert audit.verify().ok


def test_another_shelters_place_answers_not_found_and_that_is_audited(directory, actor_for):
    before = AuditEntry.objects.count()
    with pytest.raises(Http404):
        services.availability_update(
            actor=actor_for("demo-shelter"), place=directory["groningen"], capacity=2, free=1
        )
    assert list(AuditEntry.objects.filter(seq__gt=before).values_list("result", flat=True)) == [
        "not_found"
    ]


def test_a_refusal_inside_any_transaction_of_a_request_survives_its_rollback(actor_for):
    """The request middleware holds refusals recorded inside atomic blocks and writes them when
    the request is done, for services that do not use audit.atomic themselves."""
    actor = actor_for("demo-professional")

    def view(request):
        try:
            with transaction.atomic():
                audit.record(actor, "case.read", object_type="case", result="denied")
                raise PermissionDenied
        except PermissionDenied:
            return HttpResponse(status=403)

    before = AuditEntry.objects.count()
    ActorMiddleware(view)(RequestFactory().get("/"))
    assert AuditEntry.objects.filter(seq__gt=before).count() == 1


def test_a_shelters_read_of_a_needs_profile_is_indexed_to_the_case(directory, case, actor_for):
    """The shelter sees no case number, yet the subject-access report must find the read."""
    from samen.shelter import selectors

    coordinator = actor_for("demo-coordinator")
    referral = services.referral_create(actor=coordinator, case=case, data=services.NeedsInput())
    services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    offered = selectors.holds_for_shelter(actor=actor_for("demo-shelter"))
    assert case.number not in str(offered)
    read = AuditEntry.objects.filter(action="referral_hold.list").latest("seq")
    assert sorted(audit.cases_of([read])) == [case.number]


def test_the_placements_page_is_audited_and_indexed_to_the_cases(directory, case, actor_for):
    from samen.shelter import selectors

    coordinator, shelter = actor_for("demo-coordinator"), actor_for("demo-shelter")
    referral = services.referral_create(actor=coordinator, case=case, data=services.NeedsInput())
    hold = services.hold_place(actor=coordinator, referral=referral, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    selectors.placements_for_shelter(actor=shelter)
    read = AuditEntry.objects.filter(action="placement.list").latest("seq")
    assert read.actor_username == "demo-shelter" and read.detail["holds"] == [hold.pk]
    assert sorted(audit.cases_of([read])) == [case.number]
