"""Secondary suppression and the audit: recovering a suppressed cell from totals must fail."""

import numpy as np
import pytest

from samen.statistics.disclosure import (
    HAVE_SCIPY,
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    SuppressionKind,
    audit_release,
    protect,
    release_from_pattern,
)

from .disclosure_helpers import attacker_intervals, identity, narrowest

ROWS = Dimension("region", ("r1", "r2", "r3", "r4"))
COLUMNS = Dimension("form", ("c1", "c2", "c3", "c4"))


def grid(values: list[list[int]]) -> CountTable:
    counts = {
        (r, c): values[i][j]
        for i, r in enumerate(ROWS.categories)
        for j, c in enumerate(COLUMNS.categories)
    }
    return CountTable("t", [ROWS, COLUMNS], counts)


def test_a_lone_small_cell_cannot_be_recovered_from_its_totals() -> None:
    table = grid([[3, 20, 30, 40], [25, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    release = protect([table])
    assert release.safe
    result = release.table("t")
    secondary = [
        c for c in result.suppressed_cells if c.suppression.kind is SuppressionKind.SECONDARY
    ]
    # One small cell in a row and a column: at least three more cells close the pattern.
    assert len(secondary) >= 3
    # The attacker: every hidden cell keeps a range, and the small one is not pinned down.
    intervals = attacker_intervals([release])
    assert narrowest(intervals) >= 1
    low, high, true = intervals[identity(table, ("r1", "c1"))]
    assert low <= true <= high and high - low >= 1


def test_suppressing_only_the_small_cell_is_caught_by_the_audit() -> None:
    table = grid([[3, 20, 30, 40], [25, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    naive = release_from_pattern([table], {"t": [("r1", "c1")]})
    report = audit_release(naive)
    assert not report.ok
    (violation,) = report.violations
    assert (violation.lower, violation.upper) == (3, 3)
    assert "recalculated" in violation.explain()
    if HAVE_SCIPY:
        assert report.method == "linprog"


def test_a_cycle_is_protected_both_ways() -> None:
    table = grid([[3, 20, 30, 40], [4, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    pattern = [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")]
    report = audit_release(release_from_pattern([table], {"t": pattern}), exact=True)
    assert report.ok
    low_high = {i.label: (i.lower, i.upper) for i in report.intervals}
    assert low_high["form=c1, region=r1"] == (0, 7)


@pytest.mark.skipif(not HAVE_SCIPY, reason="needs the LP audit")
def test_two_rows_per_line_are_not_enough_the_lp_finds_the_bridge() -> None:
    """Every row and column below has two or more suppressed cells, yet the cell joining the
    two closed cycles equals row sums minus column sums: the line rule alone misses it."""
    values = [[11, 12, 30, 40], [13, 14, 5, 55], [15, 16, 17, 18], [50, 60, 19, 20]]
    table = grid(values)
    pattern = [
        ("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"),
        ("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4"),
        ("r2", "c3"),
    ]  # fmt: skip
    release = release_from_pattern([table], {"t": pattern})
    report = audit_release(release)
    exposed = {v.label for v in report.violations}
    assert "form=c3, region=r2" in exposed
    # The independent attacker agrees.
    intervals = attacker_intervals([release])
    low, high, true = intervals[identity(table, ("r2", "c3"))]
    assert low == pytest.approx(high) == true == 5
    # The plain propagation check cannot see this one: it is only a fallback.
    assert audit_release(release, method="propagation").ok


def test_propagation_fallback_catches_single_equation_attacks() -> None:
    table = grid([[3, 20, 30, 40], [25, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    report = audit_release(
        release_from_pattern([table], {"t": [("r1", "c1")]}), method="propagation"
    )
    assert report.method == "propagation"
    assert [v.label for v in report.violations] == ["form=c1, region=r1"]
    # Protected by engine: propagation finds nothing either.
    assert audit_release(protect([table]), method="propagation").ok


def test_small_totals_are_suppressed_too() -> None:
    table = grid([[1, 2, 0, 0], [25, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    release = protect([table])
    result = release.table("t")
    row_total = result.cell(("r1", TOTAL))
    assert row_total.value is None
    assert row_total.suppression.kind is SuppressionKind.PRIMARY
    assert release.safe
    assert narrowest(attacker_intervals([release])) >= 1


def test_protection_margin_is_configurable() -> None:
    table = grid([[3, 20, 30, 40], [4, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    release = protect([table], DisclosureRules(protection_margin=10))
    assert release.safe
    assert all(i.width >= 10 for i in release.audit.intervals)


def test_across_tables_with_a_shared_margin() -> None:
    """form x gender and form x region share the form margin. Protected one at a time, a
    reader can combine them; protected together, not."""
    form = Dimension("form", ("sexual", "labour", "criminal"))
    gender = Dimension("gender", ("female", "male"))
    region = Dimension("region", ("north", "south", "west"))
    by_gender = CountTable(
        "by gender",
        [form, gender],
        {("sexual", "female"): 40, ("sexual", "male"): 12, ("labour", "female"): 15,
         ("labour", "male"): 30, ("criminal", "female"): 11, ("criminal", "male"): 3},
    )  # fmt: skip
    by_region = CountTable(
        "by region",
        [form, region],
        {("sexual", "north"): 20, ("sexual", "south"): 17, ("sexual", "west"): 15,
         ("labour", "north"): 25, ("labour", "south"): 12, ("labour", "west"): 8,
         ("criminal", "north"): 4, ("criminal", "south"): 5, ("criminal", "west"): 5},
    )  # fmt: skip
    together = protect([by_gender, by_region])
    assert together.safe
    assert narrowest(attacker_intervals([together])) >= 1
    # A shared margin has one status in both tables.
    for category in form.categories:
        a = together.table("by gender").cell((category, TOTAL))
        b = together.table("by region").cell((category, TOTAL))
        assert a.suppressed == b.suppressed
    # Two patterns, each safe on its own: the first hides the form margin as part of a cycle,
    # the second publishes that margin. Combined, the margin gives the small cell away.
    alone_gender = {
        "by gender": [
            ("criminal", "male"), ("criminal", TOTAL), ("sexual", "male"), ("sexual", TOTAL),
        ]
    }  # fmt: skip
    alone_region = {
        "by region": [
            ("criminal", "north"), ("criminal", "south"), ("labour", "north"), ("labour", "south"),
            ("criminal", "west"), ("labour", "west"),
        ]
    }  # fmt: skip
    assert audit_release(release_from_pattern([by_gender], alone_gender)).ok
    assert audit_release(release_from_pattern([by_region], alone_region)).ok
    combined = release_from_pattern([by_gender, by_region], {**alone_gender, **alone_region})
    report = audit_release(combined)
    assert "form=criminal, gender=male" in {v.label for v in report.violations}
    assert narrowest(attacker_intervals([combined])) < 1


def test_bulk_certification_of_large_components_matches_the_attacker() -> None:
    """Large components are proven with a few LPs instead of two per cell; force that path
    on a small cube and let the independent attacker check the outcome."""
    dimensions = [Dimension(f"d{i}", tuple(f"d{i}c{j}" for j in range(4))) for i in range(3)]
    values = np.random.default_rng(3).poisson(7, size=(4, 4, 4))
    release = protect([CountTable("cube", dimensions, values)], exact_limit=0)
    assert release.safe
    assert release.audit.intervals and not any(i.exact for i in release.audit.intervals)
    assert narrowest(attacker_intervals([release])) >= 1


def test_protection_without_an_lp_uses_the_propagation_check() -> None:
    table = grid([[3, 20, 30, 40], [25, 35, 45, 55], [15, 16, 17, 18], [50, 60, 70, 80]])
    release = protect([table], audit_method="propagation")
    assert release.audit.method == "propagation"
    assert release.safe
    # The line rule already closes the simple patterns the fallback can judge.
    assert narrowest(attacker_intervals([release])) >= 1
