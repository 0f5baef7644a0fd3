"""Server-rendered horizontal bar charts for the shelter dashboards. The numbers are laid out
here; `shelter/_chart.html` draws the SVG and the table with the same figures beside it."""

from __future__ import annotations

from dataclasses import dataclass, field

ROW = 26
BAR = 18
LEFT = 250
WIDTH = 680
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    value_text: str
    x: int
    y: int
    width: int
    text_x: int
    text_y: int


@dataclass
class Chart:
    key: str  # unique on the page, for ids
    title: str
    label_header: str
    value_header: str
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    left: int = LEFT

    @property
    def summary(self) -> str:
        return "; ".join(f"{b.label}: {b.value_text}" for b in self.bars)


def hbar_chart(
    key: str, title: str, rows: list[tuple[str, float]], *, label_header: str, value_header: str
) -> Chart:
    """One bar per row, longest = full width; zero rows keep their line so the table and the
    chart list the same labels."""
    top = max((v for _, v in rows), default=0) or 1
    span = WIDTH - LEFT - 60
    chart = Chart(key, title, label_header, value_header, height=TOP * 2 + ROW * max(len(rows), 1))
    for i, (label, value) in enumerate(rows):
        width = round(span * value / top)
        y = TOP + i * ROW
        text = f"{value:g}" if isinstance(value, float) else str(value)
        chart.bars.append(
            Bar(label, value, text, LEFT, y, width, LEFT + width + 6, y + BAR // 2 + 1)
        )
    return chart
