"""The linear system behind a release: one variable per distinct population, one equation per
additive relation (a total equals the sum of its parts).

Everything an attacker can combine is expressed here: the margins of each table, margins shared
between tables (same canonical key, same variable), cells of earlier releases, and hierarchies
that tie a table to a sub-table (all victims = minors + adults). Suppression and the audit both
work on this system only, so a new kind of link needs to be added in one place.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .table import CellKey, CountTable, KeyValue, describe_key, make_key

#: Key item that separates a revised cell of an earlier release from the current one. The "@"
#: sorts before letters, so it cannot collide with a real dimension name in practice.
RELEASE_DIMENSION = "@release"


class Origin(enum.IntEnum):
    #: A cell of the release being protected: its publication can still be decided.
    CURRENT = 0
    #: A cell only in an earlier release: what was published then is public for good.
    PREVIOUS = 1
    #: A population never published as such but implied by a hierarchy, e.g. the adults when
    #: both "all victims" and "minor victims" are released.
    LATENT = 2


@dataclass(frozen=True)
class Hierarchy:
    """Declares that categories add up: ``parent`` is the sum of ``children`` on ``dimension``.

    With ``parent=None`` the parent is the population not broken down by the dimension at all,
    e.g. ``Hierarchy("age_group", ("minor", "adult"))`` says that any count without an age
    group equals minors plus adults. This is what links a table to a sub-table released
    earlier; children that no table publishes become latent cells the audit also protects.
    """

    dimension: str
    children: tuple[str, ...]
    parent: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))
        if len(self.children) < 2:
            raise ValueError("a hierarchy needs at least two children")


class LinearSystem:
    """Variables (populations) and additive equations, built from tables."""

    def __init__(self) -> None:
        self.keys: list[CellKey] = []
        self.index: dict[CellKey, int] = {}
        self.values: list[int | None] = []
        self.origin: list[Origin] = []
        #: Number of summed-out dimensions; 0 for interior cells. Used to prefer interior cells
        #: as secondary suppressions, since hiding a total costs readers more.
        self.level: list[int] = []
        #: Each equation as member variable ids, the total first: total - sum(parts) = 0.
        self.equations: list[list[int]] = []
        self.var_equations: list[list[int]] = []
        self._equation_ids: dict[tuple[int, tuple[int, ...]], int] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def describe(self, var: int) -> str:
        return describe_key(self.keys[var])

    def add_var(self, key: CellKey, value: int | None, origin: Origin, level: int) -> int:
        existing = self.index.get(key)
        if existing is not None:
            known = self.values[existing]
            if value is not None and known is not None and known != value:
                raise ValueError(
                    f"cell {describe_key(key)} is {known} in one table and {value} in another"
                )
            if known is None:
                self.values[existing] = value
            # A cell of the current release keeps that origin, whatever else also holds it.
            if origin < self.origin[existing]:
                self.origin[existing] = origin
            self.level[existing] = min(self.level[existing], level)
            return existing
        var = len(self.keys)
        self.keys.append(key)
        self.index[key] = var
        self.values.append(value)
        self.origin.append(origin)
        self.level.append(level)
        self.var_equations.append([])
        return var

    def add_equation(self, total: int, parts: Sequence[int]) -> None:
        signature = (total, tuple(sorted(parts)))
        if signature in self._equation_ids or list(parts) == [total]:
            # The second case: a total over one category is that cell itself.
            return
        equation = len(self.equations)
        self._equation_ids[signature] = equation
        members = [total, *parts]
        self.equations.append(members)
        for var in members:
            self.var_equations[var].append(equation)

    def add_table(
        self,
        table: CountTable,
        origin: Origin,
        rename: dict[CellKey, CellKey] | None = None,
    ) -> np.ndarray:
        """Add a table's cells and margin equations; returns the variable id of each cell in
        the layout of ``table.extended_array()``."""
        extended = table.extended_array()
        var_ids = np.empty(extended.shape, dtype=np.int64)
        rename = rename or {}
        for index in np.ndindex(*extended.shape):
            coordinates = table.coordinates_at(index)
            key = table.canonical_key(coordinates)
            key = rename.get(key, key)
            level = sum(1 for i, n in zip(index, table.shape, strict=True) if i == n)
            var_ids[index] = self.add_var(key, int(extended[index]), origin, level)
        # For every axis, the slice at position n (the total) equals the sum over the body.
        for axis, n in enumerate(table.shape):
            totals = np.take(var_ids, n, axis=axis).reshape(-1)
            body = np.moveaxis(np.take(var_ids, range(n), axis=axis), axis, -1).reshape(-1, n)
            for total, parts in zip(totals.tolist(), body.tolist(), strict=True):
                self.add_equation(total, parts)
        return var_ids

    def apply_hierarchies(self, hierarchies: Iterable[Hierarchy]) -> None:
        for hierarchy in hierarchies:
            for key in list(self.keys):
                items = dict(key)
                if hierarchy.parent is None:
                    if hierarchy.dimension in items:
                        continue
                elif items.get(hierarchy.dimension) != hierarchy.parent:
                    continue
                child_keys = []
                for child in hierarchy.children:
                    child_items: dict[str, KeyValue] = dict(items)
                    child_items[hierarchy.dimension] = child
                    child_keys.append(make_key(child_items.items()))
                # Only link populations something actually publishes: a hierarchy must not
                # invent whole latent tables nobody can learn anything about.
                if not any(child in self.index for child in child_keys):
                    continue
                total = self.index[key]
                level = self.level[total]
                parts = [
                    self.index[child]
                    if child in self.index
                    else self.add_var(child, None, Origin.LATENT, level)
                    for child in child_keys
                ]
                self.add_equation(total, parts)

    def infer_latent_values(self) -> None:
        """Fill in the true value of latent cells from the equations, and check that every
        fully known equation holds (a hierarchy that does not match the data is an error)."""
        pending = [e for e, members in enumerate(self.equations) if self._unknown(members) <= 1]
        while pending:
            equation = pending.pop()
            members = self.equations[equation]
            unknown = [v for v in members if self.values[v] is None]
            if len(unknown) > 1:
                continue
            total, *parts = members
            if not unknown:
                known_total = self.values[total]
                assert known_total is not None
                if known_total != sum(self.values[p] or 0 for p in parts):
                    raise ValueError(
                        f"the parts of {self.describe(total)} do not add up to it: "
                        "check the hierarchies declared"
                    )
                continue
            (missing,) = unknown
            if missing == total:
                value = sum(self.values[p] or 0 for p in parts)
            else:
                others = sum(self.values[p] or 0 for p in parts if p != missing)
                value = (self.values[total] or 0) - others
            if value < 0:
                raise ValueError(
                    f"{self.describe(missing)} would be negative: check the hierarchies declared"
                )
            self.values[missing] = value
            for next_equation in self.var_equations[missing]:
                if self._unknown(self.equations[next_equation]) <= 1:
                    pending.append(next_equation)

    def _unknown(self, members: Sequence[int]) -> int:
        return sum(1 for v in members if self.values[v] is None)
