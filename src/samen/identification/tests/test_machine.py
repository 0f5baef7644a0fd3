"""The engine's rules one by one, without a database: the definition file is the input."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pytest

from samen.identification.definitions import PATHS_DIR
from samen.identification.machine import (
    STAY,
    AlreadyTaken,
    ConditionNotMet,
    FieldErrors,
    Machine,
    NotAllowedFrom,
    NotPermitted,
    StepsMissing,
    UnknownTransition,
    add_months,
    local_date,
)

# The rules of version 3, which running paths keep; version 4's routes and date rules are in
# test_route_rules.py. The dates below lie before TODAY plus the tolerance (never in the future).
DEFINITION = json.loads((PATHS_DIR / "identification_path.v3.json").read_text())
TODAY = date(2026, 11, 28)
FOREIGN = {"foreign_without_lawful_residence": True}


@pytest.fixture(scope="module")
def machine() -> Machine:
    return Machine.from_definition(DEFINITION)


def take(
    machine: Machine,
    state: str,
    code: str,
    org: str = "police",
    role: str = "investigator",
    values: dict | None = None,
    facts: dict | None = None,
    today: date | None = None,
    **kw,
):
    # The latest date used below, so no date of these v3 cases lies in the future.
    return machine.apply(
        state=state,
        code=code,
        organisation_type=org,
        role=role,
        values=values or {},
        facts=facts,
        today=today or LATEST,
        **kw,
    )


LATEST = date(2030, 6, 1)


VALID_VALUES = {
    "established_on": "2026-11-28",
    "decided_on": "2026-11-28",
    "reason": "other",
    "starts_on": "2026-11-30",
    "reported_on": "2026-12-01",
    "kind": "report",
    "applied_on": "2026-12-01",
    "permit_starts_on": "2026-12-15",
    "route": "return_support",
    "accepted_on": "2026-11-28",
    "placed_on": "2026-11-28",
    "placement": "protected_minors",
    "involved_on": "2026-11-28",
    "involved": "veilig_thuis",
}


# --- date arithmetic ---


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # no 30 February: the month's last day
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a permit starting on 29 February
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 12, 15), 3, date(2027, 3, 15)),  # over the year end
        (date(2026, 10, 1), 3, date(2027, 1, 1)),
    ],
)
def test_add_months_keeps_month_ends_and_leap_years_right(start, months, expected):
    assert add_months(start, months) == expected


def test_the_dutch_day_counts_not_the_utc_day_across_daylight_saving_changes():
    # 29 March 2026: clocks go forward; 23:30 UTC the evening before is already the 29th here.
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 29)
    # 25 October 2026: clocks go back; still summer time (UTC+2) just before.
    assert local_date(datetime(2026, 10, 24, 22, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert local_date(datetime(2026, 10, 25, 22, 59, tzinfo=UTC)) == date(2026, 10, 25)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 1))


# --- transitions ---


def test_the_path_starts_signalled_and_an_assessment_can_start(machine):
    assert machine.initial == "signalled"
    outcome = take(machine, "signalled", "assessment_start", today=TODAY)
    assert outcome.target == "under_assessment"
    assert outcome.opens[0].kind == "assessment_decision"
    assert outcome.opens[0].due_on == date(2026, 12, 12)  # 14 days, from the settings


@pytest.mark.parametrize("org", ["police", "kmar", "labour_inspectorate"])
def test_the_three_investigative_services_establish_the_slightest_indication(machine, org):
    outcome = take(
        machine,
        "under_assessment",
        "indication_establish",
        org=org,
        values={"established_on": "2026-11-28"},
    )
    assert outcome.target == "indication_established"
    assert outcome.closes == {"assessment_decision"}


@pytest.mark.parametrize(
    "org,role",
    [
        ("care_coordination", "care_coordinator"),
        ("comensha", "national_registrar"),
        ("shelter", "shelter_staff"),
        ("ind", "investigator"),
        ("police", "care_coordinator"),  # the right organisation but not an investigator
    ],
)
def test_others_may_not_establish_the_slightest_indication(machine, org, role):
    with pytest.raises(NotPermitted):
        take(
            machine,
            "under_assessment",
            "indication_establish",
            org=org,
            role=role,
            values={"established_on": "2026-11-28"},
        )


def _state_for(machine: Machine, transition) -> str:
    return sorted(transition.sources)[0]


@pytest.mark.parametrize("code", [t["code"] for t in DEFINITION["transitions"]])
def test_every_transition_is_allowed_for_its_actors_and_refused_for_others(machine, code):
    t = machine.transitions[code]
    state = _state_for(machine, t)
    values = {f.name: VALID_VALUES[f.name] for f in t.fields}
    facts = {**FOREIGN, **t.applies_when}  # a minor's step on a minor's case
    for actor in t.actors:
        for role in actor.roles:
            outcome = take(
                machine,
                state,
                code,
                org=actor.organisation_type,
                role=role,
                values=values,
                facts=facts,
            )
            assert outcome.target == (state if t.target == STAY else t.target)
    with pytest.raises(NotPermitted):
        take(machine, state, code, org="shelter", role="shelter_staff", values=values, facts=facts)


@pytest.mark.parametrize("code", [t["code"] for t in DEFINITION["transitions"]])
def test_every_transition_is_refused_from_a_state_it_does_not_start_from(machine, code):
    t = machine.transitions[code]
    wrong = next(s for s in machine.states if s not in t.sources)
    with pytest.raises(NotAllowedFrom) as refused:
        take(machine, wrong, code)
    assert refused.value.allowed == [t.code for t in machine.available_steps(wrong, {})]


def test_an_invalid_transition_names_the_allowed_next_steps(machine):
    with pytest.raises(NotAllowedFrom) as refused:
        take(machine, "signalled", "b83_grant", org="ind", role="ind_officer")
    assert refused.value.allowed == ["assessment_start"]
    assert "assessment_start" in str(refused.value)
    with pytest.raises(UnknownTransition):
        take(machine, "signalled", "teleport")


def test_nothing_follows_closed(machine):
    assert machine.next_steps("closed") == []
    assert machine.states["closed"].terminal


def test_required_fields_are_checked_and_typed(machine):
    with pytest.raises(FieldErrors) as missing:
        take(machine, "under_assessment", "indication_reject")
    assert missing.value.errors == {"decided_on": "required", "reason": "required"}
    with pytest.raises(FieldErrors) as bad:
        take(
            machine,
            "under_assessment",
            "indication_reject",
            values={"decided_on": "31-02-2026", "reason": "because"},
        )
    assert bad.value.errors == {"decided_on": "invalid_date", "reason": "invalid_choice"}


def test_unknown_values_are_dropped_so_only_codes_and_dates_are_kept(machine):
    outcome = take(
        machine,
        "under_assessment",
        "indication_establish",
        values={"established_on": date(2026, 11, 28), "name": "Ana"},
    )
    assert outcome.values == {"established_on": "2026-11-28"}


def test_a_reflection_period_only_for_a_foreign_victim_without_lawful_residence(machine):
    values = {"starts_on": "2026-11-30"}
    with pytest.raises(ConditionNotMet):
        take(
            machine,
            "indication_established",
            "reflection_offer",
            values=values,
            facts={"foreign_without_lawful_residence": False},
        )
    outcome = take(
        machine, "indication_established", "reflection_offer", values=values, facts=FOREIGN
    )
    assert outcome.opens[0].kind == "reflection_end"
    assert outcome.opens[0].due_on == date(2027, 2, 28)  # 30 November + 3 months


def test_the_reflection_period_length_is_configuration():
    data = copy.deepcopy(DEFINITION)
    data["settings"]["reflection_period_months"] = 2
    m = Machine.from_definition(data)
    outcome = take(
        m,
        "indication_established",
        "reflection_offer",
        values={"starts_on": "2027-12-31"},
        facts=FOREIGN,
    )
    assert outcome.opens[0].due_on == date(2028, 2, 29)


def test_a_report_can_follow_the_indication_directly_without_a_reflection_period(machine):
    # A minor's (or resident's) path: protection does not wait for a reflection period.
    outcome = take(
        machine,
        "indication_established",
        "report_record",
        values={"reported_on": "2026-11-28", "kind": "cooperation"},
    )
    assert outcome.target == "report_made"


def test_the_b83_permit_runs_one_year_and_a_renewal_counts_on_from_its_end(machine):
    values = {"decided_on": "2028-02-20", "permit_starts_on": "2028-02-29"}
    granted = take(
        machine, "b83_applied", "b83_grant", org="ind", role="ind_officer", values=values
    )
    assert granted.opens[0].due_on == date(2029, 2, 28)
    renewed = take(
        machine,
        "b83_granted",
        "b83_renew",
        org="ind",
        role="ind_officer",
        values={"decided_on": "2029-02-01"},
        open_deadlines={"permit_end": date(2029, 2, 28)},
    )
    assert renewed.target == "b83_granted"
    assert renewed.closes == {"permit_end"}
    assert renewed.opens[0].due_on == date(2030, 2, 28)


def test_a_b83_application_has_a_decision_due_date(machine):
    outcome = take(machine, "report_made", "b83_apply", values={"applied_on": "2026-12-01"})
    assert outcome.opens[0].kind == "b83_decision"
    assert outcome.opens[0].due_on == date(2026, 12, 29)


def test_a_fourth_identifying_party_is_a_configuration_change():
    data = copy.deepcopy(DEFINITION)
    data["identifying_parties"].append(
        {"organisation_type": "comensha", "roles": ["national_registrar"]}
    )
    m = Machine.from_definition(data)
    outcome = take(
        m,
        "under_assessment",
        "indication_establish",
        org="comensha",
        role="national_registrar",
        values={"established_on": "2026-11-28"},
    )
    assert outcome.target == "indication_established"
    assert m.transitions["reflection_offer"].permits("comensha", "national_registrar")


def test_a_broken_definition_is_refused_when_loaded():
    data = copy.deepcopy(DEFINITION)
    data["transitions"][0]["to"] = "nowhere"
    data["transitions"][1]["fields"] = [{"name": "x", "type": "colour"}]
    with pytest.raises(ValueError, match=r"unknown state 'nowhere'.*unknown type 'colour'"):
        Machine.from_definition(data)


def test_advice_for_every_minor_names_nidos_and_veilig_thuis(machine):
    facts = {"minor": True, "unaccompanied": True, "foreign": True}
    assert [a.code for a in machine.advice_for(facts)] == [
        "protection_first",
        "veilig_thuis",
        "nidos_guardian",
    ]
    # A Dutch minor too: Nidos is attached whenever a case becomes a minor's (v3).
    assert [a.code for a in machine.advice_for({"minor": True, "foreign": False})] == [
        "protection_first",
        "veilig_thuis",
        "nidos_guardian",
    ]
    assert machine.advice_for({"minor": False}) == []


# --- v3: protection first, as steps (a minor's path) ---

MINOR = {"minor": True, **FOREIGN}
PROTECTION = ["guardianship_accept", "safe_placement_arrange", "youth_protection_involve"]
PROTECTION_VALUES = {
    "accepted_on": "2026-11-28", "placed_on": "2026-11-28", "placement": "protected_minors",
    "involved_on": "2026-11-28", "involved": "both",
}  # fmt: skip


def test_a_minor_is_refused_the_reflection_period_until_the_protection_steps_are_taken(machine):
    values = {"starts_on": "2026-11-30"}
    with pytest.raises(StepsMissing) as refused:
        take(machine, "indication_established", "reflection_offer", values=values, facts=MINOR)
    assert refused.value.missing == PROTECTION
    with pytest.raises(StepsMissing) as refused:
        take(
            machine,
            "indication_established",
            "reflection_offer",
            values=values,
            facts=MINOR,
            taken=["guardianship_accept"],
        )
    assert refused.value.missing == ["safe_placement_arrange", "youth_protection_involve"]
    outcome = take(
        machine,
        "indication_established",
        "reflection_offer",
        values=values,
        facts=MINOR,
        taken=PROTECTION,
    )
    assert outcome.target == "reflection_offered"
    # An adult is not held back by a minor's steps.
    assert (
        take(
            machine, "indication_established", "reflection_offer", values=values, facts=FOREIGN
        ).target
        == "reflection_offered"
    )


def test_the_guardians_own_steps_are_nidos_to_take_and_keep_the_path_where_it_is(machine):
    for code in ("guardianship_accept", "safe_placement_arrange"):
        with pytest.raises(NotPermitted):
            take(machine, "signalled", code, values=PROTECTION_VALUES, facts=MINOR)
        with pytest.raises(NotPermitted):
            take(
                machine,
                "signalled",
                code,
                org="care_coordination",
                role="care_coordinator",
                values=PROTECTION_VALUES,
                facts=MINOR,
            )
        outcome = take(
            machine,
            "under_assessment",
            code,
            org="nidos",
            role="guardian",
            values=PROTECTION_VALUES,
            facts=MINOR,
        )
        assert outcome.target == "under_assessment"
    involved = take(
        machine,
        "signalled",
        "youth_protection_involve",
        org="care_coordination",
        role="care_coordinator",
        values=PROTECTION_VALUES,
        facts=MINOR,
    )
    assert involved.target == "signalled"


def test_protection_steps_exist_only_for_a_minor_and_are_taken_once(machine):
    def codes(facts: dict, taken: tuple | list = ()) -> list[str]:
        return [t.code for t in machine.available_steps("signalled", facts, taken)]

    assert set(PROTECTION) <= set(codes(MINOR))
    assert not set(PROTECTION) & set(codes({"minor": False}))
    assert "guardianship_accept" not in codes(MINOR, ["guardianship_accept"])
    with pytest.raises(ConditionNotMet):
        take(
            machine,
            "signalled",
            "guardianship_accept",
            org="nidos",
            role="guardian",
            values=PROTECTION_VALUES,
            facts={"minor": False},
        )
    with pytest.raises(AlreadyTaken):
        take(
            machine,
            "signalled",
            "guardianship_accept",
            org="nidos",
            role="guardian",
            values=PROTECTION_VALUES,
            facts=MINOR,
            taken=["guardianship_accept"],
        )


def test_a_path_started_on_version_2_keeps_its_rules():
    """Published versions stay: a minor's path started on v2 offers the reflection period as it
    did, and the current file is v3."""
    from samen.identification.definitions import read_definition_files

    versions = {d["version"]: d for d in read_definition_files()}
    assert sorted(versions) == [2, 3, 4, 5] and DEFINITION["version"] == 3
    old = Machine.from_definition(versions[2])
    outcome = take(
        old,
        "indication_established",
        "reflection_offer",
        values={"starts_on": "2026-11-30"},
        facts=MINOR,
    )
    assert outcome.target == "reflection_offered"


def test_a_prerequisite_naming_an_unknown_step_is_refused_when_loaded():
    data = copy.deepcopy(DEFINITION)
    offer = next(t for t in data["transitions"] if t["code"] == "reflection_offer")
    offer["requires_steps"] = [{"when": {"minor": True}, "steps": ["guardian_vanished"]}]
    with pytest.raises(ValueError, match="requires unknown step 'guardian_vanished'"):
        Machine.from_definition(data)


def test_htcds_mapping(machine):
    assert machine.states["indication_established"].htcds_status == "PossibleVictimOfTrafficking"
    assert machine.states["indication_not_established"].htcds_status == "NotAVictimOfTrafficking"
    assert machine.decision_org("police") == "Police"
    assert machine.decision_org("labour_inspectorate") == "NonPoliceGovernmentalOrganization"
    assert machine.decision_org("shelter") == "Other"
