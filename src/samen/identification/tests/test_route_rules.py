"""Path v4 on the engine, without a database: every date and condition rule of the B8/3 route,
the criminal case beside it, the missing routes, and a property test over random walks."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samen.identification.definitions import PATHS_DIR
from samen.identification.machine import (
    STAY,
    ConditionNotMet,
    FieldErrors,
    HistoryStep,
    Machine,
    TransitionError,
    add_months,
)

DEFINITION = json.loads((PATHS_DIR / "identification_path.json").read_text())
TODAY = date(2026, 11, 28)
ELIGIBLE = {
    "foreign": True,
    "nationality_known": True,
    "dutch": False,
    "eu_citizen_with_rights": False,
    "dublin_claimant": False,
    "b83_eligible": True,
    "foreign_without_lawful_residence": True,
    "minor": False,
}
DUTCH = {**ELIGIBLE, "foreign": False, "dutch": True, "b83_eligible": False,
         "foreign_without_lawful_residence": False}  # fmt: skip
DUBLIN = {**ELIGIBLE, "dublin_claimant": True}
REPORT = {"reported_on": "2026-11-28", "kind": "report", "police_unit": "Eenheid Oost"}
POLICE = ("police", "investigator")
IND = ("ind", "ind_officer")
OM = ("prosecution", "prosecutor")


@pytest.fixture(scope="module")
def machine() -> Machine:
    return Machine.from_definition(DEFINITION)


def take(
    machine,
    state,
    code,
    who=POLICE,
    values=None,
    facts=None,
    history=(),
    today=TODAY,
    deadlines=None,
):
    return machine.apply(
        state=state,
        code=code,
        organisation_type=who[0],
        role=who[1],
        values=values or {},
        facts=ELIGIBLE if facts is None else facts,
        today=today,
        history=list(history),
        open_deadlines=deadlines or {},
    )


def h(code: str, **values: str) -> HistoryStep:
    return HistoryStep(code, values)


INDICATION = [h("assessment_start"), h("indication_establish", established_on="2026-11-10")]


def refused_field(exc: pytest.ExceptionInfo) -> dict[str, str]:
    assert isinstance(exc.value, FieldErrors)
    return exc.value.errors


# --- item 1: dates ---


def test_a_date_after_today_is_refused_beyond_the_tolerance(machine):
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    later = (TODAY + timedelta(days=2)).isoformat()
    take(machine, "under_assessment", "indication_establish", values={"established_on": tomorrow})
    with pytest.raises(FieldErrors) as exc:
        take(machine, "under_assessment", "indication_establish", values={"established_on": later})
    assert refused_field(exc) == {"established_on": "in_future"}


def test_a_reflection_period_cannot_start_years_ahead_or_before_the_indication(machine):
    for starts, rule in (("2030-01-01", "in_future"), ("2019-05-01", "before_previous")):
        with pytest.raises(FieldErrors) as exc:
            take(
                machine,
                "indication_established",
                "reflection_offer",
                values={"starts_on": starts},
                history=INDICATION,
            )
        assert refused_field(exc) == {"starts_on": rule}


def test_a_report_cannot_predate_the_indication(machine):
    with pytest.raises(FieldErrors) as exc:
        take(
            machine,
            "indication_established",
            "report_record",
            history=INDICATION,
            values={**REPORT, "reported_on": "2026-11-01"},
        )
    assert refused_field(exc) == {"reported_on": "before_previous"}


def test_a_permit_cannot_start_before_its_decision_nor_be_granted_before_the_report(machine):
    history = [*INDICATION, h("report_record", reported_on="2026-11-20", kind="report")]
    with pytest.raises(FieldErrors) as exc:
        take(
            machine,
            "report_made",
            "b83_grant",
            who=IND,
            history=history,
            values={"decided_on": "2026-11-25", "permit_starts_on": "2026-11-21"},
        )
    assert refused_field(exc) == {"permit_starts_on": "before_field"}
    with pytest.raises(FieldErrors) as exc:
        take(
            machine,
            "report_made",
            "b83_grant",
            who=IND,
            history=history,
            values={"decided_on": "2026-11-19", "permit_starts_on": "2026-11-19"},
        )
    assert refused_field(exc)["decided_on"] == "before_previous"


def test_a_renewal_only_in_the_window_before_the_end_and_never_stacked(machine):
    end = date(2027, 1, 10)
    history = [h("b83_grant", decided_on="2026-01-05", permit_starts_on="2026-01-10")]
    with pytest.raises(FieldErrors) as exc:  # 43 days + a year too early
        take(
            machine,
            "b83_granted",
            "b83_renew",
            who=IND,
            history=history,
            values={"decided_on": "2026-11-28"},
            deadlines={"permit_end": date(2028, 1, 10)},
        )
    assert refused_field(exc) == {"decided_on": "outside_window"}
    first = take(
        machine,
        "b83_granted",
        "b83_renew",
        who=IND,
        history=history,
        values={"decided_on": "2026-11-28"},
        deadlines={"permit_end": end},
    )
    assert first.opens[0].due_on == date(2028, 1, 10)
    with pytest.raises(FieldErrors) as exc:  # the same day again: the window has moved on
        take(
            machine,
            "b83_granted",
            "b83_renew",
            who=IND,
            values={"decided_on": "2026-11-28"},
            history=[*history, h("b83_renew", decided_on="2026-11-28")],
            deadlines={"permit_end": first.opens[0].due_on},
        )
    assert refused_field(exc) == {"decided_on": "outside_window"}


# --- item 1: conditions over the facts ---


@pytest.mark.parametrize(
    "facts,unmet",
    [
        ({**ELIGIBLE, "nationality_known": False}, "nationality_known"),
        (DUTCH, "dutch"),
        ({**ELIGIBLE, "eu_citizen_with_rights": True}, "eu_citizen_with_rights"),
    ],
)
def test_a_b83_permit_needs_a_known_foreign_nationality_without_eu_rights(machine, facts, unmet):
    with pytest.raises(ConditionNotMet) as exc:
        take(
            machine,
            "report_made",
            "b83_grant",
            who=IND,
            facts=facts,
            values={"decided_on": "2026-11-28", "permit_starts_on": "2026-11-28"},
        )
    assert unmet in exc.value.unmet


def test_an_eu_citizen_has_a_reflection_period_only_without_eu_rights(machine):
    values = {"starts_on": "2026-11-28"}
    with pytest.raises(ConditionNotMet):
        take(
            machine,
            "indication_established",
            "reflection_offer",
            values=values,
            facts={**ELIGIBLE, "eu_citizen_with_rights": True},
        )
    assert take(machine, "indication_established", "reflection_offer", values=values).opens


def test_a_dublin_claimant_has_thirty_days_and_others_three_months(machine):
    values = {"starts_on": "2026-11-28"}
    dublin = take(
        machine,
        "indication_established",
        "reflection_offer",
        values=values,
        facts={**ELIGIBLE, "dublin_claimant": True},
    )
    normal = take(machine, "indication_established", "reflection_offer", values=values)
    assert [(d.kind, d.due_on) for d in dublin.opens] == [("reflection_end", date(2026, 12, 28))]
    assert [(d.kind, d.due_on) for d in normal.opens] == [("reflection_end", date(2027, 2, 28))]


def test_a_fact_change_that_breaks_the_current_step_is_found(machine):
    history = [*INDICATION, h("reflection_offer", starts_on="2026-11-20")]
    assert machine.broken_conditions(history, ELIGIBLE, TODAY) is None
    broken = machine.broken_conditions(history, DUTCH, TODAY)
    assert broken is not None and broken[0] == "reflection_offer"
    assert "dutch" in broken[1]


# --- item 4: deadlines to the organisation that must act; HTCDS ---


def test_the_report_is_the_application_and_the_ind_owns_the_decision_term(machine):
    outcome = take(machine, "reflection_accepted", "report_record", values=REPORT)
    assert [(d.kind, d.owner, d.due_on) for d in outcome.opens] == [
        ("b83_decision", "ind", date(2026, 12, 26))
    ]
    dutch = take(machine, "indication_established", "report_record", facts=DUTCH, values=REPORT)
    assert dutch.opens == ()  # no B8/3 for a Dutch victim


def test_no_slightest_indication_is_not_a_finding_that_someone_is_no_victim(machine):
    assert machine.states["indication_not_established"].htcds_status == ""
    assert machine.outranks("ActualVictimOfTrafficking", "PossibleVictimOfTrafficking")
    assert not machine.outranks("PossibleVictimOfTrafficking", "ActualVictimOfTrafficking")


# --- item 2: the criminal case beside the path ---

REPORTED = [*INDICATION, h("report_record", reported_on="2026-11-12", kind="report"),
            h("b83_grant", decided_on="2026-11-14", permit_starts_on="2026-11-14")]  # fmt: skip


def test_om_decisions_are_the_prosecutions_and_keep_the_path_where_it_is(machine):
    out = take(
        machine,
        "b83_granted",
        "prosecution_start",
        who=OM,
        history=REPORTED,
        values={"decided_on": "2026-11-20"},
    )
    assert out.target == "b83_granted" and machine.transitions["prosecution_start"].target == STAY
    with pytest.raises(TransitionError):
        take(
            machine,
            "b83_granted",
            "prosecution_start",
            who=IND,
            history=REPORTED,
            values={"decided_on": "2026-11-20"},
        )
    with pytest.raises(FieldErrors) as exc:  # an OM decision cannot predate the report
        take(
            machine,
            "b83_granted",
            "prosecution_start",
            who=OM,
            history=REPORTED,
            values={"decided_on": "2026-11-11"},
        )
    assert refused_field(exc) == {"decided_on": "before_previous"}


def test_a_dismissal_ends_the_permit_unless_a_complaint_runs(machine):
    dismissal = take(
        machine,
        "b83_granted",
        "prosecution_dismiss",
        who=OM,
        history=REPORTED,
        values={"decided_on": "2026-11-20", "ground": "policy"},
    )
    assert [(d.kind, d.owner, d.due_on) for d in dismissal.opens] == [
        ("permit_end_dismissal", "ind", date(2026, 12, 18))
    ]
    dismissed = [*REPORTED, h("prosecution_dismiss", decided_on="2026-11-20", ground="policy")]
    end = {"ended_on": "2026-11-28"}
    assert (
        take(machine, "b83_granted", "b83_end", who=IND, values=end, history=dismissed).target
        == "b83_ended"
    )
    complained = [*dismissed, h("complaint_file", filed_on="2026-11-22")]
    with pytest.raises(ConditionNotMet):
        take(machine, "b83_granted", "b83_end", who=IND, values=end, history=complained)
    complaint = take(
        machine,
        "b83_granted",
        "complaint_file",
        who=OM,
        history=dismissed,
        values={"filed_on": "2026-11-22"},
    )
    assert complaint.closes == {"permit_end_dismissal"}
    rejected = take(
        machine,
        "b83_granted",
        "complaint_decide",
        who=OM,
        history=complained,
        values={"decided_on": "2026-11-25", "outcome": "rejected"},
    )
    assert rejected.opens[0].kind == "permit_end_dismissal"
    ordered = take(
        machine,
        "b83_granted",
        "complaint_decide",
        who=OM,
        history=complained,
        values={"decided_on": "2026-11-25", "outcome": "prosecution_ordered"},
    )
    assert ordered.opens == ()
    with pytest.raises(ConditionNotMet):  # without a dismissal the permit does not end
        take(machine, "b83_granted", "b83_end", who=IND, values=end, history=REPORTED)


def test_a_conviction_or_three_years_opens_continued_residence_with_the_inds_term(machine):
    values = {"applied_on": "2026-11-28"}
    with pytest.raises(ConditionNotMet):
        take(machine, "b83_granted", "continued_residence_apply", values=values, history=REPORTED)
    convicted = [*REPORTED, h("verdict_record", verdict_on="2026-11-25", verdict="conviction")]
    out = take(
        machine, "b83_granted", "continued_residence_apply", values=values, history=convicted
    )
    assert [(d.kind, d.owner) for d in out.opens] == [("continued_residence_decision", "ind")]
    later = date(2029, 11, 14)
    out = take(
        machine,
        "b83_granted",
        "continued_residence_apply",
        history=REPORTED,
        values={"applied_on": later.isoformat()},
        today=later,
    )
    assert out.target == "continued_residence_applied"
    acquitted = [*REPORTED, h("verdict_record", verdict_on="2026-11-25", verdict="acquittal")]
    with pytest.raises(ConditionNotMet):
        take(machine, "b83_granted", "continued_residence_apply", values=values, history=acquitted)


# --- item 3: the missing routes ---


def test_an_exemption_needs_the_statement_that_fits_its_ground(machine):
    values = {"decided_on": "2026-11-28", "exemption_ground": "medical",
              "statement": "police_statement",
              "statement_on": "2026-11-27"}  # fmt: skip
    with pytest.raises(FieldErrors) as exc:
        take(machine, "indication_established", "cooperation_exempt", values=values)
    assert refused_field(exc) == {"statement": "does_not_match"}
    out = take(
        machine,
        "indication_established",
        "cooperation_exempt",
        values={**values, "statement": "medical_statement"},
    )
    assert out.target == "exempted" and out.opens[0].kind == "b83_decision"
    with pytest.raises(FieldErrors) as exc:  # decided before the statement was made
        take(
            machine,
            "indication_established",
            "cooperation_exempt",
            values={**values, "statement": "medical_statement", "decided_on": "2026-11-26"},
        )
    assert refused_field(exc) == {"decided_on": "before_field"}


def test_a_witness_reporter_reports_without_a_reflection_period(machine):
    out = take(
        machine,
        "indication_established",
        "report_record",
        values={"reported_on": "2026-11-28", "kind": "witness_reporter", "police_unit": "Noord"},
    )
    assert out.target == "report_made"


def test_an_early_end_of_the_reflection_period_opens_the_departure_period(machine):
    out = take(
        machine,
        "reflection_accepted",
        "reflection_end_early",
        who=IND,
        values={"ended_on": "2026-11-28", "reason": "own_request"},
    )
    assert out.closes == {"reflection_end"}
    assert [(d.kind, d.due_on) for d in out.opens] == [("departure", date(2026, 12, 26))]


def test_a_victim_who_declined_can_still_report(machine):
    assert "report_record" in machine.next_step_codes("reflection_declined")
    assert "report_record" in machine.next_step_codes("reflection_ended")


def test_no_indication_can_be_reassessed_and_a_closed_path_reopened(machine):
    assert "reassessment_start" in machine.next_step_codes("indication_not_established")
    out = take(
        machine,
        "closed",
        "reopen",
        who=("care_coordination", "care_coordinator"),
        values={"reason": "new_information"},
    )
    assert out.target == "under_assessment"
    assert out.opens[0].kind == "assessment_decision"


# --- item 6: a property over random walks ---

CODES = sorted(DEFINITION["transitions"], key=lambda t: t["code"])


def _values(t, day: date, draw) -> dict[str, str]:
    values = {}
    for f in t.fields:
        if f.type == "date":
            values[f.name] = day.isoformat()
        elif f.type == "choice":
            values[f.name] = draw(st.sampled_from(f.choices))
        else:
            values[f.name] = "Eenheid"
    return values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(), facts=st.sampled_from([ELIGIBLE, DUTCH, {**ELIGIBLE, "dublin_claimant": True}])
)
def test_no_walk_of_allowed_steps_gives_a_longer_permit_or_an_unlisted_state(data, facts):
    machine = Machine.from_definition(DEFINITION)
    state, history, deadlines = machine.initial, [], {}
    today = date(2026, 1, 1)
    window = int(machine.settings["renewal_window_days"])
    months = int(machine.settings["permit_months"])
    for _ in range(25):
        today += timedelta(days=data.draw(st.integers(0, 200)))
        options = machine.available_steps(state, facts, [x.code for x in history])
        if not options:
            break
        t = data.draw(st.sampled_from(options))
        day = today - timedelta(days=data.draw(st.integers(0, 3)))
        actor = t.actors[0]
        try:
            out = machine.apply(
                state=state,
                code=t.code,
                organisation_type=actor.organisation_type,
                role=sorted(actor.roles)[0],
                values=_values(t, day, data.draw),
                facts=facts,
                today=today,
                history=history,
                open_deadlines=deadlines,
            )
        except TransitionError:
            continue
        assert out.target in machine.states
        if "*" in out.closes:
            deadlines = {}
        for kind in out.closes:
            deadlines.pop(kind, None)
        for d in out.opens:
            deadlines[d.kind] = d.due_on
        history.append(HistoryStep(t.code, out.values))
        state = out.target
        if "permit_end" in deadlines:
            # A permit never reaches further than a renewal in its window allows.
            latest = add_months(today + timedelta(days=window + 1), months)
            assert deadlines["permit_end"] <= latest
    assert state in machine.states
