"""Horizontal bar charts of published figures, drawn with `samen.charts` (the house's one chart
module: accessible frame, bars, text, coordinates that SVG can read).

The same markup goes inline on the page and into the publication bundle as a file of its own
(`samen.charts.svg` always names the SVG namespace). A suppressed figure gets no bar, just the
marker, so the chart cannot show more than the table beside it; labels are not shortened,
since the categories of a published table are short and a reader must not guess them.
"""

from __future__ import annotations

from dataclasses import dataclass

from samen import charts

WIDTH = 640
LABEL = 240  # room for the category labels
ROW = 28
TOP = 8


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: int | None  # None: suppressed

    @property
    def text(self) -> str:
        return "x" if self.value is None else str(self.value)


def bar_chart_svg(chart_id: str, title: str, description: str, bars: list[ChartBar]) -> str:
    peak = max([b.value or 0 for b in bars] + [1])
    span = WIDTH - LABEL - 60
    parts = []
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        width = 0 if bar.value is None else round(charts.scale(bar.value, peak, span), 1)
        parts.append(charts.text(LABEL - 6, y + 19, bar.label, anchor="end"))
        if width:
            parts.append(charts.rect(LABEL, y + 4, width, ROW - 8))
        parts.append(charts.text(LABEL + width + 4, y + 19, bar.text))
    return charts.svg(
        key=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=TOP * 2 + ROW * max(len(bars), 1),
        body=parts,
        css_class="chart",
    )
