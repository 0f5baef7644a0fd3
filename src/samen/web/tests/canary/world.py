"""The canary world: the demo world plus a few target cases with a unique marker planted in every
personal field of every category. Setup may use the services and the ORM (it is not what is
under test); the assertions elsewhere read only HTTP responses.

Every text marker has the form CANARY-<kind>-<case tag>[-<field>], so one substring search per
(kind, case) finds every field of that kind. Dates (birth, reflection period, B8/3) are chosen
far from any date the demo world produces (the demo spans the last four years), so a date found
on a page is the planted one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from samen.accounts.models import User
from samen.cases import crypto
from samen.cases import services as case_services
from samen.cases.models import AgeBand, Case, CaseEvent, CaseNote, Gender, Person
from samen.core.actor import Actor, actor_for_membership
from samen.core.models import CaseShare, EmergencyAccess, Purpose
from samen.demo.builder import build_demo_world
from samen.organisations.models import Membership, Municipality, Organisation, Role
from samen.signalling.models import Signal, SignalList
from samen.signalling.services import PersonInput, SignalInput, signal_record

AMS = ZoneInfo("Europe/Amsterdam")
UTRECHT_REGION = "VR09"
GRONINGEN_REGION = "VR01"
# A hotel in another region, made for the test: "a different hotel" must see nothing.
UTRECHT, GRONINGEN = "GM0344", "GM0014"
OTHER_HOTEL_USER = "canary-hotel-noord"


@dataclass
class Target:
    """One target case and the markers planted in it, by kind."""

    tag: str
    number: str = ""
    markers: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, value: str) -> str:
        self.markers.setdefault(kind, []).append(value)
        return value

    def text(self, kind: str, what: str = "") -> str:
        return self.add(kind, f"CANARY-{kind}-{self.tag}" + (f"-{what}" if what else ""))


@dataclass
class CanaryWorld:
    targets: dict[str, Target]
    signal_ids: list[int]
    share_ids: list[int]
    referral_ids: list[int]
    # Dates are markers too; they are searched in several renderings (see attacker.date_forms).
    dates: dict[str, dict[str, list[date]]] = field(default_factory=dict)


def _member(username: str) -> Membership:
    m = (
        Membership.objects.select_related("user", "organisation__municipality__region")
        .filter(user__username=username)
        .order_by("id")
        .first()
    )
    assert m is not None, f"demo user {username} has no membership"
    return m


def _actor(username: str, purpose: str = "") -> Actor:
    return actor_for_membership(_member(username), origin="test:canary", purpose=purpose)


def _canary_municipality(target: Target, region_code: str) -> Municipality:
    """A municipality of its own per target case, named after the location marker, so the
    case's location is as unique as any other marker."""
    near = Municipality.objects.filter(region__code=region_code).order_by("code").first()
    seq = 9900 + sum(map(ord, target.tag)) % 99
    return Municipality.objects.create(
        code=f"GM{seq:04d}",
        name=target.text("location"),
        region=near.region,
        province=near.province,
    )


def _signal(
    username: str,
    *,
    municipality: str,
    notes: str,
    person: PersonInput,
    on: date,
    code: str = "general",
    forms: list[str] | None = None,
) -> Signal:
    signal_list = SignalList.objects.get(code=code, is_current=True)
    indicators = [i.code for i in signal_list.indicators.order_by("id")[:2]]
    outcome = signal_record(
        actor=_actor(username),
        data=SignalInput(
            signal_list=code,
            indicators=indicators,
            observed_on=on,
            municipality=municipality,
            setting="",
            notes=notes,
            forms=forms or ["sexual"],
            person=person,
        ),
        synthetic=True,
        at=datetime.combine(on, time(11), AMS),
    )
    return outcome.signal


def _identity(target: Target, person: Person, born: date, world: CanaryWorld) -> None:
    """Identity and contact in the encrypted identity, plus one field that no category names:
    deny by default means nobody ever sees it."""
    case_services.identity_store(
        person=person,
        payload={
            "name": target.text("identity", "name") + " (demo)",
            "date_of_birth": born.isoformat(),
            "nationality": target.text("identity", "nat"),
            "contact": target.text("contact", "phone"),
            "canary_unclassified": target.text("unclassified", "field"),
        },
    )
    world.dates.setdefault(target.tag, {}).setdefault("identity", []).append(born)


def _note(username: str, case: Case, text: str, purpose: str = "") -> None:
    """A note as its author writes it; the ORM directly, so this setup does not depend on who
    may write notes where (that is what the policy branches change), only on the note model."""
    actor = _actor(username, purpose)
    kind = CaseNote.Kind.INVESTIGATION if username == "demo-investigator" else CaseNote.Kind.CARE
    now = timezone.now()
    CaseNote.objects.create(
        case=case,
        kind=kind,
        ciphertext=crypto.encrypt_json({"text": text}, context=f"note:{case.number}"),
        author=actor.user,
        organisation=actor.organisation,
        created_at=now,
    )
    case_services.event_add(
        case=case, kind=CaseEvent.Kind.NOTE_ADDED, actor=actor, at=now, note_kind=kind
    )


def _share(
    case: Case, *, recipient: Organisation, purpose: str, categories: list[str], reason: str
) -> CaseShare:
    """A share as the responsible coordinator makes it (ORM: the register's share rules are not
    under test here; which categories the share names is)."""
    coordinator = _actor("demo-coordinator")
    now = timezone.now()
    share = CaseShare.objects.create(
        case=case,
        from_organisation=coordinator.organisation,
        recipient=recipient,
        purpose=Purpose.objects.get(code=purpose),
        categories=sorted(categories),
        reason=reason,
        shared_by=coordinator.user,
        shared_at=now,
    )
    case_services.event_add(
        case=case, kind=CaseEvent.Kind.SHARED, actor=coordinator, at=now,
        share=share.pk, recipient=recipient.pk, purpose=purpose, categories=share.categories,
    )  # fmt: skip
    return share


# The identification path of U1, each step with a date in 2012 (the demo world has none there).
U1_PATH = [
    ("demo-investigator", "assessment_start", {}),
    ("demo-investigator", "indication_establish", {"established_on": date(2012, 3, 13)}),
    ("demo-investigator", "reflection_offer", {"starts_on": date(2012, 3, 14)}),
    ("demo-investigator", "reflection_accept", {"decided_on": date(2012, 3, 20)}),
    ("demo-investigator", "report_record",
     {"reported_on": date(2012, 4, 17), "kind": "report", "police_unit": "Midden"}),
    ("demo-ind", "b83_apply", {"applied_on": date(2012, 4, 18)}),
    ("demo-ind", "b83_grant",
     {"decided_on": date(2012, 5, 22), "permit_starts_on": date(2012, 5, 23)}),
]  # fmt: skip


def _identification_path(case: Case, target: Target, world: CanaryWorld) -> None:
    """The reflection period and the B8/3 permit, taken through the identification services with
    today's dates (the machine checks their order against today), then re-dated in the stored
    steps and deadlines to the 2012 dates above, so every immigration date is a marker."""
    from samen.identification import services as ident
    from samen.identification.models import AgeAssessment, Deadline, PathStep

    investigator = _actor("demo-investigator")
    ident.path_facts_set(
        actor=investigator, case=case, foreign_national=True, lawful_residence=False,
        unaccompanied=False, age_assessment=AgeAssessment.DOCUMENTED,
    )  # fmt: skip
    today = timezone.localdate()
    live_dates = [today - timedelta(days=60 - i) for i in range(len(U1_PATH) + 2)]
    k = 0
    for username, code, values in U1_PATH:
        live = {}
        for key, value in values.items():
            if isinstance(value, date):
                live[key] = live_dates[k].isoformat()
                k += 1
            else:
                live[key] = value
        ident.transition_take(actor=_actor(username), case=case, code=code, values=live)
    # Each date under the kind of what it tells: the slightest indication and its decision
    # deadline are exploitation data, the report to the police criminal data, the reflection
    # period and B8/3 dates immigration data.
    planted: dict[str, list[date]] = {"immigration": [], "assessmentdate": [], "reportdate": []}
    date_kind = {"indication_establish": "assessmentdate", "report_record": "reportdate"}
    for step, (_, code, values) in zip(
        PathStep.objects.filter(path__case=case).order_by("at", "id"), U1_PATH, strict=True
    ):
        assert step.transition == code
        step.values = {
            key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in values.items()
        }
        step.save(update_fields=["values"])
        kind = date_kind.get(code, "immigration")
        planted[kind] += [v for v in values.values() if isinstance(v, date)]
    for i, deadline in enumerate(Deadline.objects.filter(path__case=case).order_by("id")):
        due = date(2012, 6, 11) + timedelta(days=7 * i)
        deadline.due_on = due
        deadline.save(update_fields=["due_on"])
        kind = "assessmentdate" if deadline.kind == "assessment_decision" else "immigration"
        planted[kind].append(due)
    world.dates.setdefault(target.tag, {}).update(planted)


def _other_hotel_user() -> None:
    """A second hotel (Groningen) with its own field professional: nothing of any target case."""
    from samen.demo.builder import DEMO_PASSWORD, _demo_second_factor

    org = (
        Organisation.objects.filter(type="hospitality", municipality__region__code=GRONINGEN_REGION)
        .order_by("id")
        .first()
    )
    user = User.objects.create(username=OTHER_HOTEL_USER, first_name="Otto", is_synthetic=True)
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation=org, role=Role.FIELD_PROFESSIONAL)
    _demo_second_factor(user)


def build_canary_world() -> CanaryWorld:
    build_demo_world(seed=1, signals=20)
    _other_hotel_user()
    world = CanaryWorld(targets={}, signal_ids=[], share_ids=[], referral_ids=[])
    today = timezone.localdate()
    with transaction.atomic():
        _u1(world, today)
        _u2(world, today)
        _m1(world, today)
        _g1(world, today)
    return world


def _u1(world: CanaryWorld, today: date) -> None:
    """U1: an adult in Utrecht, signalled by the hotel (demo-hotel) and by a social team from
    another region; a reflection period and a B8/3 permit (so the IND has a relation); shared
    with the Utrecht shelter for demographics and location only, and with the Utrecht police
    for investigation; a care note by the coordinator and an investigation note by the police."""
    t = world.targets["U1"] = Target("U1")
    muni = _canary_municipality(t, UTRECHT_REGION)
    hotel = _signal(
        "demo-hotel", municipality=UTRECHT, notes=t.text("hotelsignal", "notes"),
        person=PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_23_29),
        on=today - timedelta(days=70), code="hospitality",
    )  # fmt: skip
    case = hotel.case
    t.number = case.number
    _place_case(case, muni)
    other = _signal(
        "demo-field-vr01", municipality=UTRECHT, notes=t.text("othersignal", "notes"),
        person=PersonInput(), on=today - timedelta(days=69),
    )  # fmt: skip
    # The second signal names no person, so it opens its own case: move it onto U1, as the
    # coordinator's linking would.
    stray = other.case
    Signal.objects.filter(pk=other.pk).update(case=case)
    _rekey_signal_notes(other.pk, case, t.markers["othersignal"][0])
    stray.events.all().delete()
    stray.delete()
    world.signal_ids += [hotel.pk, other.pk]
    _identity(t, case.person, date(1986, 11, 27), world)
    _note("demo-coordinator", case, t.text("carenote", "text"))
    shelter = _member("demo-shelter").organisation
    police = _member("demo-investigator").organisation
    s1 = _share(
        case, recipient=shelter, purpose="shelter_placement",
        categories=["demographics", "location"], reason=t.text("shelterreason", "why"),
    )  # fmt: skip
    s2 = _share(
        case, recipient=police, purpose="investigation",
        categories=["identity", "demographics", "exploitation", "location", "immigration"],
        reason=t.text("policereason", "why"),
    )  # fmt: skip
    world.share_ids += [s1.pk, s2.pk]
    _note("demo-investigator", case, t.text("investigationnote", "text"))
    _identification_path(case, t, world)


def _place_case(case: Case, municipality: Municipality) -> None:
    """The case's location: its own municipality. The signals keep the municipality their
    signaller entered (a signaller may see what it wrote itself), so the marker is the case's."""
    Case.objects.filter(pk=case.pk).update(municipality=municipality)


def _rekey_signal_notes(signal_pk: int, case: Case, notes: str) -> None:
    # Signal notes are encrypted with the case number as context: re-encrypt for the new case.
    Signal.objects.filter(pk=signal_pk).update(
        notes_ciphertext=crypto.encrypt_json({"notes": notes}, context=f"signal:{case.number}")
    )


def _u2(world: CanaryWorld, today: date) -> None:
    """U2: an adult in Utrecht signalled by the social team (demo-professional); no reflection
    period, no share, no assessment; a care note and a shelter referral with a needs profile."""
    t = world.targets["U2"] = Target("U2")
    muni = _canary_municipality(t, UTRECHT_REGION)
    signal = _signal(
        "demo-professional", municipality=UTRECHT, notes=t.text("profsignal", "notes"),
        person=PersonInput(gender=Gender.MALE, age_band=AgeBand.AGE_30_49),
        on=today - timedelta(days=50), forms=["labour"],
    )  # fmt: skip
    case = signal.case
    t.number = case.number
    _place_case(case, muni)
    world.signal_ids.append(signal.pk)
    _identity(t, case.person, date(1977, 8, 19), world)
    _note("demo-coordinator", case, t.text("carenote", "text"))
    world.referral_ids.append(_referral(case, t))


def _referral(case: Case, t: Target) -> int:
    """A referral with a needs profile (health: care needs, addiction). The needs hold codes; the
    languages are the one free-text list in it, so the health marker goes there too."""
    from samen.shelter.services import NeedsInput, referral_create

    referral = referral_create(
        actor=_actor("demo-coordinator"),
        case=case,
        data=NeedsInput(addiction=True, care=["addiction"], languages=[]),
    )
    needs = dict(referral.needs)
    needs["languages"] = [t.text("health", "needs").lower()]
    type(referral).objects.filter(pk=referral.pk).update(needs=needs)
    return referral.pk


def _m1(world: CanaryWorld, today: date) -> None:
    """M1: an unaccompanied foreign minor in Utrecht with Nidos attached as guardian (the
    identification demo's minor case), given an identity, a care note and a signal note."""
    from samen.identification.models import IdentificationPath

    path = (
        IdentificationPath.objects.select_related("case")
        .filter(guardian_organisation__type="nidos", case__is_synthetic=True)
        .order_by("id")
        .first()
    )
    assert path is not None, "the demo world has a minor with Nidos attached"
    case = path.case
    t = world.targets["M1"] = Target("M1", number=case.number)
    signal = case.signals.order_by("id").first()
    _rekey_signal_notes(signal.pk, case, t.text("profsignal", "notes"))
    world.signal_ids.append(signal.pk)
    _identity(t, case.person, date(2010, 1, 29), world)
    _note("demo-coordinator", case, t.text("carenote", "text"))


def _g1(world: CanaryWorld, today: date) -> None:
    """G1: an adult in Groningen, its own region's coordinator responsible; the Utrecht
    coordinator opens it by emergency access (flagged, with a reason)."""
    t = world.targets["G1"] = Target("G1")
    muni = _canary_municipality(t, GRONINGEN_REGION)
    signal = _signal(
        "demo-field-vr01", municipality=GRONINGEN, notes=t.text("othersignal", "notes"),
        person=PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_18_22),
        on=today - timedelta(days=40),
    )  # fmt: skip
    case = signal.case
    t.number = case.number
    _place_case(case, muni)
    world.signal_ids.append(signal.pk)
    _identity(t, case.person, date(1999, 12, 3), world)
    _note("demo-coordinator-noord", case, t.text("carenote", "text"))
    coordinator = _actor("demo-coordinator")
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        case=case,
        user=coordinator.user,
        organisation=coordinator.organisation,
        role=coordinator.role,
        reason=t.text("emergencyreason", "why") + " victim in danger tonight",
        started_at=now,
        expires_at=now + timedelta(hours=2),
    )
    case_services.event_add(
        case=case, kind=CaseEvent.Kind.EMERGENCY_ACCESS, actor=coordinator, at=now,
        emergency=access.pk, expires_at=access.expires_at.isoformat(),
    )  # fmt: skip
