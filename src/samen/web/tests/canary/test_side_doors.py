"""Writes that reach past a relation (issue #12, Why 3): the IND, whatever role its staff hold,
has no relation to a Groningen case's shelter referral and so cannot hold a place for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samen.demo.builder import build_demo_world
from samen.signalling.services import PersonInput
from samen.web.tests.canary.attacker import sign_in
from samen.web.tests.canary.world import GRONINGEN, _actor, _signal


@pytest.fixture
def groningen_referral(db):
    """A Groningen adult's referral, made by its own coordinator, and the best-fitting place."""
    from samen.shelter.services import NeedsInput, match_referral, referral_create

    build_demo_world(seed=1, signals=20)
    signal = _signal(
        "demo-field-vr01",
        municipality=GRONINGEN,
        notes="",
        person=PersonInput(gender="female", age_band="23-29"),
        on=timezone.localdate() - timedelta(days=3),
    )
    referral = referral_create(
        actor=_actor("demo-coordinator-noord"), case=signal.case, data=NeedsInput()
    )
    matches = match_referral(referral).matches
    assert matches, "the demo directory has a place that fits"
    return referral, matches[0].place.id


def test_ind_cannot_hold_a_place_on_another_regions_referral(groningen_referral):
    from samen.shelter.models import Hold

    referral, place = groningen_referral
    ind = sign_in("demo-ind")
    response = ind.post(f"/opvang/verwijzingen/{referral.pk}/vasthouden/", {"place": place})
    assert not Hold.objects.filter(referral=referral).exists(), (
        "the IND held a shelter place on a referral it has no relation to"
    )
    assert response.status_code in (403, 404)


def test_the_responsible_coordinator_can_hold_that_place(groningen_referral):
    """The control: the same request by the case's own coordinator does hold the place, so the
    refusal above is about the relation, not about a broken request."""
    from samen.shelter.models import Hold

    referral, place = groningen_referral
    coordinator = sign_in("demo-coordinator-noord")
    coordinator.post(f"/opvang/verwijzingen/{referral.pk}/vasthouden/", {"place": place})
    assert Hold.objects.filter(referral=referral).exists()
