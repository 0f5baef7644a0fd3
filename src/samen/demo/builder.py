"""A deterministic synthetic world for demos and tests. Every name here is invented and every
record is flagged is_synthetic; nothing describes a real person."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.accounts.models import User
from samen.accounts.twofactor import requires_second_factor
from samen.barriers.demo import build_barrier_demo
from samen.cases.models import AgeBand, Case, CaseEvent, ExploitationForm, Gender
from samen.core.actor import actor_for_membership
from samen.identification.demo import build_identification_demo
from samen.organisations.models import (
    Membership,
    Municipality,
    Organisation,
    OrganisationType,
    Role,
    SafetyRegion,
)
from samen.review.demo import build_review_demo
from samen.shelter.demo import build_shelter_directory
from samen.signalling.models import SignalList
from samen.signalling.services import PersonInput, SignalInput, signal_record

DEMO_PASSWORD = "Samen-Demo-2026!"  # noqa: S105 - synthetic demo accounts only, printed by make run
AMS = ZoneInfo("Europe/Amsterdam")
T = OrganisationType

# (username, full name, organisation key, role)
DEMO_USERS = [
    ("demo-professional", "Pim Professional", "social_team:VR09", Role.FIELD_PROFESSIONAL),
    ("demo-hotel", "Hanna Hotel", "hospitality:VR09", Role.FIELD_PROFESSIONAL),
    ("demo-coordinator", "Cor Coördinator", "care_coordination:VR09", Role.CARE_COORDINATOR),
    ("demo-coordinator-noord", "Noor Coördinator", "care_coordination:VR01", Role.CARE_COORDINATOR),
    ("demo-shelter", "Sam Shelter", "shelter:VR09", Role.SHELTER_STAFF),
    ("demo-investigator", "Ivo Investigator", "police:VR09", Role.INVESTIGATOR),
    ("demo-registrar", "Rea Registrar", "comensha", Role.NATIONAL_REGISTRAR),
    ("demo-programme", "Pam Programme", "ministry", Role.PROGRAMME_STAFF),
    ("demo-privacy", "Pieter Privacy", "comensha", Role.PRIVACY_OFFICER),
    ("demo-admin", "Ada Admin", "comensha", Role.FUNCTIONAL_ADMIN),
    ("demo-ind", "Iris IND", "ind", Role.IND_OFFICER),
    ("demo-nidos", "Nina Nidos", "nidos", Role.GUARDIAN),
    ("demo-review", "Eva Ervaring", "ministry", Role.REVIEW_MEMBER),
    # The OM (officier van justitie) records the prosecution's decisions on the criminal case,
    # in a role of its own with the register's prosecution purpose (no care or health data).
    ("demo-om", "Olga Officier", "om", Role.PROSECUTOR),
    # Online help (issue #23): counsellors and their supervisor answer the anonymous chat.
    ("demo-counsellor", "Chris Counsellor", "chat", Role.COUNSELLOR),
    ("demo-counsellor2", "Kim Counsellor", "chat", Role.COUNSELLOR),
    ("demo-supervisor", "Sanne Supervisor", "chat", Role.CHAT_SUPERVISOR),
    ("demo-outreach", "Otto Outreach", "chat", Role.OUTREACH_WORKER),
    # Online signals (issue #18): the police's analyst reviews leads from online scans.
    ("demo-analyst", "Anouk Analist", "police:VR09", Role.ONLINE_ANALYST),
]

REGIONAL = [
    (T.CARE_COORDINATION, "Zorgcoördinatie Mensenhandel {r} (demo)"),
    (T.SOCIAL_TEAM, "Sociaal Team {m} (demo)"),
    (T.HOSPITALITY, "Hotel De Brug {m} (demo)"),
    (T.SCHOOL, "Scholengemeenschap {m} (demo)"),
    (T.POLICE, "Politie Team Mensenhandel {r} (demo)"),
    (T.SHELTER, "Opvang Veilig Onderdak {r} (demo)"),
]
NATIONAL = [
    ("comensha", T.COMENSHA, "CoMensha (demo)", "GM0363"),
    ("ministry", T.MINISTRY, "Programmateam Samen tegen Mensenhandel (demo)", "GM0518"),
    ("kmar", T.KMAR, "KMar Mensenhandel (demo)", "GM0363"),
    ("nla", T.LABOUR_INSPECTORATE, "Nederlandse Arbeidsinspectie (demo)", "GM0344"),
    ("ind", T.IND, "IND Mensenhandel (demo)", "GM0518"),
    ("om", T.PROSECUTION, "OM Landelijk Parket (demo)", "GM0599"),
    ("nidos", T.NIDOS, "Nidos (demo)", "GM0344"),
    ("coa", T.ASYLUM_RECEPTION, "COA locatie (demo)", "GM0228"),
    ("rapporteur", T.RAPPORTEUR, "Nationaal Rapporteur (demo)", "GM0518"),
    ("chat", T.YOUTH_CARE, "Chat met Hulp (demo)", "GM0080"),
]

FIRST = [
    "Ana",
    "Bogdan",
    "Chidi",
    "Daria",
    "Elena",
    "Farah",
    "Gabriel",
    "Iulia",
    "Joy",
    "Kasia",
    "Lin",
    "Maria",
    "Nadia",
    "Olek",
    "Precious",
    "Quynh",
    "Rosa",
    "Sami",
    "Tomas",
    "Vera",
]
LAST = [
    "Albu",
    "Barbu",
    "Chen",
    "Dumitru",
    "Eze",
    "Florea",
    "Gashi",
    "Horvat",
    "Ilie",
    "Jovanovic",
    "Kowalska",
    "Lungu",
    "Mensah",
    "Novak",
    "Okafor",
    "Popescu",
    "Radu",
    "Stan",
    "Tudor",
    "Vasile",
]
NATIONALITIES = ["RO", "BG", "PL", "NG", "NL", "UA", "VN", "HU", "ER", "CN", "MA", "BR"]
LIST_FORMS = {
    "general": ["sexual", "labour", "criminal"],
    "hospitality": ["sexual"],
    "school": ["sexual", "criminal"],
    "asylum_minors": ["sexual", "criminal", "labour"],
    "labour": ["labour"],
    "online": ["sexual"],
}
DEMO_REGIONS = ["VR09", "VR01", "VR13", "VR17", "VR15", "VR21"]


@dataclass
class DemoSummary:
    organisations: int
    users: int
    signals: int
    linked: int


def _pick_municipality(region: SafetyRegion, name_hint: str) -> Municipality:
    muni = region.municipalities.filter(name=name_hint).first()
    return muni or region.municipalities.order_by("code").first()


def _organisations(rng: random.Random) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for region in SafetyRegion.objects.all():
        muni = _pick_municipality(region, region.name)
        for org_type, pattern in REGIONAL:
            if org_type in (T.HOSPITALITY, T.SCHOOL, T.SHELTER) and region.code not in DEMO_REGIONS:
                continue
            org, _ = Organisation.objects.get_or_create(
                name=pattern.format(r=region.name, m=muni.name),
                municipality=muni,
                defaults={"type": org_type, "is_synthetic": True},
            )
            orgs[f"{org_type}:{region.code}"] = org
    for key, org_type, name, gm in NATIONAL:
        org, _ = Organisation.objects.get_or_create(
            name=name,
            municipality=Municipality.objects.get(code=gm),
            defaults={"type": org_type, "is_synthetic": True},
        )
        orgs[key] = org
    return orgs


def _users(orgs: dict[str, Organisation]) -> dict[str, Membership]:
    members: dict[str, Membership] = {}
    for username, full_name, org_key, role in DEMO_USERS:
        first, _, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_synthetic": True,
                "is_staff": role == Role.FUNCTIONAL_ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        members[username], _ = Membership.objects.get_or_create(
            user=user, organisation=orgs[org_key], role=role
        )
        # A demo world built before a demo account changed role (the IND and Nidos borrowed the
        # registrar's and coordinator's roles) keeps no trace of the old one.
        Membership.objects.filter(user=user).exclude(pk=members[username].pk).update(
            is_active=False
        )
    # Field professionals in the other demo regions record the background signals.
    for code in DEMO_REGIONS:
        username = f"demo-field-{code.lower()}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": "Veld", "last_name": code, "is_synthetic": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        members[username], _ = Membership.objects.get_or_create(
            user=user, organisation=orgs[f"social_team:{code}"], role=Role.FIELD_PROFESSIONAL
        )
    for member in members.values():
        _demo_second_factor(member.user)
    return members


def demo_totp_key(username: str) -> str:
    """A fixed, public TOTP key per demo account, so demos and tests can compute the code. Only
    synthetic accounts get one; real accounts enrol their own device."""
    return hashlib.sha256(f"samen-demo-totp:{username}".encode()).hexdigest()[:40]


def _demo_second_factor(user: User) -> None:
    if user.is_synthetic and requires_second_factor(user):
        TOTPDevice.objects.get_or_create(
            user=user,
            name="demo",
            defaults={"key": demo_totp_key(user.username), "confirmed": True},
        )


def build_demo_world(
    *, seed: int = 1, signals: int = 400, today: date | None = None
) -> DemoSummary:
    """Create (or extend) the synthetic world; the same seed gives the same world."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        orgs = _organisations(rng)
        members = _users(orgs)
    lists = {
        sl.code: sl
        for sl in SignalList.objects.filter(is_current=True).prefetch_related("indicators")
    }
    forms = set(ExploitationForm.objects.values_list("code", flat=True))
    municipalities_by_region = {
        code: list(Municipality.objects.filter(region__code=code).order_by("code"))
        for code in DEMO_REGIONS
    }
    recorders = [m for k, m in members.items() if k.startswith("demo-field-")]
    recorders += [members["demo-professional"], members["demo-hotel"]]
    known_people: list[PersonInput] = []
    linked = 0
    start = today - timedelta(days=4 * 365)
    for i in range(signals):
        member = rng.choice(recorders)
        region = member.organisation.municipality.region.code
        code = rng.choice(sorted(lists))
        if member.organisation.type == T.HOSPITALITY:
            code = "hospitality"
        sl = lists[code]
        indicators = list(sl.indicators.all())
        ticked = rng.sample(
            indicators, k=min(len(indicators), rng.choice([1, 1, 2, 2, 3, 3, 4, 5]))
        )
        # Acute indicators are rare in reality; keep them rare here too.
        ticked = [t for t in ticked if not t.acute or rng.random() < 0.15] or ticked[:1]
        observed = start + timedelta(days=int((today - start).days * (rng.random() ** 0.7)))
        recorded = datetime.combine(observed, time(9 + rng.randrange(9), rng.randrange(60)), AMS)
        if known_people and rng.random() < 0.08:
            person = rng.choice(known_people)
        else:
            person = _synthetic_person(rng, code, observed, with_identity=rng.random() < 0.35)
            if person.name:
                known_people.append(person)
        outcome = signal_record(
            actor=actor_for_membership(member, origin="cli:seed_demo"),
            data=SignalInput(
                signal_list=code,
                indicators=[t.code for t in ticked],
                observed_on=observed,
                municipality=rng.choice(municipalities_by_region[region]).code,
                setting=rng.choice(["", "", "receptie", "spreekuur", "huisbezoek", "controle"]),
                notes=f"Synthetische demonotitie {i + 1}." if rng.random() < 0.3 else "",
                forms=[f for f in rng.sample(LIST_FORMS[code], k=1) if f in forms],
                person=person,
            ),
            synthetic=True,
            at=min(recorded, datetime.now(AMS)),
        )
        linked += outcome.linked
    _advance_cases(rng, today)
    if signals:  # the full demo: also the national shelter directory
        build_shelter_directory(seed=seed)
        build_identification_demo(today=today)
        # Earlier years in bulk, so the statistics page has yearly tables worth reading.
        from samen.statistics.demo import add_statistics_volume

        add_statistics_volume(seed=seed, today=today, persons=4 * signals)
        # The holds of those referrals, so capacity planning can calibrate refusals.
        from samen.capacity.demo import add_capacity_flows

        add_capacity_flows(seed=seed)
        # The programme register: the public content of the progress letter (no personal data).
        from samen.programme.seed import load_demo_letter, load_seed

        load_seed()
        load_demo_letter()  # a second letter whose proposals wait on the review page
        # Barriers raised in the demo regions, and an advice text up for review.
        build_barrier_demo(today=today)
        build_review_demo()
    return DemoSummary(organisations=len(orgs), users=len(members), signals=signals, linked=linked)


def _advance_cases(rng: random.Random, today: date) -> None:
    """Move older demo cases along (in progress, referred, closed), so lists, statistics and
    retention have something to show. Direct updates: this is a generator of synthetic history,
    not a use case, and the timeline records each step."""
    for case in Case.objects.filter(is_synthetic=True, status="signalled").order_by("pk"):
        age_days = (today - case.opened_at.date()).days
        if age_days < 30:
            continue
        roll = rng.random()
        status = "closed" if roll < 0.45 else "in_care" if roll < 0.6 else "in_assessment"
        at = case.opened_at + timedelta(days=rng.randint(7, max(8, min(age_days - 1, 400))))
        Case.objects.filter(pk=case.pk).update(
            status=status, closed_at=at if status == "closed" else None
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.STATUS_CHANGED,
            at=at,
            data={"old": "signalled", "new": status, "synthetic": True},
        )


def _synthetic_person(
    rng: random.Random, code: str, observed: date, *, with_identity: bool
) -> PersonInput:
    minor_list = code in ("school", "asylum_minors")
    band = rng.choice(
        ["12-17"]
        if minor_list
        else ["18-22", "23-29", "23-29", "30-49", "30-49", "50+", "unknown", "12-17"]
    )
    person = PersonInput(
        gender=rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.MALE, Gender.UNKNOWN]),
        age_band=band,
    )
    if with_identity:
        low, high = {
            "12-17": (12, 17),
            "18-22": (18, 22),
            "23-29": (23, 29),
            "30-49": (30, 49),
            "50+": (50, 65),
        }.get(band, (20, 40))
        age = rng.randint(low, high)
        person.date_of_birth = observed - timedelta(days=age * 365 + rng.randrange(365))
        person.name = f"{rng.choice(FIRST)} {rng.choice(LAST)} (demo)"
        person.nationality = rng.choice(NATIONALITIES)
        person.age_band = AgeBand.UNKNOWN
    return person
