"""A small register of one year (the year before this one) and the year before it: referrals
with known profiles, holds with known refusals, placements with known waits and stays, in
three safety regions, on a directory of a few places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from samen.cases.models import Case, ExploitationForm, Person
from samen.organisations.models import (
    Municipality,
    Organisation,
    OrganisationType,
    SafetyRegion,
)
from samen.shelter.models import (
    Hold,
    HoldStatus,
    Location,
    Placement,
    PlaceType,
    Provider,
    Referral,
    TargetGroup,
)
from samen.shelter.tests.conftest import make_place

AMS = ZoneInfo("Europe/Amsterdam")
# (region, municipality, gender, minor, form, referrals, refusals each, place key)
GROUPS = [
    ("VR09", "GM0344", "female", False, "sexual", 12, 0, "women"),
    ("VR01", "GM0014", "male", True, "labour", 4, 1, "minors"),
    ("VR03", "GM0014", "female", False, "labour", 15, 0, "women"),
]
WAIT = timedelta(days=2)
STAY = timedelta(days=30)


@dataclass
class Register:
    year: int
    places: dict
    referrals: int
    refusals: dict[str, tuple[int, int]]


def _case(
    n: int,
    year: int,
    region_code: str,
    muni: Municipality,
    org,
    gender: str,
    minor: bool,
    form: ExploitationForm,
    opened: datetime,
) -> Case:
    person = Person.objects.create(
        gender=gender, age_band="12-17" if minor else "23-29", is_minor=minor, is_synthetic=True
    )
    case = Case.objects.create(
        number=f"T{year}-{n:05d}",
        person=person,
        responsible_organisation=org,
        municipality=muni,
        region=SafetyRegion.objects.get(code=region_code),
        opened_at=opened,
        is_synthetic=True,
    )
    case.forms.add(form)
    return case


@pytest.fixture
def register(world) -> Register:
    year = timezone.localdate().year - 1
    utrecht = Municipality.objects.get(code="GM0344")
    org = Organisation.objects.get(type=OrganisationType.SHELTER, municipality__region__code="VR09")
    provider = Provider.objects.create(organisation=org, name="Opvang (test)")
    loc = Location.objects.create(provider=provider, name="Locatie", municipality=utrecht)
    places = {
        "women": make_place(loc, "Vrouwen", capacity=6),
        "first": make_place(
            loc,
            "Eerste opvang",
            type=PlaceType.FIRST_RECEPTION,
            target_group=TargetGroup.ALL,
            capacity=3,
        ),
        "minors": make_place(
            loc,
            "Minderjarigen",
            type=PlaceType.PROTECTED_MINORS,
            target_group=TargetGroup.MINORS,
            min_age=12,
            max_age=17,
            capacity=2,
        ),
    }
    coordination = Organisation.objects.filter(type=OrganisationType.CARE_COORDINATION).first()
    n = 0
    refusals: dict[str, list[int]] = {}
    for back in (1, 0):  # the year before (for the back-test) and the year itself
        for region, muni_code, gender, minor, form, count, refused, key in GROUPS:
            muni = Municipality.objects.get(code=muni_code)
            form_row = ExploitationForm.objects.get(code=form)
            for i in range(count):
                n += 1
                created = datetime(year - back, 2, 1, 10, tzinfo=AMS) + timedelta(days=9 * i)
                case = _case(
                    n, year - back, region, muni, coordination, gender, minor, form_row, created
                )
                referral = Referral.objects.create(
                    case=case, organisation=coordination, created_at=created, status="ended"
                )
                at = created + timedelta(hours=12)
                for _ in range(refused):
                    Hold.objects.create(
                        referral=referral,
                        place=places["women"],
                        created_at=at,
                        expires_at=at + timedelta(hours=3),
                        status=HoldStatus.DECLINED,
                        responded_at=at + timedelta(hours=6),
                        decline_reason="no_fit",
                    )
                    at += timedelta(hours=6)
                hold = Hold.objects.create(
                    referral=referral,
                    place=places[key],
                    created_at=at,
                    expires_at=at + timedelta(hours=3),
                    status=HoldStatus.ACCEPTED,
                    responded_at=at + timedelta(hours=6),
                )
                Placement.objects.create(
                    referral=referral,
                    place=places[key],
                    hold=hold,
                    started_at=created + WAIT,
                    ended_at=created + WAIT + STAY,
                )
                if back == 0:
                    profile = f"{'minor' if minor else 'adult'}/{gender}"
                    counts = refusals.setdefault(profile, [0, 0])
                    counts[0] += refused
                    counts[1] += refused + 1
    total = sum(g[5] for g in GROUPS)
    return Register(year, places, total, {k: (a, b) for k, (a, b) in refusals.items()})
