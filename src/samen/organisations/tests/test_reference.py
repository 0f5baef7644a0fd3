import pytest

from samen.organisations.models import Municipality, Province, SafetyRegion
from samen.organisations.reference import load_reference


@pytest.mark.django_db
def test_all_municipalities_regions_and_provinces_are_loaded():
    assert Municipality.objects.count() == 342
    assert SafetyRegion.objects.count() == 25
    assert Province.objects.count() == 12
    utrecht = Municipality.objects.get(code="GM0344")
    assert (utrecht.name, utrecht.region.code, utrecht.province.name) == (
        "Utrecht",
        "VR09",
        "Utrecht",
    )


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    assert load_reference() == (12, 25, 342)
    assert Municipality.objects.count() == 342
