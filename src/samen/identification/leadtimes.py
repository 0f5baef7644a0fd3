"""Lead times of the identification path (issue #5, item 7), as plain functions over plain
records, and the geometry of their server-rendered SVG bar charts.

Per case: days from the signal (the case opened) to the slightest indication, days from the
indication to the first shelter placement, the reflection-period outcome and the B8/3 outcome.
Grouped per safety region and per form of exploitation (a case with two forms counts in both).
Aggregates only: no case numbers or other personal data leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from samen import charts

OUTCOMES = (
    "reflection_accepted",
    "reflection_declined",
    "permit_granted",
    "permit_refused",
)


@dataclass(frozen=True)
class CaseRecord:
    region: str
    forms: tuple[str, ...]
    opened_on: date
    indication_on: date | None = None
    placed_on: date | None = None  # first placement on or after the indication
    reflection: str = ""  # "accepted" / "declined" / ""
    permit: str = ""  # "granted" / "refused" / ""


@dataclass
class Group:
    label: str
    to_indication: list[int] = field(default_factory=list)
    to_shelter: list[int] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    def add(self, r: CaseRecord) -> None:
        if r.indication_on:
            self.to_indication.append((r.indication_on - r.opened_on).days)
            if r.placed_on:
                self.to_shelter.append((r.placed_on - r.indication_on).days)
        if r.reflection:
            self.outcomes[f"reflection_{r.reflection}"] += 1
        if r.permit:
            self.outcomes[f"permit_{r.permit}"] += 1

    @property
    def median_to_indication(self) -> float | None:
        return _median(self.to_indication)

    @property
    def median_to_shelter(self) -> float | None:
        return _median(self.to_shelter)

    @property
    def is_empty(self) -> bool:
        return not self.to_indication and not any(self.outcomes.values())


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def group_by(records: Iterable[CaseRecord], dimension: str) -> list[Group]:
    """Groups per "region" or per "form", sorted by label; groups with nothing to show left out."""
    groups: dict[str, Group] = {}
    for r in records:
        keys = (r.region,) if dimension == "region" else (r.forms or ("",))
        for key in keys:
            groups.setdefault(key, Group(label=key)).add(r)
    return [g for _k, g in sorted(groups.items()) if not g.is_empty]


def total(records: Iterable[CaseRecord], label: str) -> Group:
    group = Group(label=label)
    for r in records:
        group.add(r)
    return group


# --- charts ----------------------------------------------------------------------------------


def hbar_chart(
    key: str, title: str, rows: list[tuple[str, float | None]], unit: str = "", empty_text: str = ""
) -> charts.HBars:
    """Rows without a value (no case reached that step) are left out of the chart; the table
    beside it still lists them."""
    shown = [(label, value, f"{value:g}{unit}") for label, value in rows if value is not None]
    return charts.hbars(key, title, shown, empty_text=empty_text)
