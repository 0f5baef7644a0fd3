"""The check of an HTCDS export against the published tables: forms of exploitation, and the
columns it compares (issue #13 item 4). The outside attacker is in
test_tables_htcds_attacker.py; these pin down the check's own reasoning on small cases."""

from __future__ import annotations

from samen.statistics.crosscheck import (
    COMPARED,
    NO_TABLE,
    NOT_IN_EXPORT,
    View,
    _reading,
    checker,
)
from samen.statistics.htcds import FORMS, QUASI, TABLE_DIMENSION, YEAR, table_forms
from samen.statistics.kanon import Release
from samen.statistics.tables import AGE_BANDS, AGE_CLASSES, SPECS

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
    for dimension in set(COMPARED) - {"year", "form"}:
        assert _reading(dimension, CATEGORIES[dimension]) is not None
    assert _reading("age", set(AGE_CLASSES)) is not None
