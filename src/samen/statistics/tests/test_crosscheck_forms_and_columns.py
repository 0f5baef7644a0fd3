"""The check of an HTCDS export against the published tables: forms of exploitation, and the
columns it compares (issue #13 item 4). The outside attacker is in
test_tables_htcds_attacker.py; these pin down the check's own reasoning on small cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from samen.identification.definitions import PATHS_DIR
from samen.identification.machine import Machine
from samen.statistics.crosscheck import (
    COMPARED,
    NO_TABLE,
    NOT_IN_EXPORT,
    View,
    _reading,
    checker,
)
from samen.statistics.htcds import (
    DECIDED_BY,
    FORMS,
    QUASI,
    STATUS,
    TABLE_DIMENSION,
    YEAR,
    build_export,
    record_outcomes,
    table_forms,
)
from samen.statistics.kanon import Release
from samen.statistics.status_outcomes import NO_PATH, status_outcomes
from samen.statistics.tables import AGE_BANDS, AGE_CLASSES, OUTCOMES, SPECS

OFFICER = {"organisation_type": "police", "roles": ["investigator"]}

CATEGORIES = {"gender": {"female"}, "nationality": {"NL"}, "age": set(AGE_BANDS)}


def _export(groups: dict[tuple[str, ...], int], *, forms_level: int = 0) -> Release:
    return Release((YEAR, FORMS), {YEAR: 0, FORMS: forms_level}, groups, 10, "export")


def _check(views: list[View], release: Release):
    def lift(_name: str, value: str, _start: int, _end: int) -> str:
        return value

    return checker(views, year=YEAR, lift=lift, k=10, forms=(FORMS, table_forms))(release)


def _view(forms: set[str], count: int, *, hidden: bool = False) -> View:
    return View("tables", frozenset({"2024"}), None, 0, None, count, hidden, frozenset(forms))


def test_a_record_whose_first_form_is_htcds_other_may_be_criminal_or_other():
    assert table_forms("SexualExploitation;Other") == {"sexual"}
    assert table_forms("ForcedLabour;Other") == {"labour"}
    assert table_forms("Other") == {"criminal", "other"}
    assert table_forms("ForcedBegging") == {"other"}
    assert table_forms("") == {"other"}


def test_a_published_form_that_differs_from_the_export_by_fewer_than_k_is_found():
    export = _export({("2024", "SexualExploitation"): 40, ("2024", "Other"): 30})
    finding = _check([_view({"sexual"}, 46)], export)
    assert finding is not None and finding.difference == 6
    # Unreleased forms: nothing to compare.
    assert _check([_view({"sexual"}, 46)], _export({("2024", ""): 70}, forms_level=1)) is None


def test_a_range_of_possible_counts_is_a_finding_only_when_every_possibility_is_small():
    export = _export({("2024", "SexualExploitation"): 40, ("2024", "Other"): 30})
    # Criminal: 0..30 records of the export may be criminal; published 33 leaves 3..33.
    assert _check([_view({"criminal"}, 33)], export) is None
    # Other alone: 0..30; published 5 could be anything from -25 to 5.
    assert _check([_view({"other"}, 5)], export) is None


def test_criminal_plus_other_is_exact_so_one_hidden_part_beside_a_published_one_is_pinned():
    export = _export({("2024", "Other"): 30, ("2024", "ForcedBegging"): 4})
    # Criminal 25 published, other 9 hidden: the sum 34 is the export's 30 + 4.
    assert _check([_view({"criminal", "other"}, 34, hidden=True)], export) is not None
    assert _check([_view({"criminal", "other"}, 37)], export).difference == 3


def test_every_export_column_is_compared_with_the_tables_or_cuts_none_of_them():
    assert set(TABLE_DIMENSION) == {column.name for column in QUASI}
    assert set(TABLE_DIMENSION.values()) <= set(COMPARED) | set(NO_TABLE)


def test_region_and_reporter_are_not_in_the_export_and_so_not_compared():
    """Adding either to the export fails here until the check compares it (COMPARED and a
    reading in ``crosscheck``)."""
    published = {d for spec in SPECS if spec.population == "victims" for d in spec.dimensions}
    assert published <= set(COMPARED) | set(NOT_IN_EXPORT)
    assert set(NOT_IN_EXPORT) == {"region", "reporter"}
    assert not set(NOT_IN_EXPORT) & set(TABLE_DIMENSION.values())
    for dimension in set(COMPARED) - {"year", "form", "status", "decided_by"}:
        assert _reading(dimension, CATEGORIES[dimension]) is not None
    assert _reading("age", set(AGE_CLASSES)) is not None


# -- victim status against the identification outcomes ---------------------------------------

#: A path rule set whose statuses pin outcomes: granted permits are actual victims, and
#: nothing leads away from there (no commission, no reopening).
PINNING = {
    "states": [
        {"code": "signalled"},
        {"code": "under_assessment"},
        {"code": "report_made", "htcds_status": "PossibleVictimOfTrafficking"},
        {"code": "b83_granted", "htcds_status": "ActualVictimOfTrafficking", "terminal": True},
    ],
    "transitions": [
        {"code": "a", "from": ["signalled"], "to": "under_assessment", "actors": [OFFICER]},
        {"code": "b", "from": ["under_assessment"], "to": "report_made", "actors": [OFFICER]},
        {"code": "c", "from": ["report_made"], "to": "b83_granted", "actors": [OFFICER]},
    ],
}


def _machine(body: dict):
    return Machine.from_definition({"code": "t", "version": 1, **body})


def _status_check(views: list[View], groups: dict, meanings, *, status_level: int = 0):
    release = Release(
        (YEAR, STATUS, DECIDED_BY),
        {YEAR: 0, STATUS: status_level, DECIDED_BY: status_level},
        groups,
        10,
        "export",
    )

    def lift(_name: str, value: str, _start: int, _end: int) -> str:
        return value

    return checker(views, year=YEAR, lift=lift, k=10, outcomes=record_outcomes(meanings))(release)


def _groups(rows: list[dict[str, str]]) -> dict[tuple[str, ...], int]:
    groups: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(row[c.name] for c in QUASI)
        groups[key] = groups.get(key, 0) + 1
    return groups


def _outcome_view(outcomes: set[str], count: int, *, hidden: bool = False) -> View:
    years = frozenset({"2024"})
    return View("tables", years, None, 0, None, count, hidden, outcomes=frozenset(outcomes))


def test_under_the_shipped_path_rules_a_decided_status_can_stand_for_every_outcome():
    definitions = [
        (_machine(json.loads(f.read_text())), json.loads(f.read_text()).get("commission", {}))
        for f in sorted(PATHS_DIR.glob("*.json"))
    ]
    meanings = status_outcomes(definitions)
    everything = set(OUTCOMES)
    for status in ("PossibleVictimOfTrafficking", "ActualVictimOfTrafficking",
                   "NotAVictimOfTrafficking"):  # fmt: skip
        assert meanings[status] == everything  # the commission decides on any state
    assert meanings[""] == {"assessing", "not_established", "other_route", "closed", NO_PATH}


def test_a_status_that_pins_an_outcome_gives_away_a_hidden_outcome_cell():
    meanings = status_outcomes([(_machine(PINNING), {})])
    assert meanings["ActualVictimOfTrafficking"] == {"permit_granted"}
    assert meanings["PossibleVictimOfTrafficking"] == {"reported"}
    groups = {("2024", "ActualVictimOfTrafficking", "Police"): 12, ("2024", "", ""): 40}
    pinned = _status_check([_outcome_view({"permit_granted"}, 12, hidden=True)], groups, meanings)
    assert pinned is not None and "hidden" in pinned.label
    # Published 15 against the export's 12: three people between them.
    assert _status_check([_outcome_view({"permit_granted"}, 15)], groups, meanings).difference == 3
    # The status not released (nor who decided): anything goes, nothing found.
    assert _status_check([_outcome_view({"permit_granted"}, 12, hidden=True)],
                         {("2024", "", ""): 52}, meanings, status_level=1) is None  # fmt: skip


def test_only_a_range_is_known_where_a_status_may_mean_several_outcomes():
    meanings = status_outcomes([(_machine(PINNING), {})])
    groups = {("2024", "PossibleVictimOfTrafficking", "Police"): 20, ("2024", "", ""): 30}
    # The empty status may be in assessment or have no path: 20..50 for the two together.
    assert _status_check([_outcome_view({"assessing", "reported"}, 23)], groups, meanings) is None
    # The year's total over the outcomes: at least the 20 decided, so 12 published is 8 short.
    view = _outcome_view(set(OUTCOMES), 12)
    assert _status_check([view], groups, meanings) is None  # -38..-8: not every one small
    assert _status_check([view], {("2024", "PossibleVictimOfTrafficking", "Police"): 20},
                         meanings).difference == -8  # fmt: skip


def test_an_export_under_pinning_rules_leaves_without_the_status():
    meanings = status_outcomes([(_machine(PINNING), {})])
    opened = datetime(2024, 5, 1, 12, tzinfo=UTC)
    rows = [
        {"number": f"C{i}", "opened_at": opened, "forms": ["sexual"], "gender": "female",
         "age_band": "23-29", "nationality_group": "EU", "status": "in_care"}
        for i in range(40)
    ]  # fmt: skip
    statuses = {f"C{i}": ("ActualVictimOfTrafficking", "Police") for i in range(12)}
    hidden = View("tables", frozenset({"2024"}), None, 0, None, 12, True,
                  outcomes=frozenset({"permit_granted"}))  # fmt: skip

    def lift(name: str, value: str, start: int, end: int) -> str:
        return next(c for c in QUASI if c.name == name).lift(value, start, end)

    check = checker([hidden], year=YEAR, lift=lift, k=10, outcomes=record_outcomes(meanings))
    recoding, out = build_export(rows, statuses=statuses, k=10, earlier=[], published=check)
    # Who decided may stay: under these rules it tells possible (reported) from actual
    # (permit granted) no better than the decided ones together.
    assert recoding.levels[STATUS] > 0
    assert check(Release(tuple(c.name for c in QUASI), recoding.levels, _groups(out), 10)) is None
    assert len(out) == 40  # the records all leave, without what pins the cell
    # Without the check the status leaves as registered, 12 actual victims: the hidden cell.
    plain, _ = build_export(rows, statuses=statuses, k=10, earlier=[])
    assert plain.levels[STATUS] == 0
