"""SVG charts of a planning run, drawn on the server (the page works without JavaScript): one
group of bars per figure, baseline and scenario side by side, each with its 95% interval as a
whisker. Every chart has a table with the same figures beside it on the page."""

from __future__ import annotations

import math
from dataclasses import dataclass

from samen import charts
from samen.capacity.engine import Estimate

LEFT, WIDTH, ROW, BAR = 250, 680, 34, 12
COLOURS = ("#01689b", "#e17000")


@dataclass(frozen=True)
class Group:
    label: str
    values: tuple[Estimate | None, ...]  # one per series; None: hidden


def grouped_bars(
    key: str, title: str, series: tuple[str, ...], groups: list[Group]
) -> charts.Markup:
    top = (
        max(
            (
                e.high if not math.isnan(e.high) else e.mean
                for g in groups
                for e in g.values
                if e is not None and not math.isnan(e.mean)
            ),
            default=0.0,
        )
        or 1.0
    )
    span = WIDTH - LEFT - 70
    height = 30 + ROW * len(groups)

    def x(v: float) -> float:
        return LEFT + charts.scale(v, top, span)

    parts = [
        charts.rect(LEFT + 140 * s, 4, 10, 10, fill=COLOURS[s % 2])
        + charts.text(LEFT + 140 * s + 14, 13, name)
        for s, name in enumerate(series)
    ]
    said = []
    for i, group in enumerate(groups):
        y0 = 26 + i * ROW
        parts.append(charts.text(LEFT - 6, y0 + BAR, group.label, anchor="end"))
        for s, estimate in enumerate(group.values):
            y = y0 + s * (BAR + 2)
            if estimate is None or math.isnan(estimate.mean):
                parts.append(charts.text(LEFT + 4, y + BAR - 2, "x"))
                said.append((f"{group.label}, {series[s]}", "x"))
                continue
            value = charts.dutch_number(round(estimate.mean, 1), decimals=1)
            parts.append(
                charts.rect(LEFT, y, x(estimate.mean) - LEFT, BAR, fill=COLOURS[s % 2])
                + charts.line(x(estimate.low), y + BAR / 2, x(estimate.high), y + BAR / 2)
                + charts.text(x(estimate.high) + 4, y + BAR - 2, value)
            )
            said.append((f"{group.label}, {series[s]}", value))
    return charts.svg(
        key=key,
        title=title,
        description=charts.summary(said),
        width=WIDTH,
        height=height,
        body=parts,
        css_class="capacity-chart",
        font_size=12,  # the bars are 12 high: labels of their size
    )
