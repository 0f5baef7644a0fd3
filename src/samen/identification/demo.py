"""Synthetic demo additions for the identification path: one adult case ready for
identification (foreign, without lawful residence, so a reflection period applies) and one
unaccompanied foreign minor with the guardian (Nidos) attached. Recorded through the services,
so the timeline, the audit trail and the guardian's notification are as in real use.

The police reach a case only once they take a step on its path or it is shared with them, so
the Utrecht coordinator first asks them to assess each case: a share for investigation (the
flow a coordinator follows in the application, "Delen" on the case page)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from samen.cases import hooks as case_hooks
from samen.cases.models import AgeBand, Case, Gender
from samen.core.actor import Actor, actor_for_membership
from samen.identification import services
from samen.identification.models import AgeAssessment
from samen.organisations.models import Membership
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


# What the coordinator passes to the police with the request to assess (the register allows
# these from care coordination to an investigating service).
ASSESSMENT_SHARE = ["identity", "demographics", "exploitation", "immigration", "location", "minors"]


def ask_to_assess(case: Case, *, investigator) -> None:
    """The coordinator asks the investigating service to assess the case: a share for
    investigation, so the police reach it before they take their first step."""
    coordinator = actor_for_membership(
        Membership.objects.get(user__username="demo-coordinator"), origin=ORIGIN
    )
    case_hooks.case_share_create(
        actor=coordinator,
        case=case,
        recipient=investigator.organisation,
        purpose="investigation",
        categories=ASSESSMENT_SHARE,
        reason="verzoek om beoordeling (demo)",
    )


def _walk(case: Case, steps: list[tuple[Actor, str, dict]]) -> None:
    for actor, code, values in steps:
        services.transition_take(actor=actor, case=case, code=code, values=values)


def _paths_under_way(professional: Membership, investigator, today: date) -> dict[str, str]:
    """Three cases further along, so deadlines, reminders and lead times have something to
    show: a reflection period ending within two weeks, a B8/3 permit ending within a week,
    and an assessment that found no slightest indication."""
    ind = actor_for_membership(Membership.objects.get(user__username="demo-ind"), origin=ORIGIN)
    person = PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_18_22)
    reflection = _signal(professional, "general", person, ["labour"], today - timedelta(days=85))
    permit = _signal(
        professional,
        "general",
        PersonInput(gender=Gender.MALE, age_band=AgeBand.AGE_30_49),
        ["labour"],
        today - timedelta(days=420),
    )
    rejected = _signal(
        professional,
        "general",
        PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_50_UP),
        ["sexual"],
        today - timedelta(days=40),
    )
    for case in (reflection, permit, rejected):
        ask_to_assess(case, investigator=investigator)
    for case in (reflection, permit):
        services.path_facts_set(
            actor=investigator,
            case=case,
            foreign_national=True,
            lawful_residence=False,
            unaccompanied=False,
            age_assessment=AgeAssessment.DOCUMENTED,
        )

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    _walk(
        reflection,
        [
            (investigator, "assessment_start", {}),
            (investigator, "indication_establish", {"established_on": ago(82)}),
            (investigator, "reflection_offer", {"starts_on": ago(80)}),
        ],
    )
    _walk(permit, [
        (investigator, "assessment_start", {}),
        (investigator, "indication_establish", {"established_on": ago(410)}),
        (investigator, "reflection_offer", {"starts_on": ago(405)}),
        (investigator, "reflection_accept", {"decided_on": ago(400)}),
        (investigator, "report_record",
         {"reported_on": ago(390), "kind": "report", "police_unit": "Eenheid Midden-Nederland"}),
        (ind, "b83_apply", {"applied_on": ago(385)}),
        (ind, "b83_grant", {"decided_on": ago(362), "permit_starts_on": ago(360)}),
    ])  # fmt: skip
    _walk(
        rejected,
        [
            (investigator, "assessment_start", {}),
            (
                investigator,
                "indication_reject",
                {"decided_on": ago(30), "reason": "insufficient_information"},
            ),
        ],
    )
    routes = _criminal_case_routes(professional, investigator, ind, today)
    return {
        "reflection": reflection.number,
        "permit": permit.number,
        "rejected": rejected.number,
        **routes,
    }


# What the police pass to the OM with the criminal case (the prosecution grant's categories).
PROSECUTION_SHARE = ["identity", "demographics", "criminal", "prosecution_decisions", "immigration"]


def refer_to_prosecution(case: Case, *, investigator) -> Membership:
    """The police pass the case to the OM for the criminal case: a share for prosecution, with
    what the register lets the prosecutor process (no exploitation details, no care)."""
    om = Membership.objects.get(user__username="demo-om")
    case_hooks.case_share_create(
        actor=investigator,
        case=case,
        recipient=om.organisation,
        purpose="prosecution",
        categories=PROSECUTION_SHARE,
        reason="strafzaak (demo)",
    )
    return om


def _criminal_case_routes(professional: Membership, investigator, ind, today: date) -> dict:
    """The B8/3 route beside the criminal case: a permit that ends after a dismissal, one with a
    conviction (continued residence can be applied for), and a Dublin claimant in the 30-day
    reflection period."""

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    cases = {}
    for key, days in (("dismissal", 300), ("conviction", 700), ("dublin", 20)):
        case = _signal(
            professional,
            "general",
            PersonInput(gender=Gender.FEMALE, age_band=AgeBand.AGE_23_29),
            ["sexual"],
            today - timedelta(days=days),
        )
        ask_to_assess(case, investigator=investigator)
        services.path_facts_set(
            actor=investigator,
            case=case,
            foreign_national=True,
            lawful_residence=False,
            unaccompanied=False,
            age_assessment=AgeAssessment.DOCUMENTED,
            dublin_claimant=key == "dublin",
        )
        cases[key] = case
    _walk(
        cases["dublin"],
        [
            (investigator, "assessment_start", {}),
            (investigator, "indication_establish", {"established_on": ago(12)}),
            (investigator, "reflection_offer", {"starts_on": ago(10)}),
        ],
    )
    for key, start in (("dismissal", 290), ("conviction", 690)):
        _walk(cases[key], [
            (investigator, "assessment_start", {}),
            (investigator, "indication_establish", {"established_on": ago(start)}),
            (investigator, "report_record", {"reported_on": ago(start - 5), "kind": "report",
                                             "police_unit": "Eenheid Midden-Nederland"}),
            (ind, "b83_grant", {"decided_on": ago(start - 20),
                                "permit_starts_on": ago(start - 20)}),
        ])  # fmt: skip
    om = actor_for_membership(
        refer_to_prosecution(cases["dismissal"], investigator=investigator), origin=ORIGIN
    )
    _walk(
        cases["dismissal"],
        [
            (om, "investigation_start", {"decided_on": ago(250)}),
            (om, "prosecution_dismiss", {"decided_on": ago(10), "ground": "technical"}),
        ],
    )
    refer_to_prosecution(cases["conviction"], investigator=investigator)
    _walk(
        cases["conviction"],
        [
            (om, "prosecution_start", {"decided_on": ago(500)}),
            (om, "verdict_record", {"verdict_on": ago(30), "verdict": "conviction"}),
        ],
    )
    return {key: case.number for key, case in cases.items()}


def build_identification_demo(*, today: date) -> dict[str, str]:
    """Returns the case numbers ({"ready": ..., "minor": ..., "reflection": ..., ...})."""
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
    ask_to_assess(ready, investigator=investigator)
    services.path_facts_set(
        actor=investigator,
        case=ready,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        age_assessment=AgeAssessment.ESTIMATED,
    )
    minor = _signal(
        professional,
        "asylum_minors" if SignalList.objects.filter(code="asylum_minors").exists() else "school",
        PersonInput(gender=Gender.MALE, age_band=AgeBand.AGE_12_17),
        ["criminal"],
        yesterday,
    )
    ask_to_assess(minor, investigator=investigator)
    services.path_facts_set(
        actor=investigator,
        case=minor,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
        age_assessment=AgeAssessment.DISPUTED,
    )
    return {
        "ready": ready.number,
        "minor": minor.number,
        **_paths_under_way(professional, investigator, today),
    }
