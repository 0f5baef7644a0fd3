"""Path v4 through the services with the clock frozen: refusals at their field in Dutch, the IND's
own terms, a task when facts break the current step, the case's status following the path, the
criminal case beside it, and the commission that moves the path."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from samen.cases import lifecycle
from samen.cases.models import CaseEvent
from samen.cases.selectors import CaseFilters, case_search
from samen.core.actor import actor_for_membership
from samen.core.models import AuditEntry
from samen.identification import services
from samen.identification.commission import commission_assess, commission_decide, commission_open
from samen.identification.demo import refer_to_prosecution
from samen.identification.models import Deadline, IdentificationPath, Notification, PathStep
from samen.organisations.models import OrganisationType

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch, case):
    """The case is signalled on the real day; the path's steps then run on a frozen clock."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def take(actor, case, code, **values):
    return services.transition_take(actor=actor, case=case, code=code, values=values)


def foreign(actor, case, **extra):
    services.path_facts_set(
        actor=actor,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        age_assessment="documented",
        **extra,
    )


REPORT = {"reported_on": "2026-11-20", "kind": "report", "police_unit": "Eenheid Midden"}


def to_indication(police, case):
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on="2026-11-15")


def test_a_date_in_the_future_is_refused_at_its_field_in_dutch_and_nothing_is_saved(
    actor_for, case
):
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    with override("nl"), pytest.raises(ValidationError) as refused:
        take(police, case, "indication_establish", established_on="2031-01-01")
    [message] = refused.value.message_dict["established_on"]
    assert "toekomst" in message and "Vastgesteld op" in message
    assert not PathStep.objects.filter(path__case=case, transition="indication_establish")
    with override("en"), pytest.raises(ValidationError) as refused:
        take(police, case, "indication_establish", established_on="2031-01-01")
    assert "future" in refused.value.message_dict["established_on"][0]


def test_a_condition_refusal_says_in_dutch_what_is_missing(actor_for, case):
    police = actor_for("demo-investigator")
    to_indication(police, case)
    with override("nl"), pytest.raises(ValidationError) as refused:
        take(police, case, "reflection_offer", starts_on="2026-11-20")
    message = refused.value.message_dict["transition"][0]
    assert "nationaliteit is nog niet vastgelegd" in message
    assert "foreign_without" not in message and "nationality_known" not in message


def test_the_report_is_the_application_and_its_term_is_on_the_inds_list(actor_for, case, ind):
    police = actor_for("demo-investigator")
    foreign(police, case)
    to_indication(police, case)
    take(police, case, "report_record", **REPORT)
    term = Deadline.objects.get(path__case=case, kind="b83_decision")
    assert term.organisation.type == OrganisationType.IND
    assert term.due_on == date(2026, 12, 18)
    # The IND reaches the case by its own term, and may decide.
    take(ind, case, "b83_grant", decided_on="2026-11-27", permit_starts_on="2026-11-27")
    assert IdentificationPath.objects.get(case=case).state == "b83_granted"


def test_facts_that_break_a_running_reflection_period_give_the_coordinator_a_task(actor_for, case):
    police = actor_for("demo-investigator")
    foreign(police, case)
    to_indication(police, case)
    take(police, case, "reflection_offer", starts_on="2026-11-20")
    assert not Notification.objects.filter(case=case, kind=Notification.Kind.CONDITION)
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=False,
        lawful_residence=True,
        unaccompanied=False,
        age_assessment="documented",
    )
    tasks = Notification.objects.filter(case=case, kind=Notification.Kind.CONDITION)
    assert {t.organisation_id for t in tasks} == {case.responsible_organisation_id}
    assert tasks.filter(user__username="demo-coordinator").exists()


def test_a_dublin_claimants_reflection_period_is_thirty_days(actor_for, case):
    police = actor_for("demo-investigator")
    foreign(police, case, dublin_claimant=True)
    to_indication(police, case)
    take(police, case, "reflection_offer", starts_on="2026-11-20")
    assert Deadline.objects.get(path__case=case, kind="reflection_end").due_on == date(2026, 12, 20)


def test_the_case_status_follows_the_path_and_closes_and_reopens_with_a_reason(actor_for, case):
    police, coordinator = actor_for("demo-investigator"), actor_for("demo-coordinator")
    foreign(police, case)
    take(police, case, "assessment_start")
    case.refresh_from_db()
    assert case.status == "in_assessment"
    take(police, case, "indication_establish", established_on="2026-11-15")
    take(police, case, "reflection_offer", starts_on="2026-11-20")
    case.refresh_from_db()
    assert case.status == "in_care"
    with pytest.raises(ValidationError) as refused:
        lifecycle.case_close(actor=coordinator, case=case, reason="")
    assert "reason" in refused.value.message_dict
    lifecycle.case_close(actor=coordinator, case=case, reason="left_the_country")
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at
    take(police, case, "reflection_accept", decided_on="2026-11-25")  # the path goes on
    case.refresh_from_db()
    assert case.status == "closed"  # closing is a decision, not undone by a path step
    lifecycle.case_reopen(actor=coordinator, case=case, reason="new_information")
    case.refresh_from_db()
    assert case.status == "in_care" and case.closed_at is None
    kinds = list(case.events.values_list("kind", flat=True))
    assert CaseEvent.Kind.CLOSED in kinds and CaseEvent.Kind.REOPENED in kinds
    assert AuditEntry.objects.filter(action="case.update", object_id=case.number).count() >= 2


def test_the_responsible_person_makes_mijn_zaken(actor_for, case):
    coordinator = actor_for("demo-coordinator")
    lifecycle.case_owner_set(actor=coordinator, case=case, user_id=coordinator.user.pk)
    page = case_search(actor=coordinator, filters=CaseFilters(mine_of=coordinator.user.pk))
    assert [row["number"] for row in page.object_list] == [case.number]
    with pytest.raises(ValidationError):
        lifecycle.case_owner_set(
            actor=coordinator, case=case, user_id=actor_for("demo-investigator").user.pk
        )


def test_a_dismissal_ends_the_permit_at_the_configured_date_unless_a_complaint_runs(
    actor_for, case, ind
):
    police = actor_for("demo-investigator")
    foreign(police, case)
    to_indication(police, case)
    take(police, case, "report_record", **REPORT)
    take(ind, case, "b83_grant", decided_on="2026-11-21", permit_starts_on="2026-11-21")
    om = actor_for_membership(refer_to_prosecution(case, investigator=police), origin="test")
    with pytest.raises(PermissionDenied):  # the IND does not record the prosecution's decisions
        take(ind, case, "prosecution_dismiss", decided_on="2026-11-25", ground="policy")
    take(om, case, "prosecution_dismiss", decided_on="2026-11-25", ground="policy")
    end = Deadline.objects.get(path__case=case, kind="permit_end_dismissal", closed_at=None)
    assert end.due_on == date(2026, 12, 23) and end.organisation.type == OrganisationType.IND
    take(om, case, "complaint_file", filed_on="2026-11-27")
    assert not Deadline.objects.filter(path__case=case, kind="permit_end_dismissal", closed_at=None)
    with pytest.raises(ValidationError):  # a complaint runs: the permit stays
        take(ind, case, "b83_end", ended_on="2026-11-28")
    assert AuditEntry.objects.filter(
        object_id=case.number, detail__transition="complaint_file"
    ).exists()


def test_the_commissions_finding_moves_the_path_and_is_not_overwritten(actor_for, case):
    police, coordinator, registrar = (
        actor_for(n) for n in ("demo-investigator", "demo-coordinator", "demo-registrar")
    )
    take(police, case, "assessment_start")
    review = commission_open(
        actor=coordinator,
        case=case,
        members=[police.membership, coordinator.membership],
        chair=registrar.membership,
    )
    for member in (police, coordinator, registrar):
        commission_assess(
            actor=member, review=review, assessment="identified", reasons=["credible_account"]
        )
    commission_decide(
        actor=registrar, review=review, outcome="identified", reasons=["credible_account"]
    )
    path = IdentificationPath.objects.get(case=case)
    assert path.state == "indication_established"
    assert path.htcds_status == "ActualVictimOfTrafficking"
    take(police, case, "other_route", route="return_support")
    take(coordinator, case, "close", reason="other")
    with pytest.raises(ValidationError):  # no commission on a closed path
        commission_open(
            actor=coordinator,
            case=case,
            members=[police.membership, coordinator.membership],
            chair=registrar.membership,
        )
    take(coordinator, case, "reopen", reason="new_information")
    take(police, case, "indication_establish", established_on="2026-11-28")
    path.refresh_from_db()
    assert path.htcds_status == "ActualVictimOfTrafficking"  # the police's weaker status waits
    steps = list(path.steps.values_list("transition", flat=True))
    assert steps.count("assessment_start") == 1 and "reopen" in steps  # history kept


def test_no_indication_is_not_exported_as_not_a_victim(actor_for, case):
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    take(police, case, "indication_reject", decided_on="2026-11-27", reason="no_indicators")
    path = IdentificationPath.objects.get(case=case)
    assert path.htcds_status == ""
    take(police, case, "reassessment_start")
    assert IdentificationPath.objects.get(case=case).state == "under_assessment"


def test_commission_members_come_only_from_allowed_organisations(actor_for, case, member_at):
    coordinator, registrar = actor_for("demo-coordinator"), actor_for("demo-registrar")
    professional = actor_for("demo-professional")
    with pytest.raises(ValidationError) as refused:
        commission_open(
            actor=coordinator,
            case=case,
            members=[professional.membership, coordinator.membership],
            chair=registrar.membership,
        )
    assert "members" in refused.value.message_dict


def test_the_api_refuses_a_future_date_with_400_naming_the_field(api_for, case):
    api = api_for("demo-investigator")
    base = f"/api/v1/identification/cases/{case.number}/transitions/"
    assert api.post(base, {"transition": "assessment_start"}, format="json").status_code == 201
    r = api.post(
        base,
        {"transition": "indication_establish", "values": {"established_on": "2030-01-01"}},
        format="json",
    )
    assert r.status_code == 400
    fields = r.json()["fields"]
    assert "toekomst" in fields["established_on"][0] or "future" in fields["established_on"][0]
    assert "indication_establish" in fields["allowed"]
    assert not PathStep.objects.filter(path__case=case, transition="indication_establish")
