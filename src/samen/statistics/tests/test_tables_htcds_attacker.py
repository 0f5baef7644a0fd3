"""An outside attacker holding the published yearly tables and an HTCDS export (issue #13
item 4), written without the module's code: it reads the API's tables and the export's CSV.

The export counts cases by the year they were opened, the tables persons by their first
signal of the year; for most people that is the same, so the attacker takes them as the same
population. Then a published cell and the export's count of the same group that differ by 1
to K-1 single out the few people between them, and a hidden cell is given away where the
export's count is what it hides. Only the judge reads the true counts (from the archive).

The form of exploitation: the tables count a person once, under the first of sexual, labour
and criminal exploitation among their forms, else under other (the methods note); the export
lists every form of a case in HTCDS words, where criminal exploitation is Other (its notes).
So a record names its table form exactly unless its first form is Other, which is criminal
or other: the attacker counts each group between the records that surely belong to it and
those that may, and adds criminal and other up where only their sum is exact.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from samen.statistics.archive import release_from_archive
from samen.statistics.demo import add_statistics_volume
from samen.statistics.models import Publication
from samen.statistics.tests.attack_worlds import today, volume_persons, volume_seed

K = 10
#: The attacker's reading of the table codes in the export's words (from the two files' labels).
READING = {
    "gender": ("prs_Gender", {"female": "Feminine", "male": "Masculine",
                              "other": "NonConforming", "unknown": "NonSpecifiedUnknown"}),
    "nationality": ("samen_NationalityGroup", {"NL": "NL", "EU": "EU", "non_EU": "non-EU",
                                               "unknown": "unknown"}),
    "age": ("samen_AgeBand", {"0-11": "0-11 years", "12-17": "12-17 years",
                              "18-22": "18-22 years", "23-29": "23-29 years",
                              "30-49": "30-49 years", "50+": "50 years or older",
                              "minor": "0-17 years", "adult": "18 years or older",
                              "unknown": "unknown"}),
}  # fmt: skip
YEAR = "samen_RegistrationYear"
FORMS = "vic_TypeOfExploitation"
#: The export's words for the table's forms, read from the notes (criminal is Other).
FORM_WORDS = {"sexual": "SexualExploitation", "labour": "ForcedLabour", "criminal": "Other"}
EITHER = ("criminal", "other")
#: Columns no victims table is cut by (victim status, who decided, case status); the status
#: is set against the identification outcomes in test_outside_attacker.py (scenario e).
NO_TABLE = ("vic_TraffickingStatus", "vic_TraffickingStatusDecisionMakingOrg", "cas_Status")
CLASS_OF = {"0-11 years": "0-17 years", "12-17 years": "0-17 years", "unknown": "unknown"}


def _api(username: str):
    from rest_framework.test import APIClient

    from samen.conftest import api_token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(username)}")
    return client


def table_forms(value: str) -> set[str]:
    """The table forms a record's forms may stand for (first of sexual, labour, criminal)."""
    words = set(value.split(";")) - {""}
    for form in ("sexual", "labour"):
        if FORM_WORDS[form] in words:
            return {form}
    return set(EITHER) if "Other" in words else {"other"}


def published(periods: list) -> list[dict]:
    """Every cell by year and form the registrar's API hands out, with criminal and other
    summed where both are there (the export's Other)."""
    api = _api("demo-registrar")
    cells = []
    for period in periods:
        body = api.get(f"/api/v1/statistics/tables/?period={period}").json()
        for table in body["tables"]:
            dims = [d["name"] for d in table["dimensions"]]
            if dims[:2] != ["year", "form"] or len(dims) > 3:
                continue
            other = dims[2] if len(dims) == 3 else None
            if other is not None and other not in READING:
                continue
            either: dict[tuple, list] = {}
            for cell in table["cells"]:
                where = dict(zip(dims, cell["coordinates"], strict=True))
                value = where.get(other) if other else "Total"
                years = (
                    set(table["dimensions"][0]["categories"])
                    if where["year"] == "Total"
                    else {where["year"]}
                )
                forms = None if where["form"] == "Total" else {where["form"]}
                entry = {"slug": table["slug"], "year": where["year"], "years": years,
                         "dimension": other, "category": value, "forms": forms,
                         "value": cell["value"]}  # fmt: skip
                cells.append(entry)
                if where["form"] in EITHER:
                    either.setdefault((where["year"], value), []).append(entry)
            for pair in either.values():
                if len(pair) == 2:
                    cells.append({**pair[0], "forms": set(EITHER), "parts": pair})
    return cells


def export(tmp_path: Path, years: list[int]) -> list[dict[str, str]]:
    out = tmp_path / "htcds.csv"
    call_command("statistics", "export-htcds", "--out", str(out), "--user", "demo-registrar",
                 "--years", f"{years[0]}-{years[-1]}")  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def attack(cells: list[dict], rows: list[dict[str, str]]) -> tuple[list, dict]:
    """Differences of 1..K-1 between a published cell and the export's count of its group,
    and the export's count for every hidden cell it can be set against (the estimate)."""
    differences: list[tuple] = []
    estimates: dict[tuple, int] = {}
    for cell in cells:
        years = cell["years"]
        in_year = [r for r in rows if r[YEAR] in years]
        if cell["category"] == "Total":
            group = in_year
        else:
            column, words = READING[cell["dimension"]]
            wanted = words[cell["category"]]
            values = {r[column] for r in rows}
            if wanted in values:
                group = [r for r in in_year if r[column] == wanted]
            elif wanted in CLASS_OF.values() or wanted == "18 years or older":
                # Age bands in the export, minor or adult in the table: add the bands up.
                if not values - {""} or values <= {"", *CLASS_OF.values(), "18 years or older"}:
                    continue
                group = [
                    r for r in in_year if CLASS_OF.get(r[column], "18 years or older") == wanted
                ]
            else:
                continue  # the export does not say this (not released, or coarser)
        where: tuple = (cell["slug"], "-".join(sorted(years)), cell["category"])
        if cell["forms"] is None:
            count = len(group)
            if cell["value"] is None:
                estimates[where] = count
            elif 0 < abs(cell["value"] - count) < K:
                differences.append((*where, cell["value"] - count))
            continue
        if not any(r[FORMS] for r in rows):
            continue  # the export does not say the forms
        possible = [table_forms(r[FORMS]) for r in group]
        surely = sum(1 for p in possible if p <= cell["forms"])
        maybe = sum(1 for p in possible if p & cell["forms"])
        if "parts" in cell:
            # Criminal + other is exact in the export: with one part hidden and the other
            # published it gives the hidden one away.
            parts = cell["parts"]
            hidden = [p for p in parts if p["value"] is None]
            if len(hidden) == 1:
                (shown,) = [p for p in parts if p["value"] is not None]
                (form,) = hidden[0]["forms"]
                estimates[(*where, form)] = surely - shown["value"]
            elif not hidden and 0 < abs(sum(p["value"] for p in parts) - surely) < K:
                differences.append((*where, "criminal+other", sum(p["value"] for p in parts)))
            continue
        (form,) = cell["forms"]
        if cell["value"] is None:
            if surely == maybe:
                estimates[(*where, form)] = surely
            continue
        # The people between the table and the export: somewhere from value - maybe to
        # value - surely; a small group when every possibility is one.
        low, high = cell["value"] - maybe, cell["value"] - surely
        if 0 < low <= high < K or -K < low <= high < 0:
            differences.append((*where, form, (low, high)))
    return differences, estimates


def truth() -> dict[tuple, int]:
    """The judge's true counts of the hidden cells (the archive; never the attacker's)."""
    slugs = {
        "Registered possible victims by year and form of exploitation": "year-form",
        "Registered possible victims by year, form and gender": "year-form-gender",
        "Registered possible victims by year, form and nationality group": "year-form-nationality",
        "Registered possible victims by year, form and age band": "year-form-age-band",
        "Registered possible victims by year, form and minor or adult": "year-form-age-class",
    }
    true = {}
    for publication in Publication.objects.all():
        release = release_from_archive(publication.archive)
        for table in release.source_tables:
            if table.name not in slugs:
                continue
            for coordinates, value in table.cells():
                labels = [str(c) for c in coordinates]
                category = labels[2] if len(labels) == 3 else "Total"
                years = table.dimensions[0].categories if labels[0] == "Total" else labels[:1]
                where = (slugs[table.name], "-".join(sorted(years)), category)
                true[where if labels[1] == "Total" else (*where, labels[1])] = value
    return true


@pytest.fixture
def register(world):
    add_statistics_volume(seed=volume_seed(), persons=volume_persons(), years=3)
    cache.clear()


def test_the_published_tables_and_an_htcds_export_cannot_be_set_against_each_other(
    register, tmp_path
):
    last = today().year - 1
    years = [last - 4, last - 3, last - 2, last - 1, last]
    cells = published([*years, f"{years[0]}-{last}"])
    assert cells
    rows = export(tmp_path, years)
    # The attacker reads every column of the file that a published table is cut by; the
    # region and who reported are not in it. A column added to the export fails here until
    # this attacker (and the module's check) sets it against the tables.
    assert set(rows[0]) == {"samen_ExportPseudonym", YEAR, FORMS, *(c for c, _ in READING.values()),
                            *NO_TABLE}  # fmt: skip
    differences, estimates = attack(cells, rows)
    assert not differences, differences[:5]
    true = truth()
    pinned = [where for where, guess in estimates.items() if guess and guess == true[where]]
    assert not pinned, pinned[:5]


def test_an_export_taken_before_the_tables_are_published_cannot_be_set_against_them(
    register, tmp_path
):
    """The other order: the registrar exports first (no table of those years is published
    yet, so the export has nothing to be set against), and the tables are published after."""
    last = today().year - 1
    years = [last - 4, last - 3, last - 2, last - 1, last]
    rows = export(tmp_path, years)
    cells = published([*years, f"{years[0]}-{last}"])
    assert cells and rows
    differences, estimates = attack(cells, rows)
    assert not differences, differences[:5]
    true = truth()
    pinned = [where for where, guess in estimates.items() if guess and guess == true[where]]
    assert not pinned, pinned[:5]
