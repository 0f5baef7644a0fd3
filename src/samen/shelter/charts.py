"""Horizontal bar charts for the shelter dashboards, drawn by `samen.charts`; `shelter/_chart.html`
puts the table with the same figures beside each."""

from __future__ import annotations

from dataclasses import dataclass

from samen import charts


@dataclass(frozen=True)
class Chart:
    plot: charts.HBars
    label_header: str
    value_header: str

    @property
    def key(self) -> str:
        return self.plot.key

    @property
    def title(self) -> str:
        return self.plot.title

    @property
    def bars(self) -> list[charts.HBar]:
        return self.plot.bars

    @property
    def svg(self) -> charts.Markup:
        return self.plot.svg


def hbar_chart(
    key: str, title: str, rows: list[tuple[str, float]], *, label_header: str, value_header: str
) -> Chart:
    """One bar per row, longest = full width; zero rows keep their line so the table and the
    chart list the same labels."""
    shown = [(label, v, f"{v:g}" if isinstance(v, float) else str(v)) for label, v in rows]
    plot = charts.hbars(
        key, title, shown, width=680, left=250, right=60, bar_height=18, label_chars=28
    )
    return Chart(plot, label_header, value_header)
