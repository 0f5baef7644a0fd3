"""Chart primitives for the SVG charts drawn on the server (pages work without JavaScript).

One place for what every chart shares: the accessible frame (`role="img"`, a `<title>` and a
`<desc>` named by `aria-labelledby`), bars, lines and text in the house colours, coordinates
written with a decimal point whatever the page's language (Dutch would write 12,5, which SVG
cannot read), numbers and labels in plain Dutch, and the horizontal bar chart most pages use.
No script, no style attribute (the content security policy forbids inline styles):
presentation attributes only. Every chart stands beside a table with the same figures.

Plain Python, no Django (engines such as `identification.leadtimes` use it); the markup is a
`Markup` string, which Django's templates print as it is, every text in it escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#b4b4b4"
BAR = "#154273"
FONT = "system-ui, Arial, sans-serif"
FONT_SIZE = 16  # body size: the charts are drawn at one unit per pixel


class Markup(str):
    """Markup built here from escaped parts: Django's templates print it without escaping
    (they honour `__html__`)."""

    def __html__(self) -> str:
        return self


def num(value: float) -> str:
    """A coordinate: a decimal point, at most one decimal, never localised."""
    rounded = round(float(value), 1)
    return f"{rounded:g}" if math.isfinite(rounded) else "0"


def dutch_number(value: float | Decimal, decimals: int = 2) -> str:
    """A figure as a Dutch reader writes it: 3.700 and 12,50; no decimals when whole."""
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def truncate(label: str, length: int) -> str:
    """Shorten a label to `length` characters with an ellipsis (the table has it in full)."""
    return label if len(label) <= length else label[: length - 1] + "…"


def summary(pairs: Iterable[tuple[str, str]]) -> str:
    """The one-line text equivalent of a chart for screen readers: "label: value; ..."."""
    return "; ".join(f"{label}: {value}" for label, value in pairs)


def scale(value: float, top: float, span: float) -> float:
    """The length of a bar for `value` when `top` fills `span` (negative values draw none)."""
    return span * max(float(value), 0.0) / (float(top) or 1.0)


def nice_max(top: Decimal) -> Decimal:
    """Round an axis up to 1, 2 or 5 times a power of ten, so the ticks read easily."""
    if top <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return Decimal(step) * magnitude
    return Decimal(10) * magnitude


def svg(
    *,
    key: str,
    title: str,
    description: str,
    width: float,
    height: float,
    body: Iterable[str],
    css_class: str = "",
    testid: str = "",
    font_size: int = FONT_SIZE,
) -> Markup:
    """The accessible frame around a chart's parts: its title and description are what a
    screen reader announces."""
    extra = (f' class="{escape(css_class)}"' if css_class else "") + (
        f' data-testid="{escape(testid)}"' if testid else ""
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'width="{num(width)}" role="img" aria-labelledby="{escape(key)}-title '
        f'{escape(key)}-desc" font-family="{FONT}" font-size="{font_size}"{extra}>'
        f'<title id="{escape(key)}-title">{escape(title)}</title>'
        f'<desc id="{escape(key)}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def rect(x: float, y: float, width: float, height: float, *, fill: str = BAR, tip: str = "") -> str:
    """A bar; `tip` is shown on hover (a `<title>` inside the bar)."""
    inner = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" '
        f'fill="{fill}">{inner}</rect>'
    )


def line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK) -> str:
    """An axis or a grid line."""
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="{stroke}" stroke-width="1"/>'
    )


def text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    fill: str = INK,
    middle: bool = False,
    dy: float = 0,
) -> str:
    """A label or a value. `middle`: `y` is the text's vertical centre (beside a bar)."""
    attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
    attrs += ' dominant-baseline="middle"' if middle else ""
    attrs += f' dy="{num(dy)}"' if dy else ""
    return f'<text x="{num(x)}" y="{num(y)}"{attrs} fill="{fill}">{escape(content)}</text>'


# --- the horizontal bar chart -----------------------------------------------------------------


@dataclass(frozen=True)
class HBar:
    label: str
    value: float
    value_text: str
    y: float
    width: float
    text_y: float


@dataclass
class HBars:
    """Horizontal bars, one per row, so long region and form names stay readable."""

    key: str  # unique on the page: the ids of the chart's title and description
    title: str
    bars: list[HBar] = field(default_factory=list)
    width: int = 600
    height: int = 0
    left: int = 230  # room for the labels
    bar_height: int = 16
    label_chars: int = 26
    empty_text: str = ""  # drawn, and read out, when there is no bar

    @property
    def summary(self) -> str:
        return summary((b.label, b.value_text) for b in self.bars)

    @property
    def svg(self) -> Markup:
        parts = []
        for b in self.bars:
            parts.append(
                text(
                    self.left - 6,
                    b.text_y,
                    truncate(b.label, self.label_chars),
                    anchor="end",
                    middle=True,
                )
                + rect(self.left, b.y, b.width, self.bar_height, tip=f"{b.label}: {b.value_text}")
                + text(self.left + b.width + 4, b.text_y, b.value_text, middle=True)
            )
        if self.bars:
            parts.append(line(self.left, 0, self.left, self.height))
        else:
            parts.append(text(8, 20, self.empty_text, fill=MUTED))
        return svg(
            key=self.key,
            title=self.title,
            description=self.summary or self.empty_text,
            width=self.width,
            height=self.height,
            body=parts,
            testid=self.key,
        )


ROW = 26
TOP = 8


def hbars(
    key: str,
    title: str,
    rows: Iterable[tuple[str, float, str]],
    *,
    width: int = 600,
    left: int = 230,
    right: int = 56,
    bar_height: int = 16,
    label_chars: int = 26,
    empty_text: str = "",
) -> HBars:
    """Lay out one bar per (label, value, value text) row, the largest filling the width left
    of `right` (room for the value text)."""
    rows = list(rows)
    top = max((v for _label, v, _text in rows), default=0) or 1
    chart = HBars(
        key,
        title,
        width=width,
        left=left,
        bar_height=bar_height,
        label_chars=label_chars,
        height=TOP * 2 + ROW * max(1, len(rows)),
        empty_text=empty_text,
    )
    for i, (label, value, value_text) in enumerate(rows):
        y = TOP + i * ROW
        chart.bars.append(
            HBar(
                label,
                value,
                value_text,
                y,
                round(scale(value, top, width - left - right), 1),
                y + bar_height / 2,
            )
        )
    return chart
