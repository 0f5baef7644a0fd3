"""What leaves the module: the protected tables as page rows, CSV, XLSX, API data and the
publication bundle (ZIP). Everything here reads a ``ProtectedRelease`` only, so a suppressed
count cannot reach any output: the release does not hold it in its published tables.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from samen import labels
from samen.downloads import csv_delimiter
from samen.spreadsheets import SafeDictWriter, safe_cell, safe_row
from samen.statistics import tables
from samen.statistics.charts import ChartBar, bar_chart_svg
from samen.statistics.disclosure import TOTAL, ProtectedRelease, ProtectedTable, ResultCell
from samen.statistics.kanon import DEFAULT_K
from samen.statistics.periods import config

#: One mark for every hidden cell, whatever the reason: a reader who could tell a small count
#: (1 to 9) from a cell hidden to protect it would narrow both down (issue #13).
MARKER = "x"


# The label domain (samen.labels) of each dimension's categories.
DIMENSION_DOMAINS = {
    "form": "form_group", "gender": "gender", "nationality": "nationality_group",
    "reporter": "reporter", "outcome": "outcome", "wait": "wait", "place_type": "place_type",
    "age": "age_band",
}  # fmt: skip


def category_label(dimension: str, code: object, regions: dict[str, str]) -> str:
    """Display label of a category in the active language (samen.labels; regions by name)."""
    if code is TOTAL:
        return _("Total")
    if dimension == "region":
        return str(regions.get(str(code), code))
    return labels.label(DIMENSION_DOMAINS.get(dimension, ""), code)


def dimension_label(name: str) -> str:
    return {
        "year": _("Year"),
        "form": _("Form of exploitation"),
        "age": _("Age"),
        "gender": _("Gender"),
        "nationality": _("Nationality group"),
        "reporter": _("Reported by"),
        "region": _("Safety region"),
        "outcome": _("Outcome"),
        "place_type": _("Type of place"),
        "wait": _("Waiting time"),
    }.get(name, name)


def explain(cell: ResultCell) -> str:
    """Why a cell is hidden, in the active language: one text for every hidden cell, so the
    reason does not tell a small count from a cell hidden to protect one."""
    if cell.suppression is None:
        return ""
    return _(
        "Hidden: either fewer people than the minimum count, or hidden so that such a figure "
        "cannot be recalculated from other figures."
    )


def hidden_counts(release: ProtectedRelease) -> dict[str, int]:
    counts = release.counts()
    return {"cells": counts["cells"], "hidden": counts["primary"] + counts["secondary"]}


# -- page ----------------------------------------------------------------------------------


@dataclass
class PageCell:
    text: str
    suppressed: bool
    explanation: str
    is_total: bool


@dataclass
class PageRow:
    labels: list[str]
    cells: list[PageCell]
    is_total: bool


@dataclass
class PageTable:
    spec: tables.TableSpec
    title: str
    row_headers: list[str]
    column_headers: list[str]
    rows: list[PageRow]
    chart_svg: str
    hidden: int
    changes: list[dict[str, object]] = field(default_factory=list)


def _page_cell(cell: ResultCell, is_total: bool) -> PageCell:
    return PageCell(
        text=cell.display(MARKER),
        suppressed=cell.suppressed,
        explanation=explain(cell),
        is_total=is_total,
    )


def chart_bars(table: ProtectedTable, dimension: str, regions: dict[str, str]) -> list[ChartBar]:
    """The totals over ``dimension`` (everything else summed), as published."""
    names = table.dimension_names
    position = names.index(dimension)
    bars = []
    for category in table.dimensions[position].categories:
        coordinates = [TOTAL] * len(names)
        coordinates[position] = category
        bars.append(
            ChartBar(category_label(dimension, category, regions), table.cell(coordinates).value)
        )
    return bars


def chart_for(table: ProtectedTable, spec: tables.TableSpec, regions: dict[str, str]) -> str:
    title = f"{spec.title} — {dimension_label(spec.chart)}"
    description = _(
        "Bars show the total per category over the whole period; a suppressed total has no "
        "bar and is marked x. The same figures are in the table beside the chart."
    )
    bars = chart_bars(table, spec.chart, regions)
    return bar_chart_svg(f"chart-{spec.slug}", title, str(description), bars)


def page_table(table: ProtectedTable, regions: dict[str, str]) -> PageTable:
    spec = tables.SPEC_BY_NAME[table.name]
    names = list(table.dimension_names)
    column_position = names.index(spec.column)
    row_names = [n for n in names if n != spec.column]
    row_dims = [table.dimensions[names.index(n)] for n in row_names]
    column_dim = table.dimensions[column_position]
    columns = [*column_dim.categories, TOTAL]

    def combos(depth: int) -> Iterable[list[object]]:
        if depth == len(row_dims):
            yield []
            return
        for category in [*row_dims[depth].categories, TOTAL]:
            for rest in combos(depth + 1):
                yield [category, *rest]

    rows = []
    for combo in combos(0):
        fixed = dict(zip(row_names, combo, strict=True))
        is_total_row = any(c is TOTAL for c in combo)
        cells = []
        for column in columns:
            fixed[spec.column] = column
            cell = table.cell([fixed[n] for n in names])
            cells.append(_page_cell(cell, is_total_row or column is TOTAL))
        labels = [category_label(n, c, regions) for n, c in zip(row_names, combo, strict=True)]
        rows.append(PageRow(labels, cells, is_total_row))
    page = PageTable(
        spec=spec,
        title=str(spec.title),
        row_headers=[dimension_label(n) for n in row_names],
        column_headers=[category_label(spec.column, c, regions) for c in columns],
        rows=rows,
        chart_svg=chart_for(table, spec, regions),
        hidden=len(table.suppressed_cells),
    )
    if spec.slug in ("year-form", "year-form-age-class"):
        by = "form" if spec.slug == "year-form" else "age"
        page.changes = [
            {
                "category": category_label(by, TOTAL if c.category == "Total" else c.category,
                                           regions),
                "year": c.year,
                "previous": MARKER if c.previous is None else c.previous,
                "current": MARKER if c.current is None else c.current,
                "change": MARKER if c.change is None else f"{c.change:+d}",
                "percent": _percent(c),
            }
            for c in tables.year_on_year(table, by)
        ]  # fmt: skip
    return page


def _percent(change: tables.Change) -> str:
    if change.change is None:
        return MARKER
    if change.percent is None:
        return "—"
    # In the reader's language: Dutch writes +9,1%, English +9.1%.
    sign = "+" if change.percent > 0 else ""
    return f"{sign}{number_format(round(change.percent, 1), decimal_pos=1)}%"


# -- files ---------------------------------------------------------------------------------


def value_header() -> str:
    return _("Value")


def long_rows(table: ProtectedTable, regions: dict[str, str]) -> list[dict[str, object]]:
    """One row per cell, in words in the active language: each dimension under its name with
    the category's label, the published value or x, and why it is hidden. Codes stay in the
    API; a file is read by people (issue #16)."""
    out = []
    heads = [dimension_label(name) for name in table.dimension_names]
    for cell in table.cells:
        row: dict[str, object] = {
            head: category_label(name, coordinate, regions)
            for head, name, coordinate in zip(
                heads, table.dimension_names, cell.coordinates, strict=True
            )
        }
        row[value_header()] = cell.display(MARKER)
        row[_("Status")] = _("hidden") if cell.suppressed else _("published")
        row[_("Explanation")] = explain(cell)
        out.append(row)
    return out


def table_csv(table: ProtectedTable, regions: dict[str, str]) -> str:
    """The table as CSV for a spreadsheet in the reader's language: Dutch Excel wants ";" and
    a byte-order mark (see samen.downloads)."""
    rows = long_rows(table, regions)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = SafeDictWriter(buffer, fieldnames=list(rows[0]), delimiter=csv_delimiter())
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def release_xlsx(release: ProtectedRelease, regions: dict[str, str], lang: str) -> bytes:
    """One sheet per table (long format; published values as numbers, x where suppressed) and
    a sheet with the methods note."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in release.tables:
        spec = tables.SPEC_BY_NAME[table.name]
        sheet = workbook.create_sheet(spec.slug[:31])
        rows = long_rows(table, regions)
        sheet.append(safe_row(rows[0]))
        value = value_header()
        for row in rows:
            values: list[object] = list(row.values())
            position = list(row).index(value)
            if row[value] != MARKER:
                values[position] = int(str(row[value]))
            sheet.append(safe_row(values))
    notes = workbook.create_sheet(_("methods"))
    for line in methods_note(release, lang).splitlines():
        notes.append([safe_cell(line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def release_dict(release: ProtectedRelease, regions: dict[str, str]) -> dict[str, Any]:
    """The release for the API: every table with its cells, labels and reasons."""
    data = release.to_dict()
    lang = "nl" if (translation.get_language() or "nl").startswith("nl") else "en"
    data["methods"] = methods_note(release, lang)
    for table, entry in zip(release.tables, data["tables"], strict=True):
        spec = tables.SPEC_BY_NAME[table.name]
        entry["slug"] = spec.slug
        entry["title"] = str(spec.title)
        for cell, raw in zip(table.cells, entry["cells"], strict=True):
            raw["labels"] = [
                category_label(n, c, regions)
                for n, c in zip(table.dimension_names, cell.coordinates, strict=True)
            ]
            if raw["suppression"] is not None:
                raw["suppression"] = {"mark": MARKER, "explanation": explain(cell)}
    return data


def bundle_zip(release: ProtectedRelease, regions: dict[str, str]) -> bytes:
    """Tables as CSV and XLSX, charts as SVG and the methods note in Dutch and English."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for lang in ("nl", "en"):
            with translation.override(lang):
                archive.writestr(f"methods-{lang}.txt", methods_note(release, lang))
                archive.writestr(f"samen-statistics-{lang}.xlsx",
                                 release_xlsx(release, regions, lang))  # fmt: skip
                for table in release.tables:
                    spec = tables.SPEC_BY_NAME[table.name]
                    archive.writestr(f"tables-{lang}/{spec.slug}.csv", table_csv(table, regions))
                    archive.writestr(
                        f"charts-{lang}/{spec.slug}.svg", chart_for(table, spec, regions)
                    )
    return buffer.getvalue()


# -- methods note --------------------------------------------------------------------------


def _periods_note(nl: bool) -> str:
    """What ``SAMEN_STATISTICS_PERIODS`` makes available, for the methods note."""
    conf = config()
    years = conf["years"]
    if nl:
        text = f" (de laatste {years} volledige jaren samen en elk van die jaren"
        text += "; het lopende jaar als voorlopige periode" if conf["provisional"] else ""
        return text + "; geen kwartalen of halve jaren: een persoon telt eenmaal per jaar)"
    text = f" (the last {years} complete years together and each of those years"
    text += "; the running year as a provisional period" if conf["provisional"] else ""
    return text + "; no quarters or half-years: a person counts once per year)"


def methods_note(release: ProtectedRelease, lang: str, *, k: int = DEFAULT_K) -> str:
    """The rules applied, in Dutch or English. Written out per language rather than through
    the message catalogue: the bundle carries both at once."""
    rules = release.rules
    counts = hidden_counts(release)
    hidden = counts["hidden"]
    nl = lang == "nl"
    lines = [
        f"Samen — {'statistiek zonder onthulling' if nl else 'statistics without disclosure'}"
        f" ({release.label})",
        "",
        (
            "Geteld per persoon, niet per signaal: wie in een jaar meer dan eens is gesignaleerd "
            "telt in dat jaar één keer, met de kenmerken van het eerste signaal van dat jaar."
            if nl
            else "Counted per person, not per signal: a person signalled more than once in a "
            "year counts once in that year, with the characteristics of that year's first signal."
        ),
        "",
        "Regels" if nl else "Rules applied",
        (
            f"- Drempel: aantallen van 1 tot en met {rules.min_count - 1} worden niet "
            "gepubliceerd (primaire onderdrukking)."
            if nl
            else f"- Threshold: counts from 1 to {rules.min_count - 1} are not published "
            "(primary suppression)."
        ),
        (
            "- Secundaire onderdrukking: meer cellen zijn verborgen zodat geen verborgen cel uit "
            "rij-, kolom- of eindtotalen terug te rekenen is, ook niet over de tabellen die samen "
            "zijn gepubliceerd en over alle eerdere publicaties. Elke verborgen cel houdt een "
            f"bereik van minstens {rules.protection_margin:g}"
            + (
                f" en minstens {rules.protection_relative:.0%} van haar aantal"
                if rules.protection_relative
                else ""
            )
            + " (beschermingsinterval, zoals in τ-ARGUS)."
            if nl
            else "- Secondary suppression: further cells are hidden so that no hidden cell can be "
            "recalculated from row, column or grand totals, also across the tables published "
            "together and across every earlier release. Every hidden cell keeps a feasible range "
            f"of at least {rules.protection_margin:g}"
            + (
                f" and at least {rules.protection_relative:.0%} of its count"
                if rules.protection_relative
                else ""
            )
            + " (protection interval, as in τ-ARGUS)."
        ),
        (
            "- Eén teken: elke verborgen cel staat er als x, of ze nu klein is of verborgen om "
            "een kleine cel te beschermen; er is geen onderscheid tussen primair en secundair. "
            "Een verborgen cel kan ook een 0 zijn die verborgen is om een andere te beschermen."
            if nl
            else "- One mark: every hidden cell is shown as x, whether it is small itself or "
            "hidden to protect a small one; primary and secondary are not told apart. A hidden "
            "cell can also be a zero hidden to protect another."
        ),
        (
            "- Controle: voor elke verborgen cel is het bereik berekend dat een lezer uit alles "
            "wat gepubliceerd is kan afleiden: met lineaire programmering, en in gehele getallen "
            "(MILP) waar dat bereik dicht bij het beschermingsinterval ligt."
            if nl
            else "- Audit: for every hidden cell the range a reader can derive from everything "
            "published was computed: by linear programming, and in whole numbers (MILP) where "
            "that range comes close to the protection interval."
        ),
        (
            "- Vaste perioden: alleen hele kalenderjaren (en de laatste jaren samen) worden "
            "gepubliceerd, nooit willekeurige data"
            + _periods_note(nl)
            + ". Elke uitgifte is een vastgelegde publicatie "
            "met een versie en wordt gecontroleerd tegen alle eerdere publicaties van "
            "overlappende perioden. Een correctie is een nieuwe versie: cijfers die met minder "
            f"dan {rules.min_count} personen veranderden, worden verborgen."
            if nl
            else "- Fixed periods: only whole calendar years (and the last years together) are "
            "released, never arbitrary dates"
            + _periods_note(nl)
            + ". Every release is recorded with a version and "
            "checked against all earlier releases of overlapping periods. A correction is a new "
            f"version: figures that changed by fewer than {rules.min_count} people are hidden."
        ),
        (
            "- Afronding: "
            + (
                f"gepubliceerde aantallen zijn afgerond op veelvouden van {rules.rounding_base}."
                if rules.rounding_base
                else "geen; gepubliceerde aantallen zijn exact."
            )
            if nl
            else "- Rounding: "
            + (
                f"published counts are rounded to multiples of {rules.rounding_base}."
                if rules.rounding_base
                else "none; published counts are exact."
            )
        ),
        (
            "- Nullen: "
            + ("worden gepubliceerd." if rules.zero_policy == "publish" else "worden onderdrukt.")
            if nl
            else "- Zeros: "
            + ("are published." if rules.zero_policy == "publish" else "are suppressed.")
        ),
        (
            "- Verschillen: de tabellen zijn beschermd tegen aftrekken van een tabel en haar "
            "deeltabel (minderjarigen en volwassenen in leeftijdsgroepen) en tegen elke eerdere "
            "publicatie van een overlappende periode, ook eerdere versies van dezelfde periode."
            if nl
            else "- Differencing: the tables are protected against subtracting a table and its "
            "sub-table (minors and adults in age bands) and against every earlier release of an "
            "overlapping period, earlier versions of the same period included."
        ),
        (
            f"- k-anonimiteit: de export per zaak (HTCDS 2.0) bevat alleen groepen van minstens "
            f"k = {k} personen op de quasi-identificatoren (jaar, leeftijdsgroep, geslacht, "
            "nationaliteit, vorm van uitbuiting)."
            if nl
            else f"- k-anonymity: the case-level export (HTCDS 2.0) only holds groups of at least "
            f"k = {k} persons on the quasi-identifiers (year, age band, gender, citizenship, form "
            "of exploitation)."
        ),
        (
            "- Veranderingen ten opzichte van het vorige jaar zijn alleen berekend uit "
            "gepubliceerde cellen; naast een verborgen cel staat ook geen verandering."
            if nl
            else "- Year-on-year changes are computed from published cells only; next to a "
            "hidden cell no change is shown either."
        ),
        "",
        (
            f"Resultaat: {hidden} van {counts['cells']} cellen verborgen; controle: "
            + ("geslaagd." if release.safe else "NIET geslaagd.")
            if nl
            else f"Result: {hidden} of {counts['cells']} cells hidden; audit "
            + ("passed." if release.safe else "FAILED.")
        ),
        (
            "In de tabellen staat x voor een verborgen aantal."
            if nl
            else "In the tables x stands for a hidden count."
        ),
    ]
    return "\n".join(lines) + "\n"
