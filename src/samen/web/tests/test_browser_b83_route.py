"""The B8/3 route beside the criminal case in a real browser (issue #14, "Done when"), on the
demo world: the police, the IND, the OM (as prosecutor) and the coordinator walk a foreign adult
from signal to continued residence, and the police and CoMensha a Dublin claimant through the
30-day reflection period; dates the rules forbid are refused at their field in Dutch; the case's
status follows; the coordinator closes and reopens the case with a reason. Fixtures (chromium,
demo world, sign-in) live in this folder's conftest.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from samen.identification.demo import PROSECUTION_SHARE
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


def warm(page) -> None:
    """The live server's first request (templates, register, path definitions) may take longer
    than a step's timeout on a loaded machine: wait for it once, with room."""
    page.goto("/account/login/", timeout=60_000)


def refused(page, code: str, *words: str, **values: str) -> None:
    """A step refused at its field, in Dutch; the page then goes back to the case."""
    number = page.url.split("/zaken/")[1].split("/")[0]
    for name, value in values.items():
        page.locator(f"#cb-{code}-{name}").fill(value)
    with page.expect_navigation():
        page.get_by_test_id(f"ident-take-{code}").click()
    for word in words:
        expect(page.get_by_test_id("step-errors")).to_contain_text(word)
    page.goto(f"/zaken/{number}/")


def test_police_ind_om_and_coordinator_walk_a_victim_from_signal_to_continued_residence(
    new_page, sign_in
):
    number = IdentificationPath.objects.get(unaccompanied=False, state="signalled").case.number
    today = date.today().isoformat()
    police = new_page()
    warm(police)
    sign_in(police, "demo-investigator")
    police.goto(f"/zaken/{number}/")
    take(police, "assessment_start")
    # A date in the future is refused at its field, in Dutch, and nothing is recorded.
    in_30_days = (date.today() + timedelta(days=30)).isoformat()
    refused(police, "indication_establish", "Vastgesteld op", "toekomst", established_on=in_30_days)
    take(police, "indication_establish", established_on=today)
    take(police, "reflection_offer", starts_on=today)
    take(police, "report_record", reported_on=today, kind="report", police_unit="Midden")
    page_text = police.locator("main").inner_text()
    for code in ("report_record", "starts_on", "b83_decision", "foreign_without"):
        assert code not in page_text  # plain Dutch, no codes
    # The police pass the case to the OM on the case page: a share for prosecution, with what
    # the register lets the prosecutor process.
    om_org = Membership.objects.get(user__username="demo-om").organisation
    police.locator("#id_recipient").select_option(str(om_org.pk))
    police.locator("#id_purpose").select_option("prosecution")
    for category in PROSECUTION_SHARE:
        police.locator(f"input[name=categories][value={category}]").check()
    with police.expect_navigation():
        police.get_by_test_id("share-form").locator("button[type=submit]").click()
    expect(police.locator("main .messages .alert--success")).to_contain_text(om_org.name)

    ind = new_page()
    sign_in(ind, "demo-ind")
    ind.goto(f"/zaken/{number}/")  # the report is the application: the case is before the IND
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused(ind, "b83_grant", "Vergunning gaat in op", "vóór",
            decided_on=today, permit_starts_on=yesterday)  # fmt: skip
    take(ind, "b83_grant", decided_on=today, permit_starts_on=today)

    om = new_page()
    sign_in(om, "demo-om")  # the prosecutor: the criminal case, not the care
    om.goto(f"/zaken/{number}/")
    expect(om.locator("main")).to_contain_text("Midden")  # the report's police unit
    expect(om.locator("main")).not_to_contain_text("Seksuele uitbuiting")
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


def test_police_and_comensha_walk_a_dublin_claimant_through_the_30_day_period(new_page, sign_in):
    path = IdentificationPath.objects.get(dublin_claimant=True)
    number = path.case.number
    started = date.fromisoformat(path.steps.get(transition="reflection_offer").values["starts_on"])
    registrar = new_page()
    warm(registrar)
    sign_in(registrar, "demo-registrar")
    registrar.goto(f"/zaken/{number}/")
    end = registrar.get_by_test_id("ident-deadlines").locator("[data-kind=reflection_end] time")
    expect(end).to_have_attribute("datetime", (started + timedelta(days=30)).isoformat())

    police = new_page()
    sign_in(police, "demo-investigator")
    police.goto(f"/zaken/{number}/")
    before = (started - timedelta(days=1)).isoformat()
    refused(police, "report_record", "Aangifte gedaan op", "vóór de stap",
            reported_on=before, police_unit="Midden")  # fmt: skip
    take(police, "report_record", reported_on=date.today().isoformat(), kind="report",
         police_unit="Midden")  # fmt: skip
    registrar.goto(f"/zaken/{number}/")
    deadlines = registrar.get_by_test_id("ident-deadlines")
    expect(deadlines.locator("[data-kind=reflection_end]")).to_have_count(0)
    expect(deadlines.locator("[data-kind=b83_decision]")).to_be_visible()
    expect(registrar.locator("main")).to_contain_text("In zorg")
