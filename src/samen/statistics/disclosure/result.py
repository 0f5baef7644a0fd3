"""What a protected release looks like to the layers that render it (HTML, CSV, XLSX, API).

Published cells carry the figure that may be shown; suppressed cells carry no figure at all,
only the reason they are hidden, so a template cannot leak a suppressed count by accident.
The true counts stay inside ``ProtectedRelease`` for the differencing check of a later release.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .audit import AuditReport
from .rules import DisclosureRules
from .table import TOTAL, CellKey, Coordinate, Coordinates, CountTable, Dimension


class SuppressionKind(enum.StrEnum):
    #: The cell itself is sensitive (a small count, or a zero when zeros are sensitive).
    PRIMARY = "primary"
    #: The cell is hidden to protect another one that could otherwise be recalculated.
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Suppression:
    kind: SuppressionKind
    #: "min-count", "zero" (primary); "line", "audit", "differencing" (secondary).
    rule: str
    explanation: str


@dataclass(frozen=True)
class ResultCell:
    coordinates: Coordinates
    #: ``None`` when suppressed; otherwise the count, rounded when the rules say so.
    value: int | None
    suppression: Suppression | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @property
    def is_margin(self) -> bool:
        return any(c is TOTAL for c in self.coordinates)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.coordinates)

    def display(self, marker: str = "x") -> str:
        """Text for a table cell; ``marker`` stands in for a suppressed count."""
        return marker if self.value is None else str(self.value)


@dataclass(frozen=True)
class ProtectedTable:
    name: str
    dimensions: tuple[Dimension, ...]
    scope: Mapping[str, str]
    cells: tuple[ResultCell, ...]
    _by_coordinates: dict[Coordinates, ResultCell] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_coordinates", {c.coordinates: c for c in self.cells})

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    def cell(self, coordinates: Sequence[Coordinate]) -> ResultCell:
        return self._by_coordinates[tuple(coordinates)]

    def value(self, coordinates: Sequence[Coordinate]) -> int | None:
        return self.cell(coordinates).value

    @property
    def suppressed_cells(self) -> list[ResultCell]:
        return [cell for cell in self.cells if cell.suppressed]

    def rows(self, marker: str = "x") -> list[dict[str, str]]:
        """Long format, one row per cell: ready for ``csv.DictWriter``."""
        rows = []
        for cell in self.cells:
            row = dict(zip(self.dimension_names, cell.labels, strict=True))
            row.update(
                {
                    "value": cell.display(marker),
                    "status": "suppressed" if cell.suppressed else "published",
                    "suppression": cell.suppression.kind.value if cell.suppression else "",
                    "rule": cell.suppression.rule if cell.suppression else "",
                }
            )
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": dict(self.scope),
            "dimensions": [
                {"name": d.name, "categories": list(d.categories)} for d in self.dimensions
            ],
            "cells": [
                {
                    "coordinates": list(cell.labels),
                    "value": cell.value,
                    "suppression": None
                    if cell.suppression is None
                    else {
                        "kind": cell.suppression.kind.value,
                        "rule": cell.suppression.rule,
                        "explanation": cell.suppression.explanation,
                    },
                }
                for cell in self.cells
            ],
        }


@dataclass
class ProtectedRelease:
    """The outcome of ``protect``: tables ready to publish, and the proof that they are safe.

    ``source_tables`` and ``suppressed_keys`` hold the true counts and the suppression pattern;
    they exist so that the next release can be checked against this one (differencing) and
    must not be rendered.
    """

    label: str
    rules: DisclosureRules
    tables: list[ProtectedTable]
    audit: AuditReport
    source_tables: list[CountTable] = field(repr=False)
    suppressed_keys: frozenset[CellKey] = field(repr=False)
    #: Problems the engine could not solve (e.g. a cell an earlier release already exposed).
    unresolved: list[str] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return self.audit.ok and not self.unresolved

    def table(self, name: str) -> ProtectedTable:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def counts(self) -> dict[str, int]:
        """Numbers of suppressed cells by kind, over all tables (a shared cell counts once per
        table it appears in, as a reader sees it)."""
        result = {"cells": 0, "primary": 0, "secondary": 0}
        for table in self.tables:
            for cell in table.cells:
                result["cells"] += 1
                if cell.suppression is not None:
                    result[cell.suppression.kind.value] += 1
        return result

    def methods_note(self) -> str:
        counts = self.counts()
        lines = [f"Disclosure control for release {self.label or '(unnamed)'}:"]
        lines.extend(f"- {line}" for line in self.rules.describe())
        lines.append(
            f"- {counts['primary']} of {counts['cells']} cells were suppressed as sensitive and "
            f"{counts['secondary']} more to protect them."
        )
        lines.append(f"- {self.audit.summary()}.")
        lines.extend(f"- Unresolved: {problem}" for problem in self.unresolved)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "safe": self.safe,
            "rules": self.rules.describe(),
            "tables": [table.to_dict() for table in self.tables],
            "methods": self.methods_note(),
        }
