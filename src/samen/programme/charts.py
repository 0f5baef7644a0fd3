"""The indicator charts: one column per reported value, laid out here and drawn with the shared
primitives of `samen.charts` (no JavaScript, no inline styles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from samen import charts

from .models import Indicator, IndicatorValue

WIDTH = 480
HEIGHT = 220
LEFT = 56  # room for the value axis labels
RIGHT = 12
TOP = 16
BOTTOM = 44  # room for the period labels
MAX_BAR = 64
LOWER_BOUND = "#4f7cac"  # a lighter bar: the value was reported as at least this


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
        return charts.summary((b.period, b.value_text) for b in self.bars)

    @property
    def svg(self) -> charts.Markup:
        right = self.right_edge
        parts = [
            charts.line(self.left, t.y, right, t.y, stroke=charts.GRID)
            + charts.text(self.left - 6, t.y, t.text, anchor="end", middle=True, fill=charts.MUTED)
            for t in self.ticks
        ]
        for b in self.bars:
            fill = LOWER_BOUND if b.lower_bound else charts.BAR
            tip = f"{b.period}: {b.value_text}"
            parts.append(
                charts.rect(b.x, b.y, b.width, b.height, fill=fill, tip=tip)
                + charts.text(b.label_x, b.y, b.value_text, anchor="middle", dy=-4)
                + charts.text(
                    b.label_x, self.period_label_y, charts.truncate(b.period, 28), anchor="middle"
                )
            )
        parts.append(charts.line(self.left, self.baseline, right, self.baseline))
        code = self.indicator.code
        return charts.svg(
            key=f"chart-{code}",
            title=self.indicator.name,
            description=self.summary,
            width=self.width,
            height=self.height,
            body=parts,
        )


def format_value(value: Decimal) -> str:
    """Dutch-style thousands (3.700), no decimals when the value is whole."""
    return charts.dutch_number(value)


def bar_chart(indicator: Indicator, values: list[IndicatorValue]) -> Chart:
    """One bar per reported value in time order (periods such as '2023' or 'tot en met najaar
    2025' are categories, not points on a date axis, so bars suit them better than a line)."""
    chart = Chart(indicator=indicator, values=values)
    if not values:
        return chart
    axis_max = charts.nice_max(max(v.value for v in values))
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
