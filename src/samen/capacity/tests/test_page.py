"""The planning page, its downloads and the command, as programme staff and as others."""

from __future__ import annotations

import io

from django.core.management import call_command
from openpyxl import load_workbook

SCENARIO = "region=VR09&place_type=protected_minors&places=3&growth_minors=52&replications=5"


def test_programme_staff_see_the_baseline_beside_the_back_test(register, web_for):
    page = web_for("demo-programme").get(f"/capaciteit/?year={register.year}&replications=5")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("backtest", "calibration", "scenario", "regions", "occupancy"):
        assert f'data-testid="table-{key}"' in html
    assert html.count("<svg") == 3
    assert "Terugtoets" in html  # Dutch first


def test_a_first_visit_runs_last_year_without_a_change(register, web_for):
    page = web_for("demo-programme").get("/capaciteit/")
    assert page.status_code == 200 and 'data-testid="table-backtest"' in page.content.decode()


def test_the_csv_is_semicolon_separated_with_a_byte_order_mark(register, web_for):
    web = web_for("demo-programme")
    response = web.get(f"/capaciteit/?year={register.year}&{SCENARIO}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff") and ";" in body.splitlines()[1]
    assert "x" in body.split(";")  # the hidden region


def test_the_xlsx_holds_one_sheet_per_table(register, web_for):
    web = web_for("demo-programme")
    response = web.get(f"/capaciteit/?year={register.year}&{SCENARIO}&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert {"backtest", "scenario", "regions", "occupancy", "types"} <= set(book.sheetnames)


def test_places_without_a_region_are_a_field_error_not_a_run(register, web_for):
    response = web_for("demo-programme").get(f"/capaciteit/?year={register.year}&places=4")
    assert response.status_code == 400
    assert "Kies de regio" in response.content.decode()


def test_roles_without_the_statistics_grant_are_refused(register, web_for):
    assert web_for("demo-coordinator").get("/capaciteit/").status_code == 403
    assert web_for("demo-shelter").get("/capaciteit/?format=csv").status_code == 403


def test_the_command_prints_the_tables_and_its_progress(register):
    out, err = io.StringIO(), io.StringIO()
    call_command("shelter", "simulate", "--user", "demo-programme", "--year", str(register.year),
                 "--replications", "3", "--region", "VR09", "--place-type", "protected_minors",
                 "--places", "2", stdout=out, stderr=err)  # fmt: skip
    assert "baseline: 3/3 replications" in err.getvalue()
    assert "Back-test" in out.getvalue() or "Terugtoets" in out.getvalue()
