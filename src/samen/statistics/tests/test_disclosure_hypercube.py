"""Secondary suppression by hypercubes (issue #13 item 5, ADR 0025): the boxes only propose,
the audit decides, and an attacker written apart from the engine finds nothing."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.statistics.disclosure import CountTable, Dimension, DisclosureRules, protect
from samen.statistics.disclosure.audit import IntervalSolver
from samen.statistics.disclosure.engine import _build, _Suppressor
from samen.statistics.disclosure.hypercube import Witness, propose

from .disclosure_helpers import attacker_intervals
from .test_disclosure_properties import PAGE_RULES, PROPERTY_SETTINGS, check_release, tables


def _holds(releases, rules: DisclosureRules, *, integer: bool) -> None:
    for low, high, true in attacker_intervals(releases, integer=integer).values():
        assert low - 1e-6 <= true <= high + 1e-6
        assert high - low >= rules.required_width(true) - 1e-6, (low, high, true)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(tables(max_dimensions=3))
def test_hypercubes_protect_random_tables_against_an_integer_attacker(table: CountTable) -> None:
    release = protect([table], PAGE_RULES, secondary="hypercube")
    check_release(release, PAGE_RULES)
    _holds([release], PAGE_RULES, integer=True)


@PROPERTY_SETTINGS
@given(tables(max_dimensions=3))
def test_hypercubes_over_linked_tables_fall_back_to_the_audit(cube: CountTable) -> None:
    """Two tables sharing a margin: a box in one moves a cell the other shows, so the audit
    refuses that move and the linear programs and the repair loop decide instead."""
    dims = cube.dimensions
    interior = cube.interior
    first = CountTable("first", dims[:2], interior.sum(axis=tuple(range(2, interior.ndim))))
    second = CountTable("second", [dims[0]], interior.sum(axis=tuple(range(1, interior.ndim))))
    release = protect([first, second], PAGE_RULES, secondary="hypercube")
    check_release(release, PAGE_RULES)
    _holds([release], PAGE_RULES, integer=False)


def _four_way(seed: int, per_cell: float) -> CountTable:
    rng = np.random.default_rng(seed)
    shape = (2, 3, 2, 3)
    dims = [
        Dimension(f"d{axis}", tuple(f"d{axis}c{i}" for i in range(n)), complete=axis != 0)
        for axis, n in enumerate(shape)
    ]
    return CountTable("cube", dims, rng.poisson(per_cell, size=shape))


@given(st.integers(0, 10_000), st.sampled_from([0.8, 3.0, 12.0]))
@settings(max_examples=3, deadline=None, derandomize=True)
def test_a_sparse_four_way_cube_protected_by_hypercubes_pins_nothing(
    seed: int, per_cell: float
) -> None:
    """The national cube's shape in small: four dimensions, one of them an incomplete list
    (years), mostly small counts."""
    table = _four_way(seed, per_cell)
    release = protect([table], PAGE_RULES, secondary="hypercube")
    check_release(release, PAGE_RULES)
    _holds([release], PAGE_RULES, integer=False)


def test_the_audit_refuses_a_move_that_changes_a_published_total() -> None:
    table = _four_way(3, 3.0)
    joint = _build([table], [], [])
    state = _Suppressor(joint, PAGE_RULES)
    state.primary()
    solver = IntervalSolver(joint.system, PAGE_RULES.protection_margin)
    witnesses = propose(state, solver.required, solver.floor)
    assert witnesses
    honest = witnesses[0]
    # The same box with one corner's sign turned: its line no longer adds up.
    signs = honest.signs.copy()
    signs[-1] = -signs[-1]
    forged = Witness(honest.cells, signs, honest.up, honest.down)
    # A move of a published cell, however it adds up, is not a table a reader could hold.
    published = np.flatnonzero(~state.hidden)[:1]
    leaking = Witness(
        np.concatenate([honest.cells, published]),
        np.concatenate([honest.signs, [1]]),
        honest.up,
        honest.down,
    )
    known = ~state.hidden
    assert solver.add_witnesses([forged, leaking], known) == 0
    assert solver.add_witnesses([honest], known) == 1


def test_auto_uses_hypercubes_for_a_large_table_and_the_audit_proves_it() -> None:
    rng = np.random.default_rng(5)
    shape = (6, 5, 6, 2, 6)
    dims = [Dimension(f"d{axis}", tuple(f"c{i}" for i in range(n))) for axis, n in enumerate(shape)]
    table = CountTable("large", dims, rng.poisson(1.5, size=shape))
    assert table.extended_array().size >= 5000
    release = protect([table], PAGE_RULES)
    assert release.safe, release.methods_note()
    rules = {cell.suppression.rule for cell in release.tables[0].cells if cell.suppressed}
    assert "hypercube" in rules
    # Every hidden cell's proven range is its protection interval or wider.
    for interval in release.audit.intervals:
        assert interval.protected
        assert interval.width >= PAGE_RULES.required_width(interval.value) - 1e-6
