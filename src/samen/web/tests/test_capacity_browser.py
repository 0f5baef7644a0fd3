"""Capacity planning's Done-when path in a real browser: programme staff open the planning page
on the demo, see the calibrated baseline beside the observed figures of a past year, add places
for minors in one region and read the change in waiting time with its confidence interval."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_programme_staff_add_places_for_minors_and_read_the_change_in_waiting_time(
    new_page, sign_in
):
    page = new_page()
    sign_in(page, "demo-programme")
    page.goto("/capaciteit/")
    backtest = page.get_by_test_id("table-backtest")
    expect(backtest).to_contain_text("Waargenomen")
    expect(backtest).to_contain_text("Mediane wachttijd (dagen)")
    page.locator("select[name=region]").select_option("VR09")
    page.locator("select[name=place_type]").select_option("protected_minors")
    page.locator("input[name=places]").fill("5")
    page.locator("input[name=replications]").fill("10")
    with page.expect_navigation():
        page.get_by_role("button", name="Simuleren").click()
    scenario = page.get_by_test_id("table-scenario")
    headers = scenario.locator("thead th").all_inner_texts()
    change = headers.index("Verandering")
    row = scenario.locator("tbody tr", has_text="Mediane wachttijd (dagen)")
    cells = row.locator("th, td").all_inner_texts()
    # The change and its 95% interval: numbers (or a dash when nobody waited), never empty.
    assert all(cells[change + k].strip() for k in range(3))
    assert headers[change + 1] == "Verandering, ondergrens 95%"
    expect(page.get_by_test_id("chart-waits").locator("svg")).to_be_visible()
