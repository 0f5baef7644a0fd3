"""Count tables with marginal totals, and the identity of a cell across tables.

A table is given by its interior counts; every marginal total is derived here, so the totals
of a released table always add up. Each cell (interior or marginal) also has a *canonical key*
that says which population it counts, independent of the table it sits in. Two tables released
together that share a margin (say ``form x gender`` and ``form x age``, both with a ``form``
margin) produce the same canonical key for that margin, which is how the engine knows the two
tables constrain each other.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np


class _Marker(enum.Enum):
    TOTAL = "Total"

    def __repr__(self) -> str:
        return "TOTAL"

    def __str__(self) -> str:
        return "Total"


#: Coordinate of a marginal total. A sentinel rather than the string "Total" so that a
#: category that happens to be called "Total" can never be mistaken for a margin.
TOTAL: Final = _Marker.TOTAL

TotalMarker = Literal[_Marker.TOTAL]
Coordinate = str | TotalMarker
Coordinates = tuple[Coordinate, ...]

#: The value part of a canonical key item: a category, or the set of categories summed when a
#: table's categories do not cover the whole population (e.g. years 2020-2024 only).
KeyValue = str | frozenset[str]
CellKey = tuple[tuple[str, KeyValue], ...]


@dataclass(frozen=True)
class Dimension:
    """A classification variable of a table.

    ``complete`` says that the categories cover the whole population, so the table's total over
    this dimension counts the same people as a table that does not break down by it at all. Set
    it to False for a partial list (e.g. a range of years), so that the total is treated as a
    sum over exactly those categories and is linked to other tables through its parts only.
    """

    name: str
    categories: tuple[str, ...]
    complete: bool = True

    def __post_init__(self) -> None:
        if not self.categories:
            raise ValueError(f"dimension {self.name!r} has no categories")
        if len(set(self.categories)) != len(self.categories):
            raise ValueError(f"dimension {self.name!r} repeats a category")
        # Accept any sequence from callers but store a tuple so the dimension stays hashable.
        object.__setattr__(self, "categories", tuple(self.categories))


def make_key(items: Iterable[tuple[str, KeyValue]]) -> CellKey:
    """Canonical key from (dimension, value) pairs: sorted so that the order of dimensions in a
    table does not change the identity of the population it counts."""
    key = tuple(sorted(items, key=lambda item: item[0]))
    names = [name for name, _ in key]
    if len(set(names)) != len(names):
        raise ValueError(f"a dimension appears twice in {key!r}")
    return key


def describe_key(key: CellKey) -> str:
    """Human-readable label of a canonical key, for explanations in reports."""
    if not key:
        return "grand total"
    parts = []
    for name, value in key:
        if isinstance(value, frozenset):
            parts.append(f"{name}=sum({', '.join(sorted(value))})")
        else:
            parts.append(f"{name}={value}")
    return ", ".join(parts)


class CountTable:
    """A multi-dimensional count table with all its marginal totals.

    ``counts`` maps a tuple of categories (one per dimension, in dimension order) to a count;
    missing combinations count zero. ``scope`` holds fixed coordinates that apply to the whole
    table, e.g. ``{"year": "2024"}`` or ``{"age_group": "minor"}`` for a sub-table, so that its
    cells are told apart from (and linked to) those of other tables and releases.
    """

    def __init__(
        self,
        name: str,
        dimensions: Sequence[Dimension],
        counts: Mapping[tuple[str, ...], int] | np.ndarray | None = None,
        *,
        scope: Mapping[str, str] | None = None,
    ) -> None:
        if not dimensions:
            raise ValueError("a table needs at least one dimension")
        self.name = name
        self.dimensions: tuple[Dimension, ...] = tuple(dimensions)
        self.scope: dict[str, str] = dict(scope or {})
        names = [dimension.name for dimension in self.dimensions]
        if len(set(names)) != len(names):
            raise ValueError(f"table {name!r} repeats a dimension")
        clash = set(names) & set(self.scope)
        if clash:
            raise ValueError(f"table {name!r} has {sorted(clash)} both as dimension and scope")
        self.shape: tuple[int, ...] = tuple(len(d.categories) for d in self.dimensions)
        self._positions = [
            {category: i for i, category in enumerate(d.categories)} for d in self.dimensions
        ]
        self._interior = self._interior_array(counts)
        self._extended = self._with_margins(self._interior)

    # -- construction --------------------------------------------------------------------

    def _interior_array(
        self, counts: Mapping[tuple[str, ...], int] | np.ndarray | None
    ) -> np.ndarray:
        if isinstance(counts, np.ndarray):
            if counts.shape != self.shape:
                raise ValueError(f"array shape {counts.shape} does not match {self.shape}")
            array = np.asarray(counts, dtype=np.int64)
            if not np.array_equal(array, counts):
                raise ValueError("counts must be whole numbers")
        else:
            array = np.zeros(self.shape, dtype=np.int64)
            for categories, count in (counts or {}).items():
                array[self._index(categories)] = count
        if (array < 0).any():
            raise ValueError("counts cannot be negative")
        return array

    @staticmethod
    def _with_margins(interior: np.ndarray) -> np.ndarray:
        # One extra slot per dimension holds the total over that dimension; filling the slots
        # axis by axis yields every margin, including the grand total in the last corner.
        extended = np.zeros(tuple(n + 1 for n in interior.shape), dtype=np.int64)
        extended[tuple(slice(0, n) for n in interior.shape)] = interior
        for axis, n in enumerate(interior.shape):
            body = [slice(None)] * interior.ndim
            body[axis] = slice(0, n)
            total = [slice(None)] * interior.ndim
            total[axis] = n
            extended[tuple(total)] = extended[tuple(body)].sum(axis=axis)
        return extended

    @classmethod
    def from_records(
        cls,
        name: str,
        dimensions: Sequence[Dimension],
        records: Iterable[Mapping[str, str]],
        *,
        scope: Mapping[str, str] | None = None,
    ) -> CountTable:
        """Count records (one per person) into a table; callers deduplicate persons first."""
        counts: dict[tuple[str, ...], int] = {}
        for record in records:
            categories = tuple(record[d.name] for d in dimensions)
            counts[categories] = counts.get(categories, 0) + 1
        return cls(name, dimensions, counts, scope=scope)

    # -- access --------------------------------------------------------------------------

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    @property
    def grand_total(self) -> int:
        return int(self._extended[tuple(self.shape)])

    @property
    def interior(self) -> np.ndarray:
        """Read-only view of the interior counts."""
        view = self._interior.view()
        view.flags.writeable = False
        return view

    def _index(self, coordinates: Sequence[Coordinate]) -> tuple[int, ...]:
        if len(coordinates) != len(self.dimensions):
            raise KeyError(f"{coordinates!r} needs {len(self.dimensions)} coordinates")
        index = []
        for position, coordinate, n in zip(self._positions, coordinates, self.shape, strict=True):
            if coordinate is TOTAL:
                index.append(n)
            else:
                try:
                    index.append(position[coordinate])
                except KeyError:
                    raise KeyError(f"unknown category {coordinate!r}") from None
        return tuple(index)

    def coordinates_at(self, index: Sequence[int]) -> Coordinates:
        return tuple(
            TOTAL if i == n else d.categories[i]
            for d, i, n in zip(self.dimensions, index, self.shape, strict=True)
        )

    def value(self, coordinates: Sequence[Coordinate]) -> int:
        return int(self._extended[self._index(coordinates)])

    def cells(self) -> Iterator[tuple[Coordinates, int]]:
        """Every cell, interior and marginal, in a stable order (last dimension fastest)."""
        for index in itertools.product(*(range(n + 1) for n in self.shape)):
            yield self.coordinates_at(index), int(self._extended[index])

    def margin(self, *dimension_names: str) -> dict[tuple[str, ...], int]:
        """Totals broken down by the given dimensions only (the rest summed out)."""
        keep = [self.dimension_names.index(name) for name in dimension_names]
        result: dict[tuple[str, ...], int] = {}
        for combination in itertools.product(*(self.dimensions[i].categories for i in keep)):
            coordinates: list[Coordinate] = [TOTAL] * len(self.dimensions)
            for i, category in zip(keep, combination, strict=True):
                coordinates[i] = category
            result[combination] = self.value(coordinates)
        return result

    def canonical_key(self, coordinates: Sequence[Coordinate]) -> CellKey:
        items: list[tuple[str, KeyValue]] = list(self.scope.items())
        for dimension, coordinate in zip(self.dimensions, coordinates, strict=True):
            if coordinate is TOTAL and len(dimension.categories) == 1:
                # The total over a single category is that category: one population, one key.
                items.append((dimension.name, dimension.categories[0]))
            elif coordinate is TOTAL:
                if not dimension.complete:
                    items.append((dimension.name, frozenset(dimension.categories)))
            else:
                items.append((dimension.name, coordinate))
        return make_key(items)

    def extended_array(self) -> np.ndarray:
        """Counts including margins: index ``n`` on an axis of length ``n + 1`` is the total."""
        view = self._extended.view()
        view.flags.writeable = False
        return view

    def __repr__(self) -> str:
        dims = " x ".join(self.dimension_names)
        return f"CountTable({self.name!r}: {dims}, total={self.grand_total})"
