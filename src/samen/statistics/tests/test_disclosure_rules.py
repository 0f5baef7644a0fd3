"""Primary suppression, zero policy, rounding, and the shape of the result."""

import pytest

from samen.statistics.disclosure import (
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    SuppressionKind,
    ZeroPolicy,
    protect,
)

REGION = Dimension("region", ("north", "east", "south", "west"))
FORM = Dimension("form", ("sexual", "labour", "criminal"))
COUNTS = {
    ("north", "sexual"): 20, ("north", "labour"): 3, ("north", "criminal"): 15,
    ("east", "sexual"): 30, ("east", "labour"): 25, ("east", "criminal"): 12,
    ("south", "sexual"): 4, ("south", "labour"): 40, ("south", "criminal"): 18,
    ("west", "sexual"): 22, ("west", "labour"): 0, ("west", "criminal"): 11,
}  # fmt: skip


def table() -> CountTable:
    return CountTable("victims", [REGION, FORM], COUNTS)


def test_counts_below_the_minimum_are_primary() -> None:
    result = protect([table()]).table("victims")
    for coordinates in (("north", "labour"), ("south", "sexual")):
        cell = result.cell(coordinates)
        assert cell.value is None
        assert cell.suppression is not None
        assert cell.suppression.kind is SuppressionKind.PRIMARY
        assert cell.suppression.rule == "min-count"
    published = [c.value for c in result.cells if c.value is not None]
    assert all(v == 0 or v >= 10 for v in published)


def test_threshold_is_configurable() -> None:
    result = protect([table()], DisclosureRules(min_count=5)).table("victims")
    assert result.cell(("north", "labour")).suppression.kind is SuppressionKind.PRIMARY
    # 4 is below 5 as well; nothing from 5 up is primary.
    primary = {
        c.coordinates
        for c in result.cells
        if c.suppression and c.suppression.kind is SuppressionKind.PRIMARY
    }
    assert primary == {("north", "labour"), ("south", "sexual")}
    strict = protect([table()], DisclosureRules(min_count=13)).table("victims")
    assert strict.cell(("east", "criminal")).suppression.kind is SuppressionKind.PRIMARY


def test_zero_policy() -> None:
    published = protect([table()]).table("victims")
    assert published.cell(("west", "labour")).value == 0
    sensitive = protect([table()], DisclosureRules(zero_policy=ZeroPolicy.SENSITIVE))
    cell = sensitive.table("victims").cell(("west", "labour"))
    assert cell.value is None
    assert cell.suppression.kind is SuppressionKind.PRIMARY
    assert cell.suppression.rule == "zero"
    assert sensitive.safe


def test_rounding_applies_after_suppression() -> None:
    exact = protect([table()])
    rounded = protect([table()], DisclosureRules(rounding_base=5))
    exact_table, rounded_table = exact.table("victims"), rounded.table("victims")
    for exact_cell, rounded_cell in zip(exact_table.cells, rounded_table.cells, strict=True):
        # The same cells are suppressed: rounding never decides what is hidden.
        assert exact_cell.suppressed == rounded_cell.suppressed
        if rounded_cell.value is not None:
            assert rounded_cell.value % 5 == 0
            assert abs(rounded_cell.value - exact_cell.value) <= 2
    assert rounded_table.cell(("east", "criminal")).value == 10  # 12 -> 10
    assert rounded_table.cell((TOTAL, TOTAL)).value == 200  # 200 stays
    assert "rounded" in rounded.methods_note()


def test_rules_validation_and_rounding_half_up() -> None:
    rules = DisclosureRules(rounding_base=5)
    assert [rules.round(v) for v in (10, 12, 13, 17, 18)] == [10, 10, 15, 15, 20]
    with pytest.raises(ValueError):
        DisclosureRules(min_count=0)
    with pytest.raises(ValueError):
        DisclosureRules(rounding_base=1)


def test_every_suppressed_cell_says_why_and_result_is_renderable() -> None:
    release = protect([table()], label="2024")
    result = release.table("victims")
    kinds = {c.suppression.kind for c in result.suppressed_cells}
    assert kinds == {SuppressionKind.PRIMARY, SuppressionKind.SECONDARY}
    for cell in result.suppressed_cells:
        assert cell.suppression.rule in {"min-count", "zero", "line", "audit", "differencing"}
        assert cell.suppression.explanation
        assert cell.display() == "x"
    rows = result.rows()
    assert rows[0].keys() == {"region", "form", "value", "status", "suppression", "rule"}
    assert any(row["status"] == "suppressed" and row["value"] == "x" for row in rows)
    data = release.to_dict()
    assert data["safe"] is True
    assert data["tables"][0]["cells"][0]["coordinates"] == ["north", "sexual"]
    # Suppressed counts never appear in what a renderer gets.
    assert all(cell["value"] is None for cell in data["tables"][0]["cells"] if cell["suppression"])
    note = release.methods_note()
    assert "1 to 9" in note and "secondary" in note
