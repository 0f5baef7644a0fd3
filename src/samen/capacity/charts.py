"""SVG charts of a planning run, drawn on the server (the page works without JavaScript): one
group of bars per figure, baseline and scenario side by side, each with its 95% interval as a
whisker. Every chart has a table with the same figures beside it on the page."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from samen.capacity.engine import Estimate

LEFT, WIDTH, ROW, BAR = 250, 680, 34, 12
COLOURS = ("#01689b", "#e17000")


@dataclass(frozen=True)
class Group:
    label: str
    values: tuple[Estimate | None, ...]  # one per series; None: hidden


def grouped_bars(title: str, series: tuple[str, ...], groups: list[Group]) -> SafeString:
    top = max(
        (e.high if not math.isnan(e.high) else e.mean for g in groups for e in g.values
         if e is not None and not math.isnan(e.mean)),
        default=0.0,
    ) or 1.0  # fmt: skip
    span = WIDTH - LEFT - 70
    height = 30 + ROW * len(groups)

    def x(v: float) -> float:
        return LEFT + span * max(v, 0.0) / top

    parts = []
    for i, group in enumerate(groups):
        y0 = 26 + i * ROW
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', LEFT - 6,
                                 y0 + BAR, group.label))  # fmt: skip
        for s, estimate in enumerate(group.values):
            y = y0 + s * (BAR + 2)
            if estimate is None or math.isnan(estimate.mean):
                parts.append(format_html('<text x="{}" y="{}">x</text>', LEFT + 4, y + BAR - 2))
                continue
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#000"></line>'
                '<text x="{}" y="{}">{}</text>',
                LEFT, y, f"{x(estimate.mean) - LEFT:.1f}", BAR, COLOURS[s % 2],
                f"{x(estimate.low):.1f}", f"{x(estimate.high):.1f}", y + BAR / 2, y + BAR / 2,
                f"{x(estimate.high) + 4:.1f}", y + BAR - 2, f"{estimate.mean:.1f}",
            ))  # fmt: skip
    legend = format_html_join(
        "",
        '<rect x="{}" y="4" width="10" height="10" fill="{}"></rect>'
        '<text x="{}" y="13">{}</text>',
        ((LEFT + 140 * s, COLOURS[s % 2], LEFT + 140 * s + 14, name)
         for s, name in enumerate(series)),
    )  # fmt: skip
    return format_html(
        '<svg class="capacity-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="100%" font-size="12" xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        "{}{}</svg>",
        title, WIDTH, height, title, legend, SafeString("".join(parts)),
    )  # fmt: skip
