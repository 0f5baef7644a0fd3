"""Synthetic demo additions for the identification path: one adult case ready for
identification (foreign, without lawful residence, so a reflection period applies) and one
unaccompanied foreign minor with the guardian (Nidos) attached. Recorded through the services,
so the timeline, the audit trail and the guardian's notification are as in real use."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from samen.cases.models import AgeBand, Case, Gender
from samen.identification import services
from samen.identification.models import AgeAssessment
from samen.organisations.models import Membership
from samen.sharing.actor import actor_for_membership
from samen.signalling.models import SignalList
from samen.signalling.services import PersonInput, SignalInput, signal_record

UTRECHT = "GM0344"
ORIGIN = "cli:seed_demo"


def _signal(member: Membership, code: str, person: PersonInput, forms: list[str], on: date) -> Case:
    signal_list = SignalList.objects.get(code=code, is_current=True)
    indicators = [i.code for i in signal_list.indicators.order_by("id")[:2]]
    outcome = signal_record(
        actor=actor_for_membership(member, origin=ORIGIN),
        data=SignalInput(
            signal_list=code,
            indicators=indicators,
            observed_on=on,
            municipality=UTRECHT,
            forms=forms,
            person=person,
        ),
        synthetic=True,
        at=datetime.combine(on, time(10), ZoneInfo("Europe/Amsterdam")),
    )
    return outcome.case


def build_identification_demo(*, today: date) -> dict[str, str]:
    """Returns the two case numbers ({"ready": ..., "minor": ...})."""
    professional = Membership.objects.get(user__username="demo-professional")
    investigator = actor_for_membership(
        Membership.objects.get(user__username="demo-investigator"), origin=ORIGIN
    )
    yesterday = today - timedelta(days=1)
    ready = _signal(
        professional,
        "hospitality" if SignalList.objects.filter(code="hospitality").exists() else "school",
        PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_23_29),
        ["sexual"],
        yesterday,
    )
    services.path_facts_set(
        actor=investigator, case=ready, foreign_national=True, lawful_residence=False,
        unaccompanied=False, age_assessment=AgeAssessment.ESTIMATED,
    )  # fmt: skip
    minor = _signal(
        professional,
        "asylum_minors" if SignalList.objects.filter(code="asylum_minors").exists() else "school",
        PersonInput(gender=Gender.MALE, age_band=AgeBand.AGE_12_17),
        ["criminal"],
        yesterday,
    )
    services.path_facts_set(
        actor=investigator, case=minor, foreign_national=True, lawful_residence=False,
        unaccompanied=True, age_assessment=AgeAssessment.DISPUTED,
    )  # fmt: skip
    return {"ready": ready.number, "minor": minor.number}
