"""Need to know on the identification path (issue #12): the IND acts for residence (B8/3) only;
where a path stands, the states a step left and reached, and every open deadline (on the path,
in the deadline lists, in reminders and their e-mails) show only where the reader's relation to
the case grants their category."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from samen.cases import selectors as cases
from samen.core import policy, register
from samen.core.models import AuditEntry, ProcessingRule
from samen.core.policy import CaseAccess, Relation
from samen.identification import selectors, services
from samen.identification.definitions import machine_of
from samen.identification.machine import local_date
from samen.identification.models import Deadline, IdentificationPath, Notification, PathDefinition
from samen.identification.reminders import reminders_send
from samen.identification.tests import test_hold_deadlines
from samen.organisations.models import OrganisationType

pytestmark = pytest.mark.django_db
hold_for = test_hold_deadlines.hold_for  # the fixture: an active hold on a referral of the case


@pytest.fixture
def reported(actor_for, case):
    """A foreign adult's case taken by the police up to the B8/3 application: the assessment,
    the reflection period, the report, the application (all today)."""
    police = actor_for("demo-investigator")
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
    )
    today = timezone.localdate().isoformat()
    for code, values in (
        ("assessment_start", {}),
        ("indication_establish", {"established_on": today}),
        ("reflection_offer", {"starts_on": today}),
        ("reflection_accept", {"decided_on": today}),
        ("report_record", {"reported_on": today, "kind": "report", "police_unit": "Midden"}),
    ):
        services.transition_take(actor=police, case=case, code=code, values=values)
    return case


def apply_b83(actor_for, case) -> None:
    today = timezone.localdate().isoformat()
    services.transition_take(
        actor=actor_for("demo-investigator"),
        case=case,
        code="b83_apply",
        values={"applied_on": today},
    )


# --- the IND's own grant ----------------------------------------------------------------------


def test_the_ind_reads_the_case_for_residence_without_the_forms_of_exploitation(
    actor_for, reported
):
    ind = actor_for("demo-ind")
    assert ind.purpose == "residence"
    seen = cases.case_get(actor=ind, number=reported.number)
    assert seen["access"] == "immigration"
    assert "forms" not in seen and "forms_display" not in seen and "signals" not in seen
    # It decides the permit for this person: identity, age and minority, residence data.
    access = policy.case_access(ind, [reported.pk])[reported.pk]
    # And the prosecution's decisions, which decide the permit (not the report: criminal data).
    assert access.categories == {
        "identity",
        "demographics",
        "immigration",
        "minors",
        "prosecution_decisions",
    }
    entry = AuditEntry.objects.filter(action="case.read").latest("id")
    assert "Vreemdelingencirculaire 2000 hoofdstuk B8/3" in entry.legal_basis
    assert "art. 9" not in entry.legal_basis  # no special category data (exploitation) at all


def test_the_ind_sees_the_reflection_period_and_b83_steps_but_not_the_assessment_or_report(
    actor_for, reported
):
    apply_b83(actor_for, reported)
    path = selectors.path_get(actor=actor_for("demo-ind"), case=reported)
    assert [s["transition"] for s in path["steps"]] == [
        "reflection_offer",
        "reflection_accept",
        "b83_apply",
    ]
    by_code = {s["transition"]: s for s in path["steps"]}
    # The application left the state "report made": criminal data, not the IND's.
    assert by_code["b83_apply"]["source"] == "" and by_code["b83_apply"]["target"] == "b83_applied"
    assert by_code["reflection_offer"]["source"] == ""  # left "indication established"
    assert path["state"] == "b83_applied" and path["state_title"]
    codes = {n["code"] for n in path["next_steps"]}
    assert {"b83_grant", "b83_refuse"} <= codes and "report_record" not in codes
    assert [d["kind"] for d in path["deadlines"]] == ["b83_decision"]
    assert "advice" not in path and "htcds_status" not in path


def test_a_state_whose_category_is_not_granted_is_not_named(actor_for, reported, web_for, api_for):
    """The case stands at "report made" (criminal data): the IND, which reaches it by the
    reflection period, sees the reflection steps, and not where the path stands now."""
    ind = actor_for("demo-ind")
    path = selectors.path_get(actor=ind, case=reported)
    assert path["state"] == "" and path["state_title"] == ""
    # The report is the application ex officio: only the IND's own decision on it is offered.
    assert {n["code"] for n in path["next_steps"]} == {"b83_grant", "b83_refuse"}
    assert [s["transition"] for s in path["steps"]] == ["reflection_offer", "reflection_accept"]
    assert all(s["source"] != "indication_established" for s in path["steps"])
    block = selectors.case_block(actor=ind, case=reported)
    assert block["timeline"] == []
    page = web_for("demo-ind").get(f"/zaken/{reported.number}/").content.decode()
    for title in ("Aangifte of medewerking", "Geringste aanwijzing vastgesteld", "In beoordeling"):
        assert title not in page
    assert "Bedenktijd aanvaard" in page  # its own relation's steps are there
    api = api_for("demo-ind")
    body = api.get(f"/api/v1/cases/{reported.number}/").content.decode()
    assert "report_made" not in body and "indication_established" not in body
    body = api.get(f"/api/v1/identification/cases/{reported.number}/").content.decode()
    assert "report_made" not in body and "report_record" not in body


def test_a_refused_step_does_not_tell_where_the_path_stands(actor_for, reported):
    """Posting a step that does not fit would name the current state and its next steps."""
    from django.core.exceptions import ValidationError

    today = timezone.localdate().isoformat()
    with pytest.raises(ValidationError) as refused:  # a renewal: no permit was granted yet
        services.transition_take(
            actor=actor_for("demo-ind"),
            case=reported,
            code="b83_renew",
            values={"decided_on": today},
        )
    text = " ".join(refused.value.messages)
    assert "Aangifte" not in text and "report" not in text.lower() and "B8/3-aanvraag" not in text
    with pytest.raises(ValidationError) as refused:  # the police, who took the report, are told
        services.transition_take(
            actor=actor_for("demo-investigator"),
            case=reported,
            code="reflection_offer",
            values={"starts_on": today},
        )
    assert "Aangifte of medewerking" in " ".join(refused.value.messages)


def test_the_path_timeline_names_only_the_states_of_granted_categories(actor_for, reported):
    apply_b83(actor_for, reported)
    block = selectors.case_block(actor=actor_for("demo-ind"), case=reported)
    named = {st["code"] for st in block["timeline"]}
    assert "b83_applied" in named and "reflection_accepted" in named
    assert not named & {"report_made", "indication_established", "under_assessment", "closed"}
    # The police, who took every step, see the whole path.
    police = selectors.case_block(actor=actor_for("demo-investigator"), case=reported)
    assert {"report_made", "indication_established"} <= {st["code"] for st in police["timeline"]}


def test_an_unclassified_state_or_deadline_kind_is_never_shown():
    everything = CaseAccess(Relation.RESPONSIBLE, frozenset(register.FIELD_CATEGORIES.values()), "")
    assert not everything.shows_path_state("a_state_added_later")
    assert not everything.shows_deadline("a_deadline_added_later")
    assert everything.shown_step({"source": "a_state_added_later", "target": "closed"}) == {
        "source": "",
        "target": "closed",
    }
    assert not everything.shows_notification("deadline", {"deadline": "a_deadline_added_later"})


def test_every_state_and_deadline_kind_of_every_path_definition_has_a_category():
    missing = []
    for definition in PathDefinition.objects.all():
        machine = machine_of(definition)
        missing += [s for s in machine.states if s not in register.PATH_STATE_CATEGORIES]
        for t in machine.transitions.values():
            missing += [d.kind for d in t.opens if d.kind not in register.DEADLINE_CATEGORIES]
    assert missing == []
    assert selectors.HOLD_EXPIRY in register.DEADLINE_CATEGORIES


def test_the_inds_lead_times_tell_no_form_of_exploitation_nor_the_assessment(actor_for, reported):
    """Aggregates over the few cases the IND reaches would tell a single case's form of
    exploitation: each fact counts only with its category."""
    from samen.cases.models import ExploitationForm

    sexual = ExploitationForm.objects.get(code="sexual")
    reported.forms.add(sexual)
    [ind_record] = selectors.lead_time_records(actor=actor_for("demo-ind"))
    assert ind_record.forms == () and ind_record.indication_on is None
    assert ind_record.reflection == "accepted"
    report = selectors.lead_times_report(actor=actor_for("demo-ind"))
    assert [g.label for g in report["form"]] == [""]
    police = selectors.lead_time_records(actor=actor_for("demo-investigator"))
    assert any(str(sexual) in r.forms for r in police)


# --- deadline lists and reminders -------------------------------------------------------------


def _listed(actor) -> set[tuple[str, str]]:
    buckets = selectors.deadlines_of_organisation(actor=actor)
    return {(r["case"], r["kind"]) for rows in buckets.values() for r in rows}


def test_the_deadline_list_shows_a_deadline_only_with_its_category(actor_for, reported, web_for):
    """The coordinator acting for shelter placement processes no immigration data: the
    reflection period's end is not on its list then, and is when it acts for care."""
    care = actor_for("demo-coordinator", "care_coordination")
    shelter = actor_for("demo-coordinator", "shelter_placement")
    Deadline.objects.filter(path__case=reported, kind="reflection_end").update(closed_at=None)
    assert (reported.number, "reflection_end") in _listed(care)
    assert (reported.number, "reflection_end") not in _listed(shelter)
    client = web_for("demo-coordinator")
    page = client.get("/identificatie/termijnen/").content.decode()
    assert 'data-kind="reflection_end"' in page
    client.post("/account/purpose/", {"purpose": "shelter_placement"})
    page = client.get("/identificatie/termijnen/").content.decode()
    assert 'data-kind="reflection_end"' not in page
    body = client.get(
        "/api/v1/identification/deadlines/", HTTP_X_SAMEN_PURPOSE="shelter_placement"
    ).content.decode()
    assert "reflection_end" not in body


def _revoke(org_type: str, purpose: str, category: str) -> None:
    """The privacy officer takes a category out of a grant of the register."""
    ProcessingRule.objects.filter(
        organisation_type=org_type, purpose__code=purpose, category__code=category
    ).delete()


def test_a_hold_deadline_is_listed_only_with_the_location_category(actor_for, hold_for):
    hold_for(timezone.now() + timedelta(hours=5))
    coordinator = actor_for("demo-coordinator")
    assert any(kind == "hold_expiry" for _, kind in _listed(coordinator))
    _revoke(OrganisationType.CARE_COORDINATION, "care_coordination", "location")
    assert not any(kind == "hold_expiry" for _, kind in _listed(actor_for("demo-coordinator")))


def test_a_reminder_goes_only_to_whom_its_deadline_may_be_shown(
    actor_for, reported, django_capture_on_commit_callbacks
):
    """The police own the reflection period's end, the coordinator is responsible for the case;
    once the register gives care coordination no immigration data, only the police are told,
    in the app and by e-mail."""
    from samen.accounts.models import User

    User.objects.filter(username="demo-investigator").update(email="p@example.test")
    User.objects.filter(username="demo-coordinator").update(email="c@example.test")
    path = IdentificationPath.objects.get(case=reported)
    path.deadlines.all().delete()
    police = actor_for("demo-investigator").organisation
    now = datetime(2027, 2, 21, 8, tzinfo=UTC)
    Deadline.objects.create(
        path=path,
        kind="reflection_end",
        organisation=police,
        due_on=local_date(now) + timedelta(days=7),
    )
    _revoke(OrganisationType.CARE_COORDINATION, "care_coordination", "immigration")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 1
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"demo-investigator"}
    assert [m.to for m in mail.outbox] == [["p@example.test"]]


def test_a_hold_reminder_goes_only_to_whom_the_location_may_be_shown(
    actor_for, hold_for, django_capture_on_commit_callbacks
):
    now = timezone.now()
    hold_for(now + timedelta(minutes=30))
    _revoke(OrganisationType.CARE_COORDINATION, "care_coordination", "location")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(now=now)
    assert not Notification.objects.filter(kind="hold").exists()


def test_a_reminder_shows_by_its_deadlines_category(actor_for, reported):
    """An assessment's decision deadline is exploitation data, a B8/3 decision immigration
    data: the coordinator acting for shelter placement (exploitation, no immigration) reads
    the first reminder and not the second."""
    shelter = actor_for("demo-coordinator", "shelter_placement")
    for kind in ("assessment_decision", "b83_decision"):
        Notification.objects.create(
            user=shelter.user,
            organisation=shelter.organisation,
            kind="deadline",
            case=reported,
            data={"deadline": kind, "due_on": "2027-03-01", "stage": "7"},
            created_at=timezone.now(),
        )
    shown = selectors.notifications_of(actor=shelter)
    assert len(shown) == 1 and "1 maart 2027" in shown[0]["text"]
    assert "B8/3" not in shown[0]["text"]
