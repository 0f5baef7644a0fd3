"""Geometry for the indicator charts. The SVG is drawn by a template from these numbers: no
JavaScript and no inline styles, which the content security policy forbids."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .models import Indicator, IndicatorValue

WIDTH = 480
HEIGHT = 220
LEFT = 56  # room for the value axis labels
RIGHT = 12
TOP = 16
BOTTOM = 44  # room for the period labels
MAX_BAR = 64


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value: Decimal
    value_text: str
    period: str
    lower_bound: bool


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass
class Chart:
    indicator: Indicator
    values: list[IndicatorValue]
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: float = HEIGHT - BOTTOM

    @property
    def period_label_y(self) -> float:
        return self.baseline + 16

    @property
    def rows(self) -> list[dict[str, str]]:
        """The data table beside the chart: the same figures, with where each one comes from."""
        return [
            {
                "period": v.period,
                "value_text": ("≥ " if v.is_lower_bound else "") + format_value(v.value),
                "source": v.source,
                "location": v.source_location,
            }
            for v in self.values
        ]

    @property
    def summary(self) -> str:
        """A one-line text equivalent for screen readers (the table beside it has the detail)."""
        return "; ".join(f"{b.period}: {b.value_text}" for b in self.bars)


def format_value(value: Decimal) -> str:
    """Dutch-style thousands (3.700), no decimals when the value is whole."""
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _nice_max(top: Decimal) -> Decimal:
    """Round the axis up to 1, 2 or 5 times a power of ten, so the ticks read easily."""
    if top <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return Decimal(step) * magnitude
    return Decimal(10) * magnitude


def bar_chart(indicator: Indicator, values: list[IndicatorValue]) -> Chart:
    """One bar per reported value in time order (periods such as '2023' or 'tot en met najaar
    2025' are categories, not points on a date axis, so bars suit them better than a line)."""
    chart = Chart(indicator=indicator, values=values)
    if not values:
        return chart
    axis_max = _nice_max(max(v.value for v in values))
    plot_height = chart.baseline - TOP
    plot_width = chart.right_edge - LEFT
    slot = plot_width / len(values)
    bar_width = min(MAX_BAR, slot * 0.6)
    for i, v in enumerate(values):
        height = float(v.value / axis_max) * plot_height
        x = LEFT + i * slot + (slot - bar_width) / 2
        chart.bars.append(
            Bar(
                x=round(x, 1),
                y=round(chart.baseline - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                label_x=round(x + bar_width / 2, 1),
                value=v.value,
                value_text=("≥ " if v.is_lower_bound else "") + format_value(v.value),
                period=v.period,
                lower_bound=v.is_lower_bound,
            )
        )
    for fraction in (0, Decimal("0.5"), 1):
        chart.ticks.append(
            Tick(
                y=round(chart.baseline - float(fraction) * plot_height, 1),
                text=format_value(axis_max * fraction),
            )
        )
    return chart
