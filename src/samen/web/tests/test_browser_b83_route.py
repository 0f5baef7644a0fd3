"""The B8/3 route beside the criminal case in a real browser (issue #14, "Done when"): police,
IND and OM walk a foreign adult from signal to continued residence; a date in the future is
refused at its field in Dutch; the case's status follows; the coordinator closes and reopens the
case with a reason. Fixtures (chromium, demo world, sign-in) live in this folder's conftest.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from samen.core.actor import actor_for_membership
from samen.identification.demo import refer_to_prosecution
from samen.identification.models import IdentificationPath
from samen.organisations.models import Membership

pytestmark = pytest.mark.browser


def take(page, code: str, **values: str) -> None:
    for name, value in values.items():
        field = page.locator(f"#cb-{code}-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        page.get_by_test_id(f"ident-take-{code}").click()
    expect(page.locator("main .messages .alert--success")).to_be_visible()


def test_police_ind_and_om_walk_a_victim_from_signal_to_continued_residence(new_page, sign_in):
    number = IdentificationPath.objects.get(unaccompanied=False, state="signalled").case.number
    today = date.today().isoformat()
    police = new_page()
    sign_in(police, "demo-investigator")
    police.goto(f"/zaken/{number}/")
    take(police, "assessment_start")
    # A date in the future is refused at its field, in Dutch, and nothing is recorded.
    police.locator("#cb-indication_establish-established_on").fill(
        (date.today() + timedelta(days=30)).isoformat()
    )
    with police.expect_navigation():
        police.get_by_test_id("ident-take-indication_establish").click()
    expect(police.get_by_test_id("step-errors")).to_contain_text("Vastgesteld op")
    expect(police.get_by_test_id("step-errors")).to_contain_text("toekomst")
    police.goto(f"/zaken/{number}/")
    take(police, "indication_establish", established_on=today)
    take(police, "reflection_offer", starts_on=today)
    take(police, "report_record", reported_on=today, kind="report", police_unit="Midden")
    page_text = police.locator("main").inner_text()
    for code in ("report_record", "starts_on", "b83_decision", "foreign_without"):
        assert code not in page_text  # plain Dutch, no codes
    refer_to_prosecution(
        IdentificationPath.objects.get(case__number=number).case,
        investigator=actor_for_membership(
            Membership.objects.get(user__username="demo-investigator"), origin="test"
        ),
    )

    ind = new_page()
    sign_in(ind, "demo-ind")
    ind.goto(f"/zaken/{number}/")  # the report is the application: the case is before the IND
    take(ind, "b83_grant", decided_on=today, permit_starts_on=today)

    om = new_page()
    sign_in(om, "demo-om")
    om.goto(f"/zaken/{number}/")
    take(om, "prosecution_dismiss", decided_on=today, ground="policy")
    ind.goto(f"/zaken/{number}/")
    expect(
        ind.get_by_test_id("ident-deadlines").locator("[data-kind=permit_end_dismissal]")
    ).to_be_visible()
    om.goto(f"/zaken/{number}/")
    take(om, "complaint_file", filed_on=today)
    take(om, "complaint_decide", decided_on=today, outcome="prosecution_ordered")
    take(om, "prosecution_start", decided_on=today)
    take(om, "verdict_record", verdict_on=today, verdict="conviction")

    ind.goto(f"/zaken/{number}/")
    expect(
        ind.get_by_test_id("ident-deadlines").locator("[data-kind=permit_end_dismissal]")
    ).to_have_count(0)
    take(ind, "continued_residence_apply", applied_on=today)
    expect(
        ind.get_by_test_id("ident-deadlines").locator("[data-kind=continued_residence_decision]")
    ).to_be_visible()
    take(ind, "continued_residence_grant", decided_on=today)

    coordinator = new_page()
    sign_in(coordinator, "demo-coordinator")
    coordinator.goto(f"/zaken/{number}/")
    expect(coordinator.locator("main")).to_contain_text("In zorg")
    coordinator.locator("#case-close-reason").select_option("care_completed")
    with coordinator.expect_navigation():
        coordinator.get_by_test_id("case-close").click()
    expect(coordinator.locator("main")).to_contain_text("Afgesloten")
    coordinator.locator("#case-reopen-reason").select_option("new_information")
    with coordinator.expect_navigation():
        coordinator.get_by_test_id("case-reopen").click()
    expect(coordinator.locator("main")).to_contain_text("In zorg")
