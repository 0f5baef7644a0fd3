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

WIDTH = 600
LABEL_WIDTH = 230
ROW = 26
BAR = 16
TOP = 8
RIGHT = 56  # room for the value text


@dataclass(frozen=True)
class HBar:
    label: str
    value_text: str
    y: float
    width: float
    text_y: float


@dataclass
class HChart:
    """Horizontal bars: one per group, so long region and form names stay readable."""

    title: str
    bars: list[HBar]
    key: str = ""  # unique on the page: ids of the SVG's title and description
    width: int = WIDTH
    height: int = 0
    left: int = LABEL_WIDTH

    @property
    def summary(self) -> str:
        return "; ".join(f"{b.label}: {b.value_text}" for b in self.bars)


def hbar_chart(
    key: str, title: str, rows: list[tuple[str, float | None]], unit: str = ""
) -> HChart:
    """Rows without a value (no case reached that step) are left out of the chart; the table
    beside it still lists them."""
    shown = [(label, value) for label, value in rows if value is not None]
    top = max((v for _l, v in shown), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - RIGHT
    bars = []
    for i, (label, value) in enumerate(shown):
        y = TOP + i * ROW
        text = f"{value:g}{unit}"
        bars.append(
            HBar(
                label=label,
                value_text=text,
                y=y,
                width=round(max(0.0, value) / top * plot, 1),
                text_y=y + BAR / 2,
            )
        )
    return HChart(title=title, bars=bars, key=key, height=TOP * 2 + ROW * max(1, len(bars)))
