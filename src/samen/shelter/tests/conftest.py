"""A small shelter directory on top of the demo world: places of demo-shelter (Utrecht, VR09)
and of another shelter (Groningen, VR01)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from samen.cases.models import AgeBand, ExploitationForm, Gender
from samen.organisations.models import Municipality, Organisation, OrganisationType
from samen.shelter.models import Location, Place, PlaceType, Provider, TargetGroup
from samen.signalling.services import PersonInput


def make_place(location: Location, name: str, **kw: object) -> Place:
    forms = kw.pop("forms", [])
    defaults = {
        "type": PlaceType.SPECIALISED,
        "target_group": TargetGroup.WOMEN,
        "municipality": location.municipality,
        "funding_municipality": location.municipality,
        "capacity": 4,
        "free": 2,
        "availability_at": timezone.now(),
        "is_synthetic": True,
    }
    defaults.update(kw)
    place = Place.objects.create(location=location, name=name, **defaults)
    if forms:
        place.forms.set(ExploitationForm.objects.filter(code__in=forms))
    return place


@pytest.fixture
def directory(world):
    utrecht = Municipality.objects.get(code="GM0344")
    groningen = Municipality.objects.get(code="GM0014")
    own_org = Organisation.objects.get(
        type=OrganisationType.SHELTER, municipality__region__code="VR09"
    )
    other_org = Organisation.objects.get(
        type=OrganisationType.SHELTER, municipality__region__code="VR01"
    )
    own = Provider.objects.create(organisation=own_org, name="Veilig Onderdak Utrecht")
    other = Provider.objects.create(organisation=other_org, name="Veilig Onderdak Groningen")
    own_loc = Location.objects.create(provider=own, name="Locatie Utrecht", municipality=utrecht)
    other_loc = Location.objects.create(
        provider=other, name="Locatie Groningen", municipality=groningen
    )
    return {
        "women": make_place(own_loc, "Vrouwenopvang Utrecht", forms=["sexual"], free=1),
        "first": make_place(
            own_loc,
            "Eerste opvang Utrecht",
            type=PlaceType.FIRST_RECEPTION,
            target_group=TargetGroup.ALL,
            free=3,
        ),
        "men": make_place(own_loc, "Mannenopvang Utrecht", target_group=TargetGroup.MEN),
        "groningen": make_place(other_loc, "Vrouwenopvang Groningen", free=2),
    }


@pytest.fixture
def case(record):
    person = PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_23_29, name="Test Persoon")
    return record(person=person, forms=["sexual"]).case
