"""The shared chart primitives: accessible, escaped, and readable by SVG in any language."""

import re

from django.template import Context, Template
from django.utils import translation

from samen import charts


def _page(chart: charts.HBars) -> str:
    with translation.override("nl"):
        return Template("{% load l10n %}{{ chart.svg }}").render(Context({"chart": chart}))


def test_a_chart_on_a_dutch_page_keeps_decimal_points_and_is_not_escaped_twice():
    chart = charts.hbars("c", "Titel", [("a", 3, "3"), ("b", 2, "2")], width=600, left=230)
    html = _page(chart)
    assert html.startswith("<svg")
    widths = re.findall(r'<rect x="230" y="\d+" width="([\d.]+)"', html)
    assert widths == ["314", "209.3"]


def test_labels_are_escaped_and_the_title_and_description_are_named_for_screen_readers():
    html = _page(charts.hbars("k", "Vrij & bezet", [("<b>x</b>", 1, "1")]))
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert 'aria-labelledby="k-title k-desc"' in html
    assert '<title id="k-title">Vrij &amp; bezet</title>' in html
    assert '<desc id="k-desc">&lt;b&gt;x&lt;/b&gt;: 1</desc>' in html


def test_an_empty_chart_says_why_instead_of_drawing_nothing():
    html = _page(charts.hbars("e", "Titel", [], empty_text="Nog geen zaken."))
    assert "<rect" not in html and html.count("Nog geen zaken.") == 2  # drawn and described


def test_figures_read_as_dutch():
    assert charts.dutch_number(3700) == "3.700"
    assert charts.dutch_number(12.5, decimals=1) == "12,5"
    assert charts.truncate("Slachtoffers van arbeidsuitbuiting", 12) == "Slachtoffer…"
