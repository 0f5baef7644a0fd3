"""Canary data: a unique marker in every personal field of every data category of one person,
and a search of the whole database for markers (decrypting every ciphertext it can).

Fields that cannot hold a marker (foreign keys, many-to-many links, booleans, dates) are checked
by `structural_facts`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cryptography.exceptions import InvalidTag
from django.db import connection
from django.utils import timezone

from samen.cases import crypto
from samen.cases.models import Case, CaseEvent, CaseNote, Identity, Person
from samen.cases.services import case_number_next, identity_store
from samen.core.models import CaseShare, EmergencyAccess, Purpose
from samen.identification.models import (
    CommissionMember,
    CommissionReview,
    Deadline,
    HoldReminder,
    IdentificationPath,
    NonPunishmentFlag,
    Notification,
    PathDefinition,
    PathStep,
    Reminder,
)
from samen.organisations.models import Membership, Organisation, OrganisationType
from samen.shelter.models import (
    Hold,
    Location,
    Place,
    Placement,
    PlaceType,
    Provider,
    Referral,
    WaitingOffer,
)
from samen.signalling.models import Indicator, Signal, SignalList


def marker(tag: str, size: int = 0) -> str:
    """A value found nowhere else; `size` for the short code fields (max_length 8)."""
    if size:
        return "Q" + secrets.token_hex(8).upper()[: size - 1]
    return f"KANARIE-{tag}-{secrets.token_hex(6)}".replace("_", "-")


@dataclass
class Canary:
    person: Person
    cases: list[Case]
    markers: dict[str, str] = field(default_factory=dict)  # "category:place" -> marker

    def of(self, category: str) -> dict[str, str]:
        return {k: v for k, v in self.markers.items() if k.startswith(f"{category}:")}


def _place() -> Place:
    org = Organisation.objects.filter(type=OrganisationType.SHELTER).order_by("pk").first()
    provider, _ = Provider.objects.get_or_create(organisation=org, defaults={"name": org.name})
    location, _ = Location.objects.get_or_create(
        provider=provider, name="Kanarie", defaults={"municipality": org.municipality}
    )
    place, _ = Place.objects.get_or_create(
        location=location,
        name="Kanarieplaats",
        defaults={
            "type": PlaceType.SPECIALISED,
            "target_group": "all",
            "municipality": org.municipality,
            "funding_municipality": org.municipality,
            "capacity": 50,
            "free": 50,
        },
    )
    return place


def _member(username: str) -> Membership:
    return Membership.objects.select_related("user", "organisation").get(user__username=username)


def seed_person(tag: str, *, closed: list[datetime | None], at: datetime | None = None) -> Canary:
    """One person with a case per entry of `closed` (None: the case is open), each case carrying
    a marker in every personal field. Each case's records are dated `at`, else the day it
    closed (an open case: today); the statistics count people by these dates."""
    m = {}

    def mk(place: str, size: int = 0) -> str:
        m[place] = marker(f"{tag}-{place.replace(':', '-').replace('.', '-')}", size)
        return m[place]

    coordinator, investigator = _member("demo-coordinator"), _member("demo-investigator")
    shelter = _member("demo-shelter")
    org = coordinator.organisation
    person = Person.objects.create(
        match_key=mk("identity:person.match_key"),
        gender=mk("demographics:person.gender", 8),
        age_band=mk("demographics:person.age_band", 8),
        nationality_group=mk("demographics:person.nationality_group", 8),
        is_minor=True,
        age_is_estimate=False,
    )
    identity_store(
        person=person,
        payload={
            "name": mk("identity:name"),
            "date_of_birth": mk("identity:date_of_birth"),
            "nationality": mk("identity:nationality"),
            "contact": mk("contact:contact"),
        },
    )
    signal_list = SignalList.objects.filter(is_current=True).order_by("pk").first()
    indicator = Indicator.objects.filter(signal_list=signal_list).order_by("pk").first()
    definition = PathDefinition.objects.filter(is_current=True).order_by("pk").first()
    purpose = Purpose.objects.get(code="care_coordination")
    place = _place()
    cases = []
    for i, closed_at in enumerate(closed):
        now = at or closed_at or timezone.now()
        p = f"{i}."  # a place per case, so every case's markers are checked

        def mk_case(place: str, size: int = 0, p: str = p) -> str:
            category, rest = place.split(":", 1)
            return mk(f"{category}:{p}{rest}", size)

        number = case_number_next(year=timezone.localdate().year)  # as case_open: Amsterdam's year
        case = Case.objects.create(
            number=number, person=person, responsible_organisation=org,
            municipality=org.municipality, region=org.municipality.region,
            opened_at=timezone.now() - timedelta(days=40 * 365),
            status="closed" if closed_at else "in_assessment", closed_at=closed_at,
        )  # fmt: skip
        case.forms.set(case.forms.model.objects.all()[:1])
        cases.append(case)
        signal = Signal.objects.create(
            case=case, signal_list=signal_list, recorded_by=coordinator.user,
            organisation=org, municipality=org.municipality, region=org.municipality.region,
            observed_on=now.date(), setting=mk_case("free_text:signal.setting"),
            notes_ciphertext=crypto.encrypt_json(
                {"notes": mk_case("free_text:signal.notes")}, context=f"signal:{number}"
            ),
            advice="watch", advice_reasons=[mk_case("exploitation:signal.advice_reasons")],
            created_at=now,
        )  # fmt: skip
        signal.indicators.set([indicator])
        for kind, category in (
            ("care", "free_text"), ("shelter", "free_text"), ("investigation", "criminal"),
        ):  # fmt: skip
            text = mk_case(f"{category}:note.{kind}")
            CaseNote.objects.create(
                case=case, kind=kind, author=coordinator.user, organisation=org,
                ciphertext=crypto.encrypt_json({"text": text}, context=f"note:{number}"),
                created_at=now,
            )  # fmt: skip
        CaseEvent.objects.create(
            case=case, kind="identification", at=now,
            data={
                "non_punishment": [mk_case("criminal:event.non_punishment")],
                "values": {"applied_on": mk_case("immigration:event.values")},
                "facts": {"foreign": mk_case("immigration:event.facts")},
                "guardian": mk_case("minors:event.guardian"),
                "forms": [mk_case("exploitation:event.forms")],
                "outcome": mk_case("exploitation:event.outcome"),
                "reasons": [mk_case("exploitation:event.reasons")],
                "advice": [mk_case("exploitation:event.advice")],
            },
        )  # fmt: skip
        CaseShare.objects.create(
            case=case, from_organisation=org, recipient=investigator.organisation,
            purpose=purpose, categories=["identity"], shared_by=coordinator.user, shared_at=now,
            reason=mk_case("free_text:share.reason"),
        )  # fmt: skip
        EmergencyAccess.objects.create(
            case=case, user=shelter.user, organisation=shelter.organisation,
            role=shelter.role, reason=mk_case("free_text:emergency.reason"), started_at=now,
            expires_at=now, review_note=mk_case("free_text:emergency.review_note"),
        )  # fmt: skip
        referral = Referral.objects.create(
            case=case, organisation=org, membership=coordinator, created_by=coordinator.user,
            created_at=now,
            needs={
                "gender": mk_case("demographics:needs.gender"),
                "age_band": mk_case("demographics:needs.age_band"),
                "languages": [mk_case("demographics:needs.languages")],
                "addiction": mk_case("health:needs.addiction"),
                "care": [mk_case("health:needs.care")],
                "accessibility": mk_case("health:needs.accessibility"),
                "network_risk": mk_case("criminal:needs.network_risk"),
                "minor": mk_case("minors:needs.minor"),
                "forms": [mk_case("exploitation:needs.forms")],
                "security": mk_case("exploitation:needs.security"),
                "region": mk_case("location:needs.region"),
                "province": mk_case("location:needs.province"),
            },
        )  # fmt: skip
        hold = Hold.objects.create(
            referral=referral, place=place, created_at=now, expires_at=now, status="accepted"
        )
        HoldReminder.objects.create(hold_id=hold.pk, sent_at=now)
        WaitingOffer.objects.create(
            referral=referral, place=place, user=coordinator.user, rank=1, created_at=now
        )
        Placement.objects.create(
            referral=referral, place=place, hold=hold, started_at=now, ended_at=now,
            outflow=mk_case("location:placement.outflow", 24),
        )  # fmt: skip
        path = IdentificationPath.objects.create(
            case=case, definition=definition, state="closed", foreign_national=True,
            lawful_residence=False, unaccompanied=True,
            age_assessment=mk_case("minors:path.age_assessment", 16), presumed_minor=True,
            guardian_organisation=org,
            htcds_status=mk_case("exploitation:path.htcds_status", 40),
            htcds_decision_org=mk_case("exploitation:path.htcds_decision_org", 40),
            started_at=now,
        )  # fmt: skip
        for transition, category in (
            ("report_record", "criminal"), ("b83_apply", "immigration"),
            ("reflection_offer", "immigration"), ("other_route", "immigration"),
            ("indication_establish", "exploitation"),
        ):  # fmt: skip
            PathStep.objects.create(
                path=path, transition=transition, source="a", target="b", at=now,
                values={"on": mk_case(f"{category}:step.{transition}")},
            )  # fmt: skip
        deadline = Deadline.objects.create(
            path=path, kind="permit_end", due_on=date.today(), organisation=org
        )
        Reminder.objects.create(deadline=deadline, stage="7", sent_at=now)
        NonPunishmentFlag.objects.create(
            case=case, reasons=[mk_case("criminal:non_punishment.reasons")], set_at=now
        )
        Notification.objects.create(
            user=coordinator.user, organisation=org, kind="guardian", case=case,
            data={"case": number, "note": mk_case("minors:notification.data")}, created_at=now,
        )  # fmt: skip
        review = CommissionReview.objects.create(
            case=case, definition=definition, opened_at=now, outcome="identified",
            reasons=[mk_case("exploitation:commission.reasons")],
            reasons_text=crypto.encrypt_json(
                {"text": mk_case("free_text:commission.reasons_text")},
                context=f"commission:{number}",
            ),
        )  # fmt: skip
        CommissionMember.objects.create(
            review=review, membership=investigator,
            assessment_reasons=[mk_case("exploitation:commission.assessment_reasons")],
        )  # fmt: skip
    return Canary(person=person, cases=cases, markers=m)


def _contexts() -> list[str]:
    refs = [str(r) for r in Person.objects.values_list("ref", flat=True)]
    numbers = list(Case.objects.values_list("number", flat=True))
    return refs + [f"{p}:{n}" for n in numbers for p in ("signal", "note", "commission")]


def _decrypt_any(blob: bytes, contexts: list[str]) -> str | None:
    for context in contexts:
        try:
            return str(crypto.decrypt_json(blob, context=context))
        except InvalidTag:  # another row's context: try the next
            pass
    return None


# The audit trail is kept whole under its own retention (a hash chain: `samen audit verify`);
# it holds no personal data, but it does name case numbers, which then point to nothing.
AUDIT_TABLES = frozenset({"sharing_auditentry", "sharing_auditsubject"})


def database_text(*, exclude: frozenset[str] = frozenset()) -> str:
    """Every value of every column of every table in the database (not only the tables Django
    models), ciphertexts decrypted; raises when a ciphertext cannot be read, as a marker could
    hide in it."""
    contexts = _contexts()
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in exclude:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        text = _decrypt_any(bytes(value), contexts)
                        if text is None:
                            raise AssertionError(f"unreadable ciphertext in table {table}")
                        parts.append(text)
                    elif value is not None:
                        parts.append(str(value))
    return "\n".join(parts)


def structural_facts(canary: Canary) -> dict[str, bool]:
    """Personal facts that are links or flags, not text: True while still held."""
    pk = canary.person.pk
    person = Person.objects.filter(pk=pk).first()
    paths = IdentificationPath.objects.filter(case__person=pk)
    return {
        "exploitation:case.forms": Case.forms.through.objects.filter(case__person=pk).exists(),
        "exploitation:signal.indicators": Signal.indicators.through.objects.filter(
            signal__case__person=pk
        ).exists(),
        "minors:person.is_minor": bool(person and person.is_minor),
        "minors:path.guardian": paths.filter(guardian_organisation__isnull=False).exists(),
        "minors:path.unaccompanied": paths.filter(unaccompanied__isnull=False).exists(),
        "minors:path.presumed_minor": paths.filter(presumed_minor=True).exists(),
        "immigration:path.residence": paths.filter(foreign_national__isnull=False).exists(),
        "immigration:deadline.permit_end": Deadline.objects.filter(
            path__case__person=pk, kind="permit_end"
        ).exists(),
        "identity:identity": Identity.objects.filter(person=pk).exists(),
        "exploitation:commission": CommissionReview.objects.filter(case__person=pk).exists(),
    }


# -- links: what ties a row to the person, apart from the markers ----------------------------

PERSON_ROWS = (
    # (model, lookup to the person): every row that belongs to the person's cases
    (Person, "pk"), (Case, "person"), (Signal, "case__person"), (Referral, "case__person"),
    (Placement, "referral__case__person"), (IdentificationPath, "case__person"),
    (PathStep, "path__case__person"), (Deadline, "path__case__person"),
    (CaseEvent, "case__person"), (CaseNote, "case__person"), (CaseShare, "case__person"),
    (EmergencyAccess, "case__person"), (Notification, "case__person"),
    (NonPunishmentFlag, "case__person"), (CommissionReview, "case__person"),
    (Identity, "person"), (Hold, "referral__case__person"),
    (WaitingOffer, "referral__case__person"), (Reminder, "deadline__path__case__person"),
    (CommissionMember, "review__case__person"),
)  # fmt: skip


@dataclass
class Links:
    """What links to a person besides the markers: the case numbers and the person's reference
    as text, and the ids of every row that belonged to the person's cases."""

    texts: dict[str, str]
    rows: dict[str, set[int]]  # table -> ids


def links_of(canary: Canary) -> Links:
    person = canary.person
    texts = {"person.ref": str(person.ref), "person.ref.hex": person.ref.hex}
    texts |= {f"case.number.{i}": c.number for i, c in enumerate(canary.cases)}
    rows = {
        model._meta.db_table: set(
            model.objects.filter(**{lookup: person.pk}).values_list("pk", flat=True)
        )
        for model, lookup in PERSON_ROWS
    }
    # named by id, not by foreign key: a reminder of a hold of theirs
    holds = rows[Hold._meta.db_table]
    rows[HoldReminder._meta.db_table] = set(
        HoldReminder.objects.filter(hold_id__in=holds).values_list("pk", flat=True)
    )
    return Links(texts, rows)


def links_left(links: Links) -> list[str]:
    """Raw SQL over every table but the audit trail's: the person's case numbers or reference
    in any value, a row of theirs still there, or any foreign key column still pointing at one."""
    left = []
    text = database_text(exclude=AUDIT_TABLES)
    left += [name for name, value in links.texts.items() if value in text]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            relations = connection.introspection.get_relations(cursor, table)
            checks = [("id", table)] if links.rows.get(table) else []
            checks += [(col, ref_table) for col, (_ref, ref_table) in relations.items()]
            for column, ref_table in checks:
                ids = links.rows.get(ref_table)
                if not ids:
                    continue
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} IN ({marks})",
                    sorted(ids),
                )
                if cursor.fetchone()[0]:
                    left.append(f"{table}.{column} -> {ref_table}")
    return left
