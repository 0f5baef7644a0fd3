"""A referral without a free fitting place waits; a freed place is offered in priority order."""

from __future__ import annotations

import pytest

from samen.accounts.models import User
from samen.shelter import services
from samen.shelter.models import Place, WaitingOffer
from samen.shelter.services import NeedsInput


@pytest.fixture
def full_directory(directory):
    Place.objects.update(free=0)
    return directory


def test_freed_place_is_offered_by_urgency_then_waiting_time(
    full_directory, actor_for, record, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(username="demo-coordinator").update(email="cor@example.invalid")
    coordinator = actor_for("demo-coordinator")
    cases = [record(forms=["sexual"]).case for _ in range(3)]
    normal_old = services.referral_create(actor=coordinator, case=cases[0], data=NeedsInput())
    normal_new = services.referral_create(actor=coordinator, case=cases[1], data=NeedsInput())
    urgent = services.referral_create(
        actor=coordinator, case=cases[2], data=NeedsInput(urgency="immediate")
    )
    place = Place.objects.get(pk=full_directory["women"].pk)
    assert services.waiting_referrals(place) == []  # nothing free: nothing to offer

    shelter = actor_for("demo-shelter")
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(actor=shelter, place=place, capacity=4, free=2)
    offers = list(WaitingOffer.objects.order_by("rank"))
    assert [(o.referral_id, o.rank) for o in offers] == [(urgent.pk, 1), (normal_old.pk, 2)]
    assert normal_new.pk not in {o.referral_id for o in offers}
    assert len(mailoutbox) == 2 and mailoutbox[0].to == ["cor@example.invalid"]
    assert cases[0].number not in mailoutbox[0].body  # no case data in the mail

    with django_capture_on_commit_callbacks(execute=True):
        services.availability_update(actor=shelter, place=place, capacity=4, free=2)
    assert WaitingOffer.objects.count() == 2  # an open offer is not repeated
