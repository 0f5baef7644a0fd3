"""Services on the identification path: policy (403/404), one audit entry per step, the
timeline, deadlines, minors and non-punishment."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from samen.cases.models import CaseEvent
from samen.core.models import AuditEntry
from samen.identification import selectors, services
from samen.identification.definitions import PATHS_DIR, path_definitions_sync
from samen.identification.demo import ask_to_assess
from samen.identification.machine import local_date
from samen.identification.models import (
    Deadline,
    IdentificationPath,
    NonPunishmentFlag,
    Notification,
    PathDefinition,
)
from samen.organisations.models import OrganisationType, Role
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db


def entries(action: str, **kw) -> int:
    return AuditEntry.objects.filter(action=action, **kw).count()


def take(actor, case, code, **values):
    return services.transition_take(actor=actor, case=case, code=code, values=values)


def test_the_path_definition_is_loaded_into_tables_on_migrate(world):
    definition = PathDefinition.objects.get(code="identification_path", is_current=True)
    # v2: the IND officer and guardian roles take their steps; v3: a minor's protection steps;
    # v4: the B8/3 route with its date rules, the criminal case beside it, the missing routes;
    # v5: the OM's steps by the prosecutor, the police unit required on a report.
    assert definition.version == 5
    assert definition.states.filter(code="reflection_offered").exists()
    assert definition.transitions.count() == 31
    assert path_definitions_sync() == 0  # idempotent


def test_a_changed_definition_without_a_new_version_is_refused(world, tmp_path):
    data = json.loads((PATHS_DIR / "identification_path.json").read_text())
    data["settings"]["reflection_period_months"] = 6
    (tmp_path / "p.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="without a new version"):
        path_definitions_sync(directory=tmp_path)


def test_a_whole_path_from_signal_to_b83_permit(actor_for, case, ind, monkeypatch):
    # Each step is recorded once it has happened: the clock stands after the dates used.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 12, 10, tzinfo=UTC))
    police = actor_for("demo-investigator")
    before = AuditEntry.objects.count()
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on="2026-11-28")
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        age_assessment="documented",
    )
    take(police, case, "reflection_offer", starts_on="2026-11-30")
    path = IdentificationPath.objects.get(case=case)
    end = path.deadlines.get(kind="reflection_end", closed_at__isnull=True)
    assert end.due_on == date(2027, 2, 28)
    take(police, case, "reflection_accept", decided_on="2026-12-02")
    take(
        police, case, "report_record", reported_on="2026-12-10", kind="report", police_unit="Midden"
    )
    take(police, case, "b83_apply", applied_on="2026-12-10")
    take(ind, case, "b83_grant", decided_on="2026-12-11", permit_starts_on="2026-12-11")
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 12, 1, 10, tzinfo=UTC))
    take(ind, case, "b83_renew", decided_on="2027-12-01")
    path.refresh_from_db()
    assert path.state == "b83_granted"
    assert path.htcds_status == "PossibleVictimOfTrafficking"
    assert path.htcds_decision_org == "Police"
    open_ones = list(path.deadlines.filter(closed_at__isnull=True).values_list("kind", "due_on"))
    assert ("permit_end", date(2028, 12, 11)) in open_ones  # renewed from the first end
    assert {k for k, _ in open_ones} == {"permit_end", "continued_residence_due"}
    # One audit entry per step (8 steps + the facts), nothing else.
    assert AuditEntry.objects.count() - before == 9
    assert entries("identification_path.update", result="ok") == 9
    events = CaseEvent.objects.filter(case=case, kind=services.TIMELINE_KIND)
    assert events.count() == 9
    assert events.last().data["transition"] == "b83_renew"


def test_an_invalid_transition_says_which_steps_are_allowed(actor_for, case):
    police = actor_for("demo-investigator", purpose="")
    with pytest.raises(ValidationError) as refused:
        take(police, case, "b83_apply", applied_on="2026-12-10")
    message = refused.value.message_dict["transition"][0]
    assert "Beoordeling starten" in message or "Start assessment" in message
    assert "assessment_start" not in message  # plain words on the page, no codes
    assert entries("identification_path.update") == 0
    assert not IdentificationPath.objects.filter(case=case, state="b83_applied").exists()


def test_required_fields_are_named(actor_for, case):
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    with pytest.raises(ValidationError) as refused:
        take(police, case, "indication_reject", decided_on="2026-11-28")
    assert set(refused.value.message_dict) == {"reason"}


def test_a_role_without_the_permission_gets_403_audited(actor_for, case):
    shelter = actor_for("demo-shelter")
    with pytest.raises(PermissionDenied):
        take(shelter, case, "assessment_start")
    assert entries("identification.transition", result="denied") == 1


def test_another_regions_case_answers_404_audited(actor_for, case):
    north = actor_for("demo-coordinator-noord")
    with pytest.raises(Http404):
        take(north, case, "assessment_start")
    with pytest.raises(Http404):
        selectors.path_get(actor=north, case=case)
    assert entries("identification.transition", result="not_found") == 1
    assert entries("identification.read", result="not_found") == 1


def test_a_coordinator_may_not_establish_the_slightest_indication(actor_for, case):
    coordinator = actor_for("demo-coordinator")
    take(coordinator, case, "assessment_start")  # the coordinator may start an assessment
    with pytest.raises(PermissionDenied):
        take(coordinator, case, "indication_establish", established_on="2026-11-28")
    assert entries("identification_path.update", result="denied") == 1
    assert IdentificationPath.objects.get(case=case).state == "under_assessment"


def test_a_fourth_identifying_party_configured_in_a_new_version(actor_for, case, tmp_path):
    data = json.loads((PATHS_DIR / "identification_path.json").read_text())
    data["version"] += 1
    data["identifying_parties"].append(
        {"organisation_type": "comensha", "roles": ["national_registrar"]}
    )
    (tmp_path / "identification_path.json").write_text(json.dumps(data))
    assert path_definitions_sync(directory=tmp_path) == 1
    registrar = actor_for("demo-registrar")
    take(registrar, case, "assessment_start")
    take(registrar, case, "indication_establish", established_on="2026-11-28")
    path = IdentificationPath.objects.get(case=case)
    assert (path.definition.version, path.state) == (data["version"], "indication_established")
    assert path.htcds_decision_org == "NGO"


def test_the_reflection_period_needs_a_foreign_victim_without_lawful_residence(actor_for, case):
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on="2026-11-28")
    with pytest.raises(ValidationError, match=r"nationaliteit|nationality"):
        take(police, case, "reflection_offer", starts_on="2026-11-28")


def test_path_read_shows_state_next_steps_and_who_takes_them(actor_for, case):
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    data = selectors.path_get(actor=police, case=case)
    assert data["state"] == "under_assessment"
    establish = next(s for s in data["next_steps"] if s["code"] == "indication_establish")
    assert establish["organisation_types"] == ["kmar", "labour_inspectorate", "police"]
    assert establish["yours"] is True
    assert [d["kind"] for d in data["deadlines"]] == ["assessment_decision"]
    assert entries("identification_path.read") == 1


def test_an_unaccompanied_foreign_minor_gets_nidos_and_protection_advice(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    guardian = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    with django_capture_on_commit_callbacks(execute=True):  # attached at the signal already
        case = record(person=PersonInput(age_band="12-17")).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police,
            case=case,
            foreign_national=True,
            lawful_residence=False,
            unaccompanied=True,
            age_assessment="disputed",
        )
    path = IdentificationPath.objects.get(case=case)
    assert path.guardian_organisation == guardian.organisation
    assert Notification.objects.filter(user=guardian.user, kind="guardian", case=case).count() == 1
    assert len(mail.outbox) == 1 and case.number in mail.outbox[0].subject
    data = selectors.path_get(actor=police, case=case)
    assert data["minor"] is True and data["age_uncertain"] is True
    assert data["guardian"] == guardian.organisation.name
    assert len(data["advice"]) == 3
    # Protection first: a report can be recorded without a reflection period.
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on="2026-11-28")
    take(
        police,
        case,
        "report_record",
        reported_on="2026-11-29",
        kind="cooperation",
        police_unit="Midden",
    )


def test_an_uncertain_age_is_presumed_minor(actor_for, case):
    police = actor_for("demo-investigator")
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=False,
        lawful_residence=True,
        unaccompanied=False,
        age_assessment="disputed",
        presumed_minor=True,
    )
    data = selectors.path_get(actor=police, case=case)
    assert data["minor"] is True
    # Dutch and accompanied, but a (presumed) minor: Nidos is attached all the same (DOMAIN).
    assert data["guardian"] == IdentificationPath.objects.get(case=case).guardian_organisation.name
    assert data["guardian"]


def test_non_punishment_flag_is_visible_to_police_not_to_care(actor_for, case):
    police = actor_for("demo-investigator")
    services.non_punishment_flag_set(actor=police, case=case, reasons=["criminal_exploitation"])
    assert NonPunishmentFlag.objects.filter(case=case).count() == 1
    assert entries("non_punishment_flag.create") == 1
    assert selectors.path_get(actor=police, case=case)["non_punishment"][0]["reasons"] == [
        "criminal_exploitation"
    ]
    assert "non_punishment" not in selectors.path_get(
        actor=actor_for("demo-coordinator"), case=case
    )
    with pytest.raises(ValidationError):
        services.non_punishment_flag_set(actor=police, case=case, reasons=["bored"])


def test_deadlines_of_an_organisation_are_bucketed(actor_for, case):
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    path = IdentificationPath.objects.get(case=case)
    today = local_date(timezone.now())  # the assessment's own deadline counts from today
    for days in (-1, 0, 5, 12, 40):
        Deadline.objects.create(
            path=path,
            kind="b83_decision",
            due_on=today + timedelta(days=days),
            organisation=police.organisation,
        )
    # The coordinator's organisation is responsible for the case, so it sees them too.
    for actor in (police, actor_for("demo-coordinator")):
        buckets = selectors.deadlines_of_organisation(actor=actor, today=today)
        assert [r["days_left"] for r in buckets["overdue"]] == [-1]
        assert [r["days_left"] for r in buckets["due_0"]] == [0]
        assert [r["days_left"] for r in buckets["due_7"]] == [5]
        assert [r["days_left"] for r in buckets["due_14"]] == [12, 14]  # 12 + assessment_decision
        assert [r["days_left"] for r in buckets["later"]] == [40]
    assert (
        selectors.deadlines_of_organisation(actor=actor_for("demo-coordinator-noord"), today=today)[
            "overdue"
        ]
        == []
    )
