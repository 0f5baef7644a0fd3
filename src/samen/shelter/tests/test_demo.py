"""The synthetic directory is big enough to demo and to match against, and can run twice."""

from __future__ import annotations

from samen.shelter.demo import build_shelter_directory
from samen.shelter.models import ContraIndication, Place, PlaceType, Provider


def test_demo_directory_has_the_promised_size_and_no_contra_on_first_reception(world):
    summary = build_shelter_directory(seed=1)
    assert summary.providers >= 60 and summary.places >= 400
    assert 65 <= summary.cosm_places <= 75
    assert Place.objects.filter(type=PlaceType.COSM).values("location").distinct().count() == 3
    assert not ContraIndication.objects.filter(place__type=PlaceType.FIRST_RECEPTION).exists()
    again = build_shelter_directory(seed=1)
    assert again.places == 0 and Provider.objects.count() == summary.providers


def test_demo_has_first_reception_for_minors_behind_high_security_in_every_region(world):
    build_shelter_directory(seed=1)
    minors_first = Place.objects.filter(type=PlaceType.FIRST_RECEPTION_MINORS)
    regions = set(minors_first.values_list("municipality__region__code", flat=True))
    assert len(regions) == len(
        set(Place.objects.values_list("municipality__region__code", flat=True))
    )
    assert all(p.security_level == "high" and p.free >= 1 and p.max_age == 17 for p in minors_first)
