"""The identification path in a real browser (issue #5, "Done when"): an investigator
establishes the slightest indication on a demo case, the reflection period and its end date
appear, the coordinator sees the deadline, the report is recorded and the B8/3 permit tracked;
a minor's case shows the guardian and the protection path.

Fixtures (chromium, demo world, fresh contexts, sign-in) live in this folder's conftest.py.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from samen.identification.machine import add_months
from samen.identification.models import IdentificationPath

pytestmark = pytest.mark.browser


def take(page, code: str, **values: str) -> None:
    """Take a step from the case page's identification block; it comes back to the case page."""
    for name, value in values.items():
        field = page.locator(f"#cb-{code}-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        page.get_by_test_id(f"ident-take-{code}").click()
    expect(page.locator("main .messages .alert--success")).to_be_visible()


def state_of(page) -> str:
    return (
        page.get_by_test_id("ident-timeline")
        .locator("[aria-current=step]")
        .get_attribute("data-state")
    )


def test_from_signal_to_b83_permit(new_page, sign_in, artifact_dir):
    number = IdentificationPath.objects.get(unaccompanied=False, state="signalled").case.number
    today = date.today()
    investigator = new_page()
    sign_in(investigator, "demo-investigator")
    investigator.goto(f"/zaken/{number}/")
    expect(investigator.get_by_test_id("identification-block")).to_be_visible()
    assert state_of(investigator) == "signalled"
    take(investigator, "assessment_start")
    take(investigator, "indication_establish", established_on=today.isoformat())
    assert state_of(investigator) == "indication_established"
    take(investigator, "reflection_offer", starts_on=today.isoformat())
    end = add_months(today, 3)
    deadline = investigator.get_by_test_id("ident-deadlines").locator("[data-kind=reflection_end]")
    expect(deadline.locator("time")).to_have_attribute("datetime", end.isoformat())
    investigator.screenshot(
        path=str(artifact_dir / "identification-reflection.png"), full_page=True
    )

    coordinator = new_page()
    sign_in(coordinator, "demo-coordinator")
    coordinator.goto("/zaken/")
    coordinator.locator("nav a[href='/identificatie/termijnen/']").click()
    later = coordinator.get_by_test_id("deadlines-later")
    row = later.locator("tr", has=coordinator.get_by_role("link", name=number, exact=True))
    expect(row.locator("[data-kind=reflection_end]")).to_be_visible()
    expect(row).to_contain_text(str(end.year))
    # The coordinator sees who must take the next step, but has no form for it.
    coordinator.goto(f"/zaken/{number}/")
    expect(coordinator.get_by_test_id("ident-next-report_record")).to_be_visible()
    expect(coordinator.get_by_test_id("ident-take-report_record")).to_have_count(0)

    investigator.reload()
    take(
        investigator,
        "report_record",
        reported_on=today.isoformat(),
        kind="report",
        police_unit="Midden",
    )
    take(investigator, "b83_apply", applied_on=today.isoformat())
    assert state_of(investigator) == "b83_applied"

    ind = new_page()
    sign_in(ind, "demo-ind")
    ind.goto(f"/zaken/{number}/")
    # The IND's own role acts for the residence purpose only (reach by relation, #12, ADR
    # 0012), so there is no purpose to switch: it takes the B8/3 step as it signs in.
    expect(ind.locator("#purpose-select")).to_have_count(0)
    take(ind, "b83_grant", decided_on=today.isoformat(), permit_starts_on=today.isoformat())
    assert state_of(ind) == "b83_granted"
    permit = ind.get_by_test_id("ident-deadlines").locator("[data-kind=permit_end]")
    expect(permit.locator("time")).to_have_attribute("datetime", add_months(today, 12).isoformat())
    # Three of the six steps: the IND acts for residence (B8/3), so the assessment
    # (exploitation data) and the report to the police (criminal data) are not its to read
    # (identification steps go through the field policy, issue #12, ADR 0017).
    steps = ind.get_by_test_id("ident-steps").locator("li")
    expect(steps).to_have_count(3)
    ind.screenshot(path=str(artifact_dir / "identification-permit.png"), full_page=True)

    coordinator.goto("/identificatie/termijnen/")
    later = coordinator.get_by_test_id("deadlines-later")
    expect(later).to_contain_text(number)
    # This case's row (the demo world holds other permits too, issue #14's routes).
    row = later.locator("tr", has=coordinator.get_by_role("link", name=number, exact=True))
    expect(row.locator("[data-kind=permit_end]")).to_have_count(1)


def test_a_minors_case_shows_the_guardian_and_the_protection_path(new_page, sign_in):
    path = IdentificationPath.objects.select_related("case").get(unaccompanied=True)
    number = path.case.number
    coordinator = new_page(locale="en-GB")
    sign_in(coordinator, "demo-coordinator")
    coordinator.goto("/zaken/?minor=yes")
    table = coordinator.get_by_test_id("case-table")
    row = table.locator("tr", has=coordinator.get_by_role("link", name=number, exact=True))
    expect(row.get_by_test_id("minor-badge")).to_be_visible()
    coordinator.goto(f"/zaken/{number}/")
    expect(coordinator.locator("h1").get_by_test_id("minor-badge")).to_be_visible()
    expect(coordinator.get_by_test_id("ident-minor")).to_be_visible()
    expect(coordinator.get_by_test_id("ident-guardian")).to_contain_text("Nidos")
    expect(coordinator.get_by_test_id("ident-advice").locator("li")).to_have_count(3)

    # The guardian was told: an unread notification, linked from the header.
    nidos = new_page()
    sign_in(nidos, "demo-nidos")
    expect(nidos.get_by_test_id("unread-count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    nidos.get_by_test_id("nav-notifications").click()
    table = nidos.get_by_test_id("notifications")
    expect(table).to_contain_text(number)
    with nidos.expect_navigation():
        nidos.get_by_test_id("mark-all-read").click()
    expect(nidos.get_by_test_id("unread-count")).to_have_count(0)
