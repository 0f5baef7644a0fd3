"""A synthetic, deterministic shelter directory for demos: 60+ providers and 400+ places across
every safety region, including the three COSM locations with about 70 places. Every name is
invented and every row is flagged synthetic. Not wired anywhere yet: call
`build_shelter_directory()` after `samen.demo.builder.build_demo_world()`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from samen.cases.models import ExploitationForm
from samen.organisations.models import Municipality, Organisation, OrganisationType, SafetyRegion
from samen.shelter.models import (
    ContraCode,
    ContraIndication,
    Location,
    Place,
    PlaceAvailability,
    PlaceType,
    Provider,
    SecurityLevel,
    TargetGroup,
)

PROVIDER_NAMES = ["Veilig Onderdak", "De Schuilplaats", "Huis van Herstel", "Het Baken", "Kompas"]
LANGUAGES = ["nl", "en", "ro", "bg", "pl", "es", "pt", "fr", "ar", "ti", "vi", "zh", "uk"]
# (place type, target group, share of the regular units); COSM is added separately.
MIX = [
    (PlaceType.FIRST_RECEPTION, TargetGroup.ALL, 0.2),
    (PlaceType.SPECIALISED, TargetGroup.WOMEN, 0.25),
    (PlaceType.SPECIALISED, TargetGroup.MEN, 0.15),
    (PlaceType.COMBINED, TargetGroup.WOMEN, 0.2),
    (PlaceType.PROTECTED_MINORS, TargetGroup.MINORS, 0.1),
    (PlaceType.COMBINED, TargetGroup.FAMILIES, 0.1),
]
CONTRA_REASONS = {
    ContraCode.NO_NETWORK_TIE: "Open location: we cannot protect residents against a network.",
    ContraCode.NO_ACTIVE_ADDICTION: "No addiction care on site; residents share a house.",
    ContraCode.NO_PSYCHIATRIC: "No psychiatric care available at night.",
}
COSM_LOCATIONS = [("GM0363", 24), ("GM0344", 23), ("GM0855", 23)]  # about 70 places in total


@dataclass
class ShelterDemoSummary:
    providers: int
    places: int
    cosm_places: int


def _shelter_org(name: str, municipality: Municipality) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        name=name,
        municipality=municipality,
        defaults={"type": OrganisationType.SHELTER, "is_synthetic": True},
    )
    return org


def _provider(org: Organisation, name: str) -> Provider:
    provider, _ = Provider.objects.get_or_create(
        organisation=org, defaults={"name": name, "is_synthetic": True}
    )
    return provider


def _place(rng: random.Random, location: Location, name: str, **kw: Any) -> Place:
    now = timezone.now()
    explicit = "capacity" in kw
    drawn = kw.pop("capacity", rng.randint(2, 12))
    free = kw.pop("free", rng.choice([0, 0, 0, 1, 1, 2, 3]) if drawn > 2 else 0)
    # Realistic sizes, the random stream as before: a regular unit holds one place for victims
    # of trafficking (the Netherlands has a few hundred such places: COSM about 70, 36 for
    # complex care since 2019); combined women's / social shelter keeps its size, as it is
    # shared with other groups (capacity planning counts only a share of it).
    capacity = drawn if explicit or kw.get("type") == PlaceType.COMBINED else 1
    # Some counts are deliberately old, so the overview shows stale ones.
    reported = now - timedelta(hours=rng.choice([1, 2, 5, 12, 20, 30, 72]))
    place = Place.objects.create(
        location=location,
        name=name,
        municipality=location.municipality,
        funding_municipality=kw.pop("funding", location.municipality),
        capacity=capacity,
        free=min(free, capacity),
        availability_at=reported,
        languages=kw.pop("languages", sorted(rng.sample(LANGUAGES, rng.randint(1, 4)))),
        wheelchair_accessible=rng.random() < 0.4,
        care_addiction=rng.random() < 0.2,
        care_psychiatric=rng.random() < 0.2,
        care_medical=rng.random() < 0.3,
        is_synthetic=True,
        **kw,
    )
    PlaceAvailability.objects.create(
        place=place, capacity=place.capacity, free=place.free, reported_at=reported, cause="report"
    )
    return place


@transaction.atomic
def build_shelter_directory(*, seed: int = 1, providers_per_region: int = 3) -> ShelterDemoSummary:
    """Idempotent per provider organisation; places are only added to providers without any."""
    rng = random.Random(seed)
    forms = list(ExploitationForm.objects.all())
    now = timezone.now()
    places = cosm = 0
    providers: set[int] = set()
    for region in SafetyRegion.objects.all():
        municipalities = list(Municipality.objects.filter(region=region).order_by("code"))
        if not municipalities:
            continue
        centre = municipalities[0]
        existing = Organisation.objects.filter(
            type=OrganisationType.SHELTER, municipality__region=region
        ).order_by("id")
        orgs = list(existing[:providers_per_region])
        while len(orgs) < providers_per_region:
            base = PROVIDER_NAMES[len(orgs) % len(PROVIDER_NAMES)]
            muni = rng.choice(municipalities)
            orgs.append(_shelter_org(f"{base} {muni.name} (demo)", muni))
        for org in orgs:
            provider = _provider(org, org.name)
            providers.add(provider.pk)
            if provider.locations.exists():
                continue
            for loc_no in range(rng.randint(2, 3)):
                muni = rng.choice(municipalities)
                location = Location.objects.create(
                    provider=provider,
                    name=f"{provider.name} locatie {loc_no + 1}",
                    municipality=muni,
                )
                for unit in range(rng.randint(2, 4)):
                    place_type, group = rng.choices(
                        [(t, g) for t, g, _ in MIX], weights=[w for _, _, w in MIX]
                    )[0]
                    place = _place(
                        rng,
                        location,
                        f"{location.name} unit {unit + 1}",
                        type=place_type,
                        target_group=group,
                        min_age=12 if group == TargetGroup.MINORS else 18,
                        max_age=17 if group == TargetGroup.MINORS else None,
                        security_level=rng.choice(
                            [SecurityLevel.STANDARD] * 3
                            + [SecurityLevel.ELEVATED, SecurityLevel.HIGH]
                        ),
                        funding=centre,
                    )
                    if place_type == PlaceType.SPECIALISED and forms:
                        place.forms.set(rng.sample(forms, min(2, len(forms))))
                    if place_type != PlaceType.FIRST_RECEPTION and rng.random() < 0.35:
                        contra = rng.choice(list(CONTRA_REASONS))
                        ContraIndication.objects.create(
                            place=place, code=contra, reason=CONTRA_REASONS[contra], valid_from=now
                        )
                    places += 1
    # COSM: categorical shelter for adult non-Dutch victims in the reflection period, 3 locations.
    for i, (code, capacity) in enumerate(COSM_LOCATIONS, start=1):
        cosm_muni = Municipality.objects.filter(code=code).first()
        if cosm_muni is None:
            continue
        muni = cosm_muni
        org = _shelter_org(f"COSM {muni.name} (demo)", muni)
        provider = _provider(org, org.name)
        providers.add(provider.pk)
        if provider.locations.exists():
            continue
        location = Location.objects.create(
            provider=provider, name=f"COSM locatie {i}", municipality=muni
        )
        _place(
            rng,
            location,
            f"COSM {muni.name}",
            type=PlaceType.COSM,
            target_group=TargetGroup.FAMILIES,
            capacity=capacity,
            free=rng.randint(0, 3),
            security_level=SecurityLevel.ELEVATED,
            languages=["en", "nl", "ro", "bg", "es"],
        )
        places += 1
        cosm += capacity
    places += _first_reception_for_minors(seed)
    return ShelterDemoSummary(providers=len(providers), places=places, cosm_places=cosm)


def _first_reception_for_minors(seed: int) -> int:
    """First reception for minors in every region, behind high security: a minor never waits in
    adult first reception. Added to the region's first demo provider (its own random stream, so
    the rest of the directory stays as it was); idempotent by name."""
    rng = random.Random(seed * 7919)
    added = 0
    for region in SafetyRegion.objects.order_by("code"):
        location = (
            Location.objects.filter(
                provider__is_synthetic=True,
                municipality__region=region,
                provider__organisation__type=OrganisationType.SHELTER,
            )
            .exclude(provider__name__startswith="COSM")
            .order_by("provider__name", "name")
            .first()
        )
        name = f"Eerste opvang minderjarigen {region.code} (demo)"
        if location is None or Place.objects.filter(name=name).exists():
            continue
        _place(
            rng,
            location,
            name,
            type=PlaceType.FIRST_RECEPTION_MINORS,
            target_group=TargetGroup.MINORS,
            min_age=0,
            max_age=17,
            security_level=SecurityLevel.HIGH,
            capacity=2,
            free=rng.randint(1, 2),
        )
        added += 1
    return added
