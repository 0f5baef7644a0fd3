"""An attacker's view, written independently of the engine: rebuild every additive relation
from the tables as a reader sees them and solve for the range of each hidden cell.

It deliberately does not use the engine's canonical keys or audit, so the tests do not just
check the engine against itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from samen.statistics.disclosure import TOTAL, CountTable, ProtectedRelease

Identity = frozenset[tuple[str, str]]


def identity(table: CountTable, coordinates: Sequence[object]) -> Identity:
    """Which people a cell counts: its fixed coordinates (complete dimensions only)."""
    items = set(table.scope.items())
    for dimension, coordinate in zip(table.dimensions, coordinates, strict=True):
        if coordinate is not TOTAL:
            items.add((dimension.name, str(coordinate)))
    return frozenset(items)


def attacker_intervals(
    releases: Sequence[ProtectedRelease],
    extra_equations: Sequence[tuple[Identity, Sequence[Identity]]] = (),
    *,
    hidden_floor: int = 0,
    integer: bool = False,
) -> dict[Identity, tuple[float, float, int]]:
    """Feasible (min, max) and true value of every cell hidden in all the releases.

    ``hidden_floor``: what the reader knows from below about a hidden table cell (1 when the
    methods note says hidden cells are never zero). ``integer``: whole-number tables only."""
    true: dict[Identity, int] = {}
    published: dict[Identity, int] = {}
    equations: list[tuple[Identity, list[Identity]]] = []
    for release in releases:
        for source in release.source_tables:
            shown = release.table(source.name)
            for coordinates, value in source.cells():
                key = identity(source, coordinates)
                true[key] = value
                cell = shown.cell(coordinates)
                if not cell.suppressed:
                    published[key] = value
                for axis, coordinate in enumerate(coordinates):
                    if coordinate is TOTAL:
                        parts = []
                        for category in source.dimensions[axis].categories:
                            changed = list(coordinates)
                            changed[axis] = category
                            parts.append(identity(source, changed))
                        equations.append((key, parts))
    for total, parts in extra_equations:
        equations.append((total, list(parts)))
        for key in (total, *parts):
            true.setdefault(key, -1)
    hidden = sorted((k for k in true if k not in published), key=sorted)
    if not hidden:
        return {}
    column = {key: i for i, key in enumerate(hidden)}
    rows, rhs = [], []
    for total, parts in equations:
        row = np.zeros(len(hidden))
        constant = 0.0
        for key, sign in itertools.chain([(total, 1.0)], ((p, -1.0) for p in parts)):
            if key in column:
                row[column[key]] += sign
            else:
                constant += sign * published[key]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    matrix = np.array(rows) if rows else np.zeros((0, len(hidden)))
    lower = np.array([hidden_floor if true[key] >= 0 else 0 for key in hidden], dtype=float)
    result = {}
    if integer:
        for key, i in column.items():
            bounds = []
            for sign in (1.0, -1.0):
                objective = np.zeros(len(hidden))
                objective[i] = sign
                solution = milp(
                    objective,
                    constraints=[LinearConstraint(matrix, rhs, rhs)] if rows else [],
                    integrality=np.ones(len(hidden)),
                    bounds=Bounds(lower, np.full(len(hidden), 10**6)),
                )
                assert solution.status == 0, solution.message
                bounds.append(solution.x[i])
            result[key] = (bounds[0], bounds[1], true[key])
        return result
    for key, i in column.items():
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(hidden))
            objective[i] = sign
            solution = linprog(
                objective,
                A_eq=matrix if rows else None,
                b_eq=np.array(rhs) if rows else None,
                bounds=np.column_stack([lower, np.full(len(hidden), 10**6)]),
                method="highs",
            )
            assert solution.status == 0, solution.message
            bounds.append(solution.x[i])
        result[key] = (bounds[0], bounds[1], true[key])
    return result


def narrowest(intervals: dict[Identity, tuple[float, float, int]]) -> float:
    return min((high - low for low, high, _ in intervals.values()), default=float("inf"))
