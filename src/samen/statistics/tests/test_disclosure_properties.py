"""Property-based tests over random tables: whatever the counts, after protection no small
count is published, published totals add up, and no hidden cell can be pinned down."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samen.statistics.disclosure import (
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    SuppressionKind,
    ZeroPolicy,
    protect,
)

from .disclosure_helpers import attacker_intervals

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run, so CI time is predictable
)

# Small counts dominate real tables of victims; larger ones give the cells to trade with.
COUNT = st.one_of(st.integers(0, 12), st.integers(10, 60))


@st.composite
def tables(draw: st.DrawFn, max_dimensions: int = 2) -> CountTable:
    dimensions = draw(st.integers(2, max_dimensions))
    shape = tuple(draw(st.integers(2, 4 if dimensions == 2 else 3)) for _ in range(dimensions))
    values = draw(st.lists(COUNT, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    dims = [
        Dimension(f"d{axis}", tuple(f"d{axis}c{i}" for i in range(n)))
        for axis, n in enumerate(shape)
    ]
    return CountTable("random", dims, np.array(values, dtype=np.int64).reshape(shape))


def check_release(release, rules: DisclosureRules) -> None:
    assert release.safe, release.methods_note()
    for source in release.source_tables:
        shown = release.table(source.name)
        for coordinates, value in source.cells():
            cell = shown.cell(coordinates)
            if rules.is_sensitive(value):
                # No count below the threshold survives, margins included.
                assert cell.suppressed
                assert cell.suppression.kind is SuppressionKind.PRIMARY
            if cell.suppressed:
                assert cell.suppression.kind in (SuppressionKind.PRIMARY, SuppressionKind.SECONDARY)
            else:
                assert cell.value == value
            # Every published total equals the sum of its parts where those are published.
            for axis, coordinate in enumerate(coordinates):
                if coordinate is not TOTAL or cell.suppressed:
                    continue
                parts = []
                for category in source.dimensions[axis].categories:
                    changed = list(coordinates)
                    changed[axis] = category
                    parts.append(shown.cell(changed).value)
                if all(part is not None for part in parts):
                    assert sum(parts) == cell.value
    # The attacker: every hidden cell keeps a feasible range wider than zero.
    for low, high, true in attacker_intervals([release]).values():
        assert low - 1e-6 <= true <= high + 1e-6
        assert high - low >= rules.protection_margin - 1e-6


@PROPERTY_SETTINGS
@given(tables(max_dimensions=2))
def test_random_two_way_tables(table: CountTable) -> None:
    rules = DisclosureRules()
    check_release(protect([table], rules), rules)


@PROPERTY_SETTINGS
@given(tables(max_dimensions=3), st.sampled_from(list(ZeroPolicy)))
def test_random_three_way_tables_and_zero_policies(table: CountTable, zeros: ZeroPolicy) -> None:
    rules = DisclosureRules(zero_policy=zeros, min_count=5)
    check_release(protect([table], rules), rules)


@PROPERTY_SETTINGS
@given(tables(max_dimensions=3))
def test_random_tables_released_together_share_margins(cube: CountTable) -> None:
    """Two views of one population (d0 x d1 and d0 x d2 when there is a third dimension,
    else d0 x d1 and d0 alone): protected together, combining them must not help."""
    dims = cube.dimensions
    interior = cube.interior
    first = CountTable("first", dims[:2], interior.sum(axis=tuple(range(2, interior.ndim))))
    if interior.ndim == 3:
        second = CountTable("second", [dims[0], dims[2]], interior.sum(axis=1))
    else:
        second = CountTable("second", [dims[0]], interior.sum(axis=1))
    rules = DisclosureRules()
    release = protect([first, second], rules)
    check_release(release, rules)
    # One status per shared cell, whichever table shows it.
    for category in dims[0].categories:
        shown = {
            release.table("first").cell((category, TOTAL)).suppressed,
            release.table("second")
            .cell((category, TOTAL) if interior.ndim == 3 else (category,))
            .suppressed,
        }
        assert len(shown) == 1


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 40), min_size=9, max_size=9), st.sampled_from([3, 5, 10]))
def test_rounding_never_changes_what_is_hidden(values: list[int], base: int) -> None:
    dims = [Dimension("a", ("a0", "a1", "a2")), Dimension("b", ("b0", "b1", "b2"))]
    table = CountTable("t", dims, np.array(values).reshape(3, 3))
    plain = protect([table]).table("t")
    rounded = protect([table], DisclosureRules(rounding_base=base)).table("t")
    for a, b in itertools.zip_longest(plain.cells, rounded.cells):
        assert a.suppressed == b.suppressed
        if b.value is not None:
            assert b.value % base == 0 and abs(b.value - a.value) <= base // 2


#: The statistics page's rules (samen.statistics.services.disclosure_rules).
PAGE_RULES = DisclosureRules(protection_margin=2, protection_relative=0.1, integer_audit=True)
#: The engine's option for readers told that hidden cells are never zero.
FLOOR_RULES = DisclosureRules(
    protection_margin=2, protection_relative=0.1, never_hide_zeros=True, integer_audit=True
)


def _integer_attacker_holds(releases, rules: DisclosureRules) -> None:
    """A reader who knows the rules: whole numbers, every hidden cell at least 1 when the
    rules never hide a zero, and the protection interval kept over whole numbers."""
    floor = 1 if rules.never_hide_zeros else 0
    for low, high, true in attacker_intervals(releases, hidden_floor=floor, integer=True).values():
        assert low - 1e-6 <= true <= high + 1e-6
        assert high - low >= rules.required_width(true) - 1e-6, (low, high, true)


@PROPERTY_SETTINGS
@given(tables(max_dimensions=3))
def test_random_tables_with_the_pages_rules_hold_against_an_integer_attacker(
    table: CountTable,
) -> None:
    release = protect([table], PAGE_RULES)
    assert release.safe, release.methods_note()
    _integer_attacker_holds([release], PAGE_RULES)


@PROPERTY_SETTINGS
@given(tables(max_dimensions=3))
def test_never_hiding_zeros_holds_against_a_reader_who_knows_hidden_means_at_least_one(
    table: CountTable,
) -> None:
    release = protect([table], FLOOR_RULES)
    assert release.safe, release.methods_note()
    shown = release.table(table.name)
    for coordinates, value in table.cells():
        assert not (value == 0 and shown.cell(coordinates).suppressed)
    _integer_attacker_holds([release], FLOOR_RULES)


@PROPERTY_SETTINGS
@given(tables(max_dimensions=2), st.integers(1, 3), st.data())
def test_a_random_correction_shows_no_small_difference(
    table: CountTable, moved: int, data: st.DataObject
) -> None:
    """A few people move from one interior cell to another and the table is released again,
    protected against the first release: every figure published in both either did not
    change or changed by at least the minimum, and no hidden cell can be pinned."""
    first = protect([table], PAGE_RULES, label="v1")
    interior = table.interior.copy()
    flat = interior.reshape(-1)
    source = data.draw(st.sampled_from([i for i in range(flat.size) if flat[i] >= moved] or [0]))
    target = data.draw(st.sampled_from([i for i in range(flat.size) if i != source]))
    step = min(moved, int(flat[source]))
    flat[source] -= step
    flat[target] += step
    corrected = CountTable(table.name, table.dimensions, interior)
    second = protect([corrected], PAGE_RULES, previous=[first], label="v2")
    assert second.safe, second.methods_note()
    before, after = first.table(table.name), second.table(table.name)
    for a, b in zip(before.cells, after.cells, strict=True):
        if a.value is not None and b.value is not None:
            assert a.value == b.value or abs(a.value - b.value) >= PAGE_RULES.min_count
    _integer_attacker_holds([second], PAGE_RULES)
