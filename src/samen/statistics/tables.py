"""The chain's yearly table (year x form of exploitation), counted per case, protected by the
disclosure-control engine before anyone sees it. Plain functions over selector rows."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from samen.statistics.disclosure import (
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    ProtectedRelease,
    protect,
)

SERIES_FILE = Path(__file__).parent / "data" / "public_series.json"
FORMS = ("sexual", "labour", "criminal", "other")
TABLE = "Registered possible victims by year and form of exploitation"


def public_series() -> dict[str, dict[str, int]]:
    data = json.loads(SERIES_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def main_form(forms: list[str]) -> str:
    """One form per person for this table: the first in the order of the chain's reporting."""
    for form in FORMS:
        if form in forms:
            return form
    return "other"


def year_form_release(rows: list[dict], *, min_count: int = 10) -> ProtectedRelease:
    years = sorted({str(r["opened_at"].year) for r in rows}) or ["—"]
    counts = Counter((str(r["opened_at"].year), main_form(r.get("forms", []))) for r in rows)
    table = CountTable(
        TABLE,
        [Dimension("year", tuple(years), complete=False), Dimension("form", FORMS)],
        {key: n for key, n in counts.items()},
    )
    return protect([table], DisclosureRules(min_count=min_count), label="year x form")


def grid(release: ProtectedRelease) -> tuple[list[str], list[dict[str, object]]]:
    """Rows per year (and a total row) with a cell per form and the row total, for a page."""
    table = release.table(TABLE)
    cells = {tuple(c.coordinates): c for c in table.cells}
    years = [
        c.coordinates[0]
        for c in table.cells
        if c.coordinates[1] is TOTAL and c.coordinates[0] is not TOTAL
    ]
    out = []
    for year in [*years, TOTAL]:
        out.append(
            {
                "year": "total" if year is TOTAL else year,
                "cells": [cells[(year, f)] for f in FORMS],
                "total": cells[(year, TOTAL)],
            }
        )
    return list(FORMS), out
