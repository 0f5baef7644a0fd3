"""The table model: margins, canonical keys, shared margins."""

import numpy as np
import pytest

from samen.statistics.disclosure import TOTAL, CountTable, Dimension, describe_key

REGION = Dimension("region", ("north", "south"))
FORM = Dimension("form", ("sexual", "labour", "criminal"))
GENDER = Dimension("gender", ("female", "male"))


def test_margins_and_grand_total_are_derived() -> None:
    table = CountTable("t", [REGION, FORM], {("north", "sexual"): 12, ("south", "labour"): 3})
    assert table.value(("north", TOTAL)) == 12
    assert table.value((TOTAL, "labour")) == 3
    assert table.grand_total == 15
    assert table.margin("form") == {("sexual",): 12, ("labour",): 3, ("criminal",): 0}
    assert len(list(table.cells())) == 3 * 4


def test_records_are_counted_and_validated() -> None:
    records = [{"region": "north", "form": "sexual"}] * 3 + [{"region": "south", "form": "labour"}]
    table = CountTable.from_records("t", [REGION, FORM], records)
    assert table.value(("north", "sexual")) == 3
    with pytest.raises(KeyError):
        table.value(("east", "sexual"))
    with pytest.raises(ValueError):
        CountTable("t", [REGION], {("north",): -1})
    with pytest.raises(ValueError):
        CountTable("t", [REGION, FORM], np.zeros((3, 3)))


def test_shared_margin_has_the_same_key_in_both_tables() -> None:
    by_gender = CountTable("a", [FORM, GENDER], {("sexual", "female"): 5})
    by_region = CountTable("b", [REGION, FORM], {("north", "sexual"): 5})
    assert by_gender.canonical_key(("sexual", TOTAL)) == by_region.canonical_key((TOTAL, "sexual"))
    assert by_gender.canonical_key((TOTAL, TOTAL)) == ()
    assert describe_key(by_gender.canonical_key(("sexual", "female"))) == (
        "form=sexual, gender=female"
    )


def test_partial_dimension_total_is_its_own_population() -> None:
    years = Dimension("year", ("2023", "2024"), complete=False)
    table = CountTable("t", [years, FORM], {("2024", "sexual"): 4})
    key = table.canonical_key((TOTAL, "sexual"))
    assert dict(key)["year"] == frozenset({"2023", "2024"})
    # A single category: its total is the same population, so the same key.
    single = CountTable("s", [Dimension("year", ("2024",), complete=False), FORM])
    assert single.canonical_key((TOTAL, "sexual")) == single.canonical_key(("2024", "sexual"))


def test_scope_is_part_of_the_key() -> None:
    minors = CountTable("m", [FORM], {("sexual",): 4}, scope={"age_group": "minor"})
    assert dict(minors.canonical_key(("sexual",))) == {"age_group": "minor", "form": "sexual"}
    with pytest.raises(ValueError):
        CountTable("x", [FORM], scope={"form": "sexual"})
