"""Horizontal bar charts as SVG, drawn from published figures only.

The same markup goes inline on the page and into the publication bundle as a file. No script,
no style attribute (the content security policy forbids inline styles); presentation
attributes only. A suppressed figure gets no bar, just the marker, so the chart cannot show
more than the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape

WIDTH = 640
LABEL = 240  # room for the category labels
ROW = 28
TOP = 8
BAR_COLOUR = "#154273"
TEXT_COLOUR = "#1a1a1a"
FONT_SIZE = 16  # body size: the chart is drawn at one unit per pixel


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: int | None  # None: suppressed

    @property
    def text(self) -> str:
        return "x" if self.value is None else str(self.value)


def bar_chart_svg(
    chart_id: str, title: str, description: str, bars: list[ChartBar], *, standalone: bool
) -> str:
    """``standalone`` adds the XML namespace for a file of its own."""
    peak = max([b.value or 0 for b in bars] + [1])
    span = WIDTH - LABEL - 60
    height = TOP * 2 + ROW * max(len(bars), 1)
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [
        f'<svg{namespace} role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        width = 0 if bar.value is None else round(span * bar.value / peak, 1)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 19}" text-anchor="end" font-size="{FONT_SIZE}" '
            f'fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
        )
        if width:
            parts.append(
                f'<rect x="{LABEL}" y="{y + 4}" width="{width}" height="{ROW - 8}" '
                f'fill="{BAR_COLOUR}"></rect>'
            )
        parts.append(
            f'<text x="{LABEL + width + 4}" y="{y + 19}" font-size="{FONT_SIZE}" '
            f'fill="{TEXT_COLOUR}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
