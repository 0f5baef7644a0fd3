"""Synthetic volume for the demo statistics page.

The demo world records a few hundred signals one by one through the signalling service, which
gives the case pages a realistic history but too few persons for yearly tables in which not
almost every cell is suppressed. This adds, in bulk, a clearly synthetic register of earlier
years in the proportions of the national figures: persons, cases with forms, one or two
signals each (a second signal of the same person in the same year shows counting per person),
identification paths and, where the shelter directory exists, referrals with placements.

Every row is flagged ``is_synthetic`` where the model has the flag; persons have no identity.
Idempotent: nothing is added when the volume is already there.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from samen.cases.models import Case, CaseEvent, CaseNumberCounter, ExploitationForm, Person
from samen.cases.services import format_case_number
from samen.identification.models import IdentificationPath, PathDefinition
from samen.organisations.models import Membership, OrganisationType, Role
from samen.shelter.models import Place, Placement, Referral
from samen.signalling.models import Signal, SignalList

AMS = ZoneInfo("Europe/Amsterdam")
MARK = "statistics-volume"  # in the opening event's data: how this module finds its own cases

# Shares loosely after the national reports (DOMAIN.md): sexual and labour exploitation
# dominate, about 8% minors, two thirds women.
FORMS = {"sexual": 45, "labour": 30, "criminal": 18, "forced_begging": 2, "other": 5}
GENDERS = {"female": 62, "male": 33, "unknown": 5}
BANDS = {"0-11": 1, "12-17": 7, "18-22": 22, "23-29": 26, "30-49": 32, "50+": 5, "unknown": 7}
NATIONALITIES = {"NL": 35, "EU": 33, "non_EU": 24, "unknown": 8}
STATES = {"under_assessment": 15, "indication_established": 20, "reflection_accepted": 10,
          "indication_not_established": 10, "report_made": 20, "b83_granted": 15,
          "b83_refused": 4, "other_route": 6}  # fmt: skip


@dataclass(frozen=True)
class VolumeSummary:
    persons: int
    cases: int
    signals: int
    identification_paths: int
    placements: int


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def add_statistics_volume(
    *, seed: int = 1, persons: int = 1500, years: int = 5, today: date | None = None
) -> VolumeSummary:
    if CaseEvent.objects.filter(kind=CaseEvent.Kind.CREATED, data__source=MARK).exists():
        return VolumeSummary(0, 0, 0, 0, 0)
    rng = random.Random(seed * 7 + 3)
    today = today or timezone.localdate()
    recorders = list(
        Membership.objects.filter(
            role__in=[Role.FIELD_PROFESSIONAL, Role.CARE_COORDINATOR], is_active=True
        )
        .select_related("organisation__municipality__region")
        .order_by("pk")
    )
    lists = list(SignalList.objects.filter(is_current=True).order_by("code"))
    forms = {f.code: f for f in ExploitationForm.objects.all()}
    hubs = {
        m.organisation.municipality.region_id: m.organisation
        for m in recorders
        if m.organisation.type == OrganisationType.CARE_COORDINATION
    }
    if not recorders or not lists or not hubs:
        return VolumeSummary(0, 0, 0, 0, 0)
    definition = PathDefinition.objects.filter(is_current=True).first()
    places = list(Place.objects.filter(is_active=True).order_by("pk"))
    first_year = today.year - years
    now = datetime.now(AMS)
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [
                Person(
                    ref=uuid.UUID(int=rng.getrandbits(128), version=4),
                    gender=_pick(rng, GENDERS),
                    age_band=(band := _pick(rng, BANDS)),
                    is_minor=band in ("0-11", "12-17"),
                    age_is_estimate=True,
                    nationality_group=_pick(rng, NATIONALITIES),
                    is_synthetic=True,
                )
                for _ in range(persons)
            ]
        )
        plans = []
        for person in people:
            # Earlier years only, so this year's figures stay those of the live demo signals.
            year = rng.randrange(first_year, today.year)
            opened = datetime.combine(
                date(year, 1, 1) + timedelta(days=rng.randrange(365)),
                time(9 + rng.randrange(9), rng.randrange(60)),
                AMS,
            )
            plans.append((person, opened, rng.choice(recorders)))
        plans.sort(key=lambda plan: plan[1])
        cases = []
        for person, opened, member in plans:
            year = opened.year
            counter, _created = CaseNumberCounter.objects.get_or_create(year=year)
            counter.last += 1
            counter.save(update_fields=["last"])
            region_id = member.organisation.municipality.region_id
            cases.append(
                Case(
                    number=format_case_number(year, counter.last),
                    person=person,
                    status=rng.choice(["in_assessment", "in_care", "closed", "closed"]),
                    responsible_organisation=hubs.get(region_id, next(iter(hubs.values()))),
                    municipality=member.organisation.municipality,
                    region_id=region_id,
                    opened_at=opened,
                    is_synthetic=True,
                )
            )
        cases = Case.objects.bulk_create(cases)
        through = Case.forms.through
        links = []
        for case in cases:
            code = _pick(rng, FORMS)
            links.append(through(case_id=case.pk, exploitationform_id=forms[code].pk))
        through.objects.bulk_create(links)
        signals, events = [], []
        for case, (_person, opened, member) in zip(cases, plans, strict=True):
            times = [opened]
            later = opened + timedelta(days=rng.randrange(5, 60))
            if rng.random() < 0.12 and later.year == opened.year:
                times.append(later)  # signalled again the same year: still one person
            for n, at in enumerate(times):
                signals.append(
                    Signal(
                        case=case, signal_list=rng.choice(lists), recorded_by=member.user,
                        organisation=member.organisation,
                        municipality=member.organisation.municipality,
                        region_id=case.region_id, observed_on=at.date(), advice="report",
                        advice_reasons=[], linked_to_existing=n > 0, created_at=at,
                        is_synthetic=True,
                    )
                )  # fmt: skip
            events.append(
                CaseEvent(case=case, at=opened, kind=CaseEvent.Kind.CREATED,
                          data={"source": MARK, "synthetic": True})
            )  # fmt: skip
        Signal.objects.bulk_create(signals)
        CaseEvent.objects.bulk_create(events)
        paths = []
        if definition is not None:
            for case in cases:
                if rng.random() < 0.3:
                    started = case.opened_at + timedelta(days=rng.randrange(1, 20))
                    paths.append(
                        IdentificationPath(case=case, definition=definition,
                                           state=_pick(rng, STATES), started_at=started)
                    )  # fmt: skip
            IdentificationPath.objects.bulk_create(paths)
        placements = 0
        if places:
            for case in cases:
                if rng.random() >= 0.12:
                    continue
                asked = case.opened_at + timedelta(days=rng.randrange(0, 10))
                referral = Referral.objects.create(
                    case=case, organisation=case.responsible_organisation, created_at=asked,
                    needs={}, status="ended",
                )  # fmt: skip
                waited = timedelta(hours=rng.choice([6, 20, 50, 100, 200, 400, 900]))
                # History only: every placement has ended, so no demo place stays taken.
                ended = min(asked + waited + timedelta(days=rng.randrange(30, 200)), now)
                Placement.objects.create(
                    referral=referral, place=rng.choice(places), started_at=asked + waited,
                    ended_at=ended,
                    outflow=rng.choice(["supported_housing", "independent_housing", "other"]),
                )  # fmt: skip
                placements += 1
    return VolumeSummary(len(people), len(cases), len(signals), len(paths), placements)
